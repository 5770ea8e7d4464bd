"""The token body; validation renders exactly what issuance rendered."""
from identity.api.views import iso


def _domain(domain):
    return {'id': domain.id, 'name': domain.name}


def render(validated, catalog=None):
    """``{"token": …}`` for a ``ValidatedToken``; ``catalog`` is omitted when ``None``."""
    payload = validated.payload
    token = {
        'methods': payload.methods,
        'user': {'id': validated.user.id, 'name': validated.user.name,
                 'domain': _domain(validated.user_domain), 'password_expires_at': None},
        'audit_ids': payload.audit_ids,
        'expires_at': iso(payload.expires_at),
        'issued_at': iso(payload.issued_at),
    }
    if validated.project is not None:
        token['project'] = {'id': validated.project.id, 'name': validated.project.name,
                            'domain': _domain(validated.project_domain)}
        token['is_domain'] = False
        token['is_admin_project'] = validated.is_admin_project
    elif validated.domain is not None:
        token['domain'] = _domain(validated.domain)
        token['is_admin_project'] = False
    elif payload.system:
        token['system'] = {'all': True}
    if payload.scoped:
        token['roles'] = [{'id': r.id, 'name': r.name} for r in validated.roles]
        if catalog is not None:
            token['catalog'] = catalog
    if validated.application_credential is not None:
        credential = validated.application_credential
        token['application_credential'] = {'id': credential.id, 'name': credential.name,
                                           'restricted': not credential.unrestricted}
    return {'token': token}
