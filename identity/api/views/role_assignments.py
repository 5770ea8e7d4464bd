"""Entries of ``GET /v3/role_assignments`` (Keystone's shape and links)."""
from identity.api import support


def _target_path(grant):
    if grant.project_id:
        return f'projects/{grant.project_id}'
    if grant.domain_id:
        return f'domains/{grant.domain_id}'
    return 'system'


def render(grant, names=None):
    """One assignment; ``names`` maps ids to (name, domain) when include_names is asked."""
    def named(kind, obj_id, with_domain=True):
        entry = {'id': obj_id}
        if names is not None and obj_id in names.get(kind, {}):
            name, domain = names[kind][obj_id]
            entry['name'] = name
            if with_domain and domain is not None:
                entry['domain'] = {'id': domain.id, 'name': domain.name}
        return entry

    body = {'role': named('role', grant.role_id, with_domain=False)}
    actor_path = f'users/{grant.user_id}' if grant.user_id else f'groups/{grant.group_id}'
    if grant.user_id:
        body['user'] = named('user', grant.user_id)
    else:
        body['group'] = named('group', grant.group_id)
    if grant.project_id:
        body['scope'] = {'project': named('project', grant.project_id)}
    elif grant.domain_id:
        body['scope'] = {'domain': named('domain', grant.domain_id)}
    else:
        body['scope'] = {'system': {'all': True}}
    assignment_path = f'{_target_path(grant)}/{actor_path}/roles/{grant.role_id}'
    if grant.via_group_id:
        assignment_path = f'{_target_path(grant)}/groups/{grant.via_group_id}/roles/{grant.role_id}'
    links = {'assignment': f'{support.base_url()}/v3/{assignment_path}'}
    if grant.via_group_id:
        links['membership'] = f'{support.base_url()}/v3/groups/{grant.via_group_id}/users/{grant.user_id}'
    if grant.prior_role_id:
        links['prior_role'] = f'{support.base_url()}/v3/roles/{grant.prior_role_id}'
    body['links'] = links
    return body
