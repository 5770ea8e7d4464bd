"""Policy enforcement (``common/policy.py``): who is a cloud administrator."""
import flask
import pytest
from oslo_policy import opts as policy_opts
from oslo_policy import policy as oslo_policy

from common import exceptions
from common.context import RequestContext
from common.policy import Enforcer
from common.wsgi import app as wsgi_app

RULES = [
    oslo_policy.RuleDefault('test:admin', 'rule:cloud_admin'),
    oslo_policy.RuleDefault('test:read', 'rule:cloud_reader or rule:project_reader'),
    oslo_policy.RuleDefault('test:write', 'rule:project_member'),
    oslo_policy.RuleDefault('test:service', 'rule:service_role'),
    oslo_policy.RuleDefault('test:system_only', '', scope_types=['system']),
    oslo_policy.RuleDefault('test:project_only', '', scope_types=['project']),
]


def _ctx(roles, project_id=None, system=False, domain_id=None, is_admin_project=False):
    return RequestContext(user_id='u', roles=roles, project_id=project_id,
                          domain_id=domain_id, system_scope='all' if system else None,
                          is_admin_project=is_admin_project, overwrite=False)


PERSONAS = {
    'system_admin': _ctx(['admin', 'member', 'reader'], system=True),
    'system_reader': _ctx(['reader'], system=True),
    'admin_project_admin': _ctx(['admin', 'member', 'reader'], project_id='adm',
                                is_admin_project=True),
    'project_admin': _ctx(['admin', 'member', 'reader'], project_id='p1'),
    'project_member': _ctx(['member', 'reader'], project_id='p1'),
    'project_reader': _ctx(['reader'], project_id='p1'),
    'other_member': _ctx(['member', 'reader'], project_id='p2'),
    'domain_admin': _ctx(['admin', 'member', 'reader'], domain_id='d1'),
    'foo': _ctx(['foo'], project_id='p1'),
    'service': _ctx(['service'], project_id='service'),
}

ALLOWED = {
    'test:admin': {'system_admin', 'admin_project_admin'},
    'test:read': {'system_admin', 'system_reader', 'admin_project_admin', 'project_admin',
                  'project_member', 'project_reader'},
    'test:write': {'project_admin', 'project_member'},
    'test:service': {'service'},
}


@pytest.fixture
def enforcer(conf):
    return Enforcer(conf, RULES)


@pytest.mark.parametrize('action', sorted(ALLOWED))
@pytest.mark.parametrize('persona', sorted(PERSONAS))
def test_persona_matrix(enforcer, action, persona):
    allowed = enforcer.check(PERSONAS[persona], action, {'project_id': 'p1'})
    assert allowed is (persona in ALLOWED[action])


def test_admin_of_any_project_is_not_a_cloud_admin(enforcer):
    assert not enforcer.check(PERSONAS['project_admin'], 'cloud_admin', {})
    assert enforcer.check(PERSONAS['admin_project_admin'], 'cloud_admin', {})
    assert enforcer.check(PERSONAS['system_admin'], 'cloud_admin', {})


def test_system_reader_reads_but_does_not_administer(enforcer):
    assert enforcer.check(PERSONAS['system_reader'], 'cloud_reader', {})
    assert not enforcer.check(PERSONAS['system_reader'], 'cloud_admin', {})


def test_wrong_scope_is_a_denial_not_an_error(enforcer):
    assert enforcer.check(PERSONAS['system_reader'], 'test:system_only', {})
    assert not enforcer.check(PERSONAS['project_member'], 'test:system_only', {})
    assert not enforcer.check(PERSONAS['system_admin'], 'test:project_only', {})
    assert not enforcer.check(PERSONAS['domain_admin'], 'test:project_only', {})


def test_unknown_rule_fails_closed(enforcer):
    assert not enforcer.check(PERSONAS['system_admin'], 'test:no_such_rule', {})


def test_authorize_raises_403_naming_the_action(enforcer):
    with flask.Flask(__name__).test_request_context('/'):
        with pytest.raises(exceptions.PolicyNotAuthorized) as caught:
            enforcer.authorize(PERSONAS['project_reader'], 'test:write', {'project_id': 'p1'})
    assert caught.value.code == 403
    assert 'test:write' in caught.value.message


def test_authorize_refuses_wrong_scope(enforcer):
    with flask.Flask(__name__).test_request_context('/'):
        with pytest.raises(exceptions.PolicyNotAuthorized):
            enforcer.authorize(PERSONAS['system_admin'], 'test:project_only', {})


def test_authorize_records_the_check_for_the_audit(enforcer):
    with flask.Flask(__name__).test_request_context('/'):
        flask.g.policy_checked = False
        enforcer.authorize(PERSONAS['project_member'], 'test:write', {'project_id': 'p1'})
        assert flask.g.policy_checked
        flask.g.policy_checked = False
        with pytest.raises(exceptions.PolicyNotAuthorized):
            enforcer.authorize(PERSONAS['foo'], 'test:write', {'project_id': 'p1'})
        # A denial is a checked request too (and answers 403 anyway).
        assert flask.g.policy_checked


def test_operator_override_in_policy_file(conf, tmp_path):
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text('"test:write": "role:foo"\n')
    policy_opts.set_defaults(conf, policy_file=str(policy_file))
    enforcer = Enforcer(conf, RULES)
    assert enforcer.check(PERSONAS['foo'], 'test:write', {})
    assert not enforcer.check(PERSONAS['project_member'], 'test:write', {'project_id': 'p1'})


def test_mark_policy_checked_sets_the_flag():
    with flask.Flask(__name__).test_request_context('/'):
        wsgi_app.mark_policy_checked()
        assert flask.g.policy_checked
