from identity.api import support
from identity.api.views import iso


def render(credential, roles, secret=None):
    body = {'id': credential.id, 'name': credential.name,
            'description': credential.description, 'user_id': credential.user_id,
            'project_id': credential.project_id, 'expires_at': iso(credential.expires_at),
            'unrestricted': credential.unrestricted, 'system': None, 'access_rules': [],
            'roles': [{'id': r.id, 'name': r.name, 'domain_id': None} for r in roles],
            'links': support.link(f'users/{credential.user_id}/application_credentials/'
                                  f'{credential.id}')}
    if secret is not None:
        body['secret'] = secret
    return body
