"""The volume policy: every rule documented and registered, every route asks it."""
from oslo_policy import policy as oslo_policy

from volume import policies


def test_rules_are_named_documented_and_unique():
    rules = policies.list_rules()
    names = [r.name for r in rules]
    assert len(names) == len(set(names))
    for rule in rules:
        assert isinstance(rule, oslo_policy.DocumentedRuleDefault)
        assert rule.name.startswith('volume:') and rule.description
        assert all(op['path'].startswith('/v3/{project_id}') for op in rule.operations)


def test_every_rule_the_api_asks_for_exists(env):
    registered = {r.name for r in policies.list_rules()}
    asked = set()
    original = env.app.enforcer._enforcer.enforce

    def recording(action, target, creds, *args, **kwargs):
        asked.add(action)
        return original(action, target, creds, *args, **kwargs)
    env.app.enforcer._enforcer.enforce = recording
    api = env.api
    volume = env.available_volume()
    api.get(f"volumes/{volume['id']}")
    api.get('volumes/detail')
    api.get('types')
    api.get('os-quota-sets/project-p')
    api.get('limits')
    api.get('os-availability-zone')
    api.get('os-services', as_='cloud_admin')
    api.action(volume['id'], 'os-extend', {'new_size': 2})
    assert {a for a in asked if a.startswith('volume:')} <= registered
    assert 'volume:volumes:extend' in asked and 'volume:volumes:get_all' in asked

