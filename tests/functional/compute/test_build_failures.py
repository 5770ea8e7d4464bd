"""A spawn that fails on one host is retried on another; when every host fails the
server goes to ERROR with a fault, and no claim is left behind on any host."""
import pytest

from tests import servers
from tests.functional.compute import helpers

FAILING = ('agent-1', 'agent-2')


@pytest.fixture(scope='module')
def failing_hosts(identity, image, database_backend, tmp_path_factory):
    """Three hosts, of which agent-1 and agent-2 fail every spawn."""
    directory = tmp_path_factory.mktemp(f'compute-failures-{database_backend}')
    with servers.database(database_backend, str(directory)) as url:
        server = servers.ComputeServer(
            str(directory), url, identity, image, agents=3,
            extra_conf=f'[fake_driver]\nfail_spawn_hosts = {",".join(FAILING)}\n'
                       '[scheduler]\nmax_attempts = 3\n').start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope='module')
def cloud_admin(failing_hosts):
    return failing_hosts.admin()


@pytest.fixture(scope='module')
def boot(failing_hosts, cloud_admin, image, admin):
    flavor = helpers.make_flavor(cloud_admin, ram=256, vcpus=2, disk=3)
    image_id = helpers.make_image(image, admin.token)
    return lambda: helpers.create_server(cloud_admin, image_id, flavor['id'])


def assert_no_claims(cloud_admin, hosts):
    for name, hypervisor in helpers.hypervisors(cloud_admin).items():
        if name in hosts:
            assert (hypervisor['memory_mb_used'], hypervisor['vcpus_used'],
                    hypervisor['local_gb_used'], hypervisor['running_vms']) == \
                (0, 0, 0, 0), hypervisor


def test_a_failed_spawn_is_rescheduled_to_a_working_host(cloud_admin, boot):
    built = [boot() for _ in range(4)]
    for server_id in built:
        server = helpers.wait_for_status(cloud_admin, server_id, 'ACTIVE')
        assert server['OS-EXT-SRV-ATTR:host'] == 'agent-3'
    assert_no_claims(cloud_admin, FAILING)
    working = helpers.hypervisors(cloud_admin)['agent-3']
    assert (working['memory_mb_used'], working['vcpus_used'], working['running_vms']) == \
        (4 * 256, 4 * 2, 4)
    helpers.delete_all(cloud_admin, built)
    assert_no_claims(cloud_admin, FAILING + ('agent-3',))


def test_when_every_host_fails_the_server_is_in_error_with_a_fault(cloud_admin, boot):
    services = cloud_admin.get('/os-services', params={'binary': 'nova-compute',
                                                       'host': 'agent-3'})
    working = services.json()['services'][0]['id']
    disabled = cloud_admin.put(f'/os-services/{working}', json={'status': 'disabled',
                                                                 'disabled_reason': 'test'})
    assert disabled.status_code == 200, disabled.text
    try:
        server_id = boot()
        server = helpers.wait_for_status(cloud_admin, server_id, 'ERROR')
    finally:
        enabled = cloud_admin.put(f'/os-services/{working}', json={'status': 'enabled'})
        assert enabled.status_code == 200, enabled.text
    assert server['fault']['message'], server
    assert server['fault']['code'] == 500
    assert server['OS-EXT-STS:vm_state'] == 'error'
    assert server['OS-EXT-STS:task_state'] is None
    assert_no_claims(cloud_admin, FAILING + ('agent-3',))
    helpers.delete_all(cloud_admin, [server_id])
