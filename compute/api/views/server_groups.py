"""``server_group`` bodies (Nova's ``_format_server_group`` before 2.64)."""
from compute.api import microversion


def render(group, members):
    body = {'id': group.uuid, 'name': group.name, 'policies': [group.policy],
            'members': members, 'metadata': {}}
    if microversion.at_least('2.13'):
        body['project_id'] = group.project_id
        body['user_id'] = group.user_id
    return body
