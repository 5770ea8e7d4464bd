from identity.api import support


def render(domain):
    return {'id': domain.id, 'name': domain.name, 'description': domain.description,
            'enabled': domain.enabled, 'tags': domain.tags or [], 'options': {},
            'links': support.link(f'domains/{domain.id}')}
