"""``GET /limits``: absolute limits and usage, per microversion and project."""
import pytest

from tests.unit.compute.test_quotas import add_instance
from tests.unit.image.fixtures import OTHER_PROJECT, PROJECT

NETWORK = {'maxTotalFloatingIps', 'maxSecurityGroups', 'maxSecurityGroupRules',
           'totalFloatingIpsUsed', 'totalSecurityGroupsUsed'}
IMAGE_META = {'maxImageMeta'}
INJECTED = {'maxPersonality', 'maxPersonalitySize'}
ALWAYS = {'maxTotalInstances', 'maxTotalCores', 'maxTotalRAMSize', 'maxTotalKeypairs',
          'maxServerMeta', 'maxServerGroups', 'maxServerGroupMembers', 'totalInstancesUsed',
          'totalCoresUsed', 'totalRAMUsed', 'totalServerGroupsUsed'}


# As Nova (and Tempest's v2_36/v2_39/v2_57 limits schemas): the nova-network
# fields go at 2.36, maxImageMeta at 2.39, the personality ones at 2.57.
@pytest.mark.parametrize('version,fields', [
    (None, ALWAYS | NETWORK | IMAGE_META | INJECTED),
    ('2.35', ALWAYS | NETWORK | IMAGE_META | INJECTED),
    ('2.36', ALWAYS | IMAGE_META | INJECTED), ('2.38', ALWAYS | IMAGE_META | INJECTED),
    ('2.39', ALWAYS | INJECTED), ('2.56', ALWAYS | INJECTED), ('2.57', ALWAYS)])
def test_fields_follow_the_version(api, version, fields):
    body = api.get('/v2.1/limits', version=version).json['limits']
    assert body['rate'] == []
    assert set(body['absolute']) == fields


def test_limits_and_usage_of_the_callers_project(api, env):
    with env.db.writer() as session:
        add_instance(session, project_id=PROJECT, vcpus=3, ram=768)
        add_instance(session, project_id=OTHER_PROJECT)
    api.put(f'/v2.1/os-quota-sets/{PROJECT}', {'quota_set': {'cores': 7}}, as_='cloud_admin')
    absolute = api.get('/v2.1/limits', as_='reader').json['limits']['absolute']
    assert (absolute['maxTotalCores'], absolute['totalCoresUsed']) == (7, 3)
    assert (absolute['totalInstancesUsed'], absolute['totalRAMUsed']) == (1, 768)
    assert (absolute['maxTotalFloatingIps'], absolute['totalFloatingIpsUsed']) == (-1, 0)
    assert absolute['maxPersonalitySize'] == 10240


def test_tenant_id_is_for_admins(api, env):
    with env.db.writer() as session:
        add_instance(session, project_id=OTHER_PROJECT)
    query = f'/v2.1/limits?tenant_id={OTHER_PROJECT}'
    assert api.get(query, as_='member').status_code == 403
    absolute = api.get(query, as_='cloud_admin').json['limits']['absolute']
    assert absolute['totalInstancesUsed'] == 1
    own = api.get(f'/v2.1/limits?tenant_id={PROJECT}', as_='member')
    assert own.status_code == 200


def test_unknown_roles_are_refused(api):
    assert api.get('/v2.1/limits', as_='foo').status_code == 403
