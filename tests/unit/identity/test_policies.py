"""The identity policy defaults (``identity/policies.py``) are complete and well formed."""
import re

import pytest
from oslo_policy import policy as oslo_policy

from identity import policies

RULES = {rule.name: rule for rule in policies.list_rules()}
DOCUMENTED = [r for r in policies.list_rules() if isinstance(r, oslo_policy.DocumentedRuleDefault)]


def test_every_api_rule_is_documented_and_named_for_the_service():
    assert DOCUMENTED
    for rule in DOCUMENTED:
        assert re.fullmatch(r'identity:[a-z_]+', rule.name), rule.name
        assert rule.description and rule.operations
        assert set(rule.scope_types) == {'system', 'domain', 'project'}


def test_rule_names_are_unique():
    names = [r.name for r in policies.list_rules()]
    assert len(names) == len(set(names))


def test_every_rule_reference_exists(conf):
    known = set(RULES) | {'cloud_admin', 'cloud_reader', 'service_role', 'project_reader',
                          'project_member'}
    for rule in policies.list_rules():
        for reference in re.findall(r'rule:([a-z_:]+)', rule.check_str):
            assert reference in known, f'{rule.name} refers to unknown rule {reference}'


def test_every_authorized_action_has_a_rule():
    """Each ``support.authorize('<action>')`` in the API names a registered rule."""
    import pathlib
    api_dir = pathlib.Path(policies.__file__).parent / 'api'
    actions = set()
    for path in api_dir.glob('*.py'):
        text = path.read_text()
        actions |= set(re.findall(r"authorize\(\s*'([a-z_]+)'", text))
        actions |= set(re.findall(r"_authorize(?:_read)?\(\s*'([a-z_]+)'", text))
    assert actions
    missing = sorted(a for a in actions if f'identity:{a}' not in RULES)
    assert missing == []


@pytest.mark.parametrize('name', ['identity:create_role', 'identity:create_domain',
                                  'identity:delete_domain', 'identity:create_system_grant',
                                  'identity:list_domains'])
def test_cloud_wide_actions_need_a_cloud_persona(name):
    assert RULES[name].check_str.startswith(('rule:cloud_admin', 'rule:cloud_reader'))
    assert 'domain_admin' not in RULES[name].check_str
