"""Default policy rules (network.policies) decided for each persona."""
import pytest

from common.context import RequestContext
from common.policy import Enforcer
from network import policies
from tests.unit import make_conf
from tests.unit.image.fixtures import PERSONAS


@pytest.fixture
def enforcer(tmp_path):
    return Enforcer(make_conf(tmp_path), policies.list_rules())


def _ctx(persona):
    p = PERSONAS[persona]
    return RequestContext(project_id=p.project_id, roles=list(p.roles),
                          is_admin_project=p.is_admin_project)


def _network(project='project-p', shared=False, external=False):
    return {'project_id': project, 'tenant_id': project, 'shared': str(shared),
            'router:external': str(external)}


@pytest.mark.parametrize('persona, target, allowed', [
    ('member', _network(), True),
    ('reader', _network(), True),
    ('other_member', _network(), False),
    ('other_reader', _network(shared=True), True),
    ('other_reader', _network(external=True), True),
    ('cloud_admin', _network(), True),
    ('project_admin', _network('project-q'), False),
    ('foo', _network(), False),
])
def test_get_network(enforcer, persona, target, allowed):
    assert enforcer.check(_ctx(persona), 'network:get_network', target) is allowed


@pytest.mark.parametrize('rule', ['create_network:shared', 'create_network:router:external',
                                  'create_network:provider:network_type',
                                  'get_network:provider:segmentation_id', 'get_agent',
                                  'update_quota', 'get_network_ip_availability'])
def test_admin_only_rules(enforcer, rule):
    target = _network()
    assert enforcer.check(_ctx('cloud_admin'), f'network:{rule}', target)
    for persona in ('member', 'project_admin', 'reader'):
        assert not enforcer.check(_ctx(persona), f'network:{rule}', target), persona


def test_binding_is_for_admins_and_services(enforcer):
    target = {'project_id': 'project-p'}
    service = RequestContext(project_id='project-p', roles=['member', 'reader'],
                             service_roles=['service'])
    assert enforcer.check(service, 'network:update_port:binding:host_id', target)
    assert enforcer.check(_ctx('cloud_admin'), 'network:get_port:binding:host_id', target)
    assert not enforcer.check(_ctx('member'), 'network:create_port:binding:host_id', target)


@pytest.mark.parametrize('action', ['create', 'update', 'delete'])
@pytest.mark.parametrize('resource', policies.RESOURCES)
def test_writes_need_member_of_the_owner(enforcer, action, resource):
    target = {'project_id': 'project-p', 'shared': 'False', 'router:external': 'False'}
    rule = f'network:{action}_{resource}'
    assert enforcer.check(_ctx('member'), rule, target)
    assert not enforcer.check(_ctx('reader'), rule, target)
    assert not enforcer.check(_ctx('other_member'), rule, target)


def test_every_rule_is_documented_and_named_for_the_service():
    names = [r.name for r in policies.list_rules()]
    assert len(names) == len(set(names))
    assert all(n.startswith('network:') and r.description
               for n, r in zip(names, policies.list_rules()))
