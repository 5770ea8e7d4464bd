from identity.api import support


def render(group):
    return {'id': group.id, 'name': group.name, 'domain_id': group.domain_id,
            'description': group.description, 'links': support.link(f'groups/{group.id}')}
