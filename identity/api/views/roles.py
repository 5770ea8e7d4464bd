from identity.api import support


def render(role):
    return {'id': role.id, 'name': role.name, 'domain_id': None,
            'description': role.description, 'options': {},
            'links': support.link(f'roles/{role.id}')}


def brief(role):
    """A role as it appears inside another resource."""
    return {'id': role.id, 'name': role.name, 'links': support.link(f'roles/{role.id}')}


def implication(prior, implied_list):
    """``{"role_inference": {"prior_role": …, "implies": …}}`` body."""
    return {'prior_role': brief(prior), 'implies': [brief(r) for r in implied_list]}
