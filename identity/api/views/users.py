from identity.api import support


def render(user):
    body = dict(user.extra or {})
    body.update({'id': user.id, 'name': user.name, 'domain_id': user.domain_id,
                 'enabled': user.enabled, 'password_expires_at': None, 'options': {},
                 'links': support.link(f'users/{user.id}')})
    if user.default_project_id:
        body['default_project_id'] = user.default_project_id
    return body
