from identity.api import support


def render(project):
    body = dict(project.extra or {})
    body.update({
        'id': project.id, 'name': project.name, 'domain_id': project.domain_id,
        'description': project.description, 'enabled': project.enabled,
        # Keystone shows a top-level project's domain as its parent.
        'parent_id': project.parent_id or project.domain_id,
        'is_domain': False, 'tags': project.tags or [], 'options': {},
        'links': support.link(f'projects/{project.id}')})
    return body
