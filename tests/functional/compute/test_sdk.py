"""The Stratus SDK's ``conn.compute`` against the real compute processes.

The proxy discovers the microversion from the API's version document,
boots a server without a network and follows it with ``wait_for_server``
through a stop/start and ``wait_for_delete``.
"""
import pytest

import stratus
from stratus import exceptions
from stratus.compute.exceptions import ServerFailed
from tests import servers
from tests.functional.compute import helpers


@pytest.fixture
def member_conn(compute, identity, make_account):
    account = make_account()
    conn = stratus.connect(auth_url=f'{identity.url}/v3', username=account.name,
                           password=account.password, project_name=account.project_name,
                           user_domain_name='Default', project_domain_name='Default',
                           region_name='RegionOne')
    yield account, conn
    conn.close()


def test_server_lifecycle_through_the_sdk(compute, image, member_conn):
    account, conn = member_conn
    flavor = helpers.make_flavor(compute.admin())
    image_id = helpers.make_image(image, account.token)
    assert conn.compute.microversion == '2.60'
    assert conn.compute.find_flavor(flavor['name']).id == flavor['id']

    created = conn.compute.create_server(name=servers.unique_name('sdk'), image=image_id,
                                         flavor=flavor, networks='none')
    server = conn.compute.wait_for_server(created, interval=0.2, wait=60)
    assert server.status == 'ACTIVE' and server.flavor.original_name == flavor['name']
    assert conn.compute.find_server(server.name).id == server.id
    conn.compute.stop_server(server)
    conn.compute.wait_for_server(server, status='SHUTOFF', interval=0.2, wait=60)
    with pytest.raises(exceptions.Conflict):
        conn.compute.stop_server(server)
    conn.compute.start_server(server)
    conn.compute.wait_for_server(server, interval=0.2, wait=60)
    assert 'create' in {a.action for a in conn.compute.server_actions(server)}
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, interval=0.2, wait=60)
    with pytest.raises(exceptions.NotFound):
        conn.compute.get_server(server)


def test_wait_for_server_reports_a_failed_build(compute, image, member_conn):
    account, conn = member_conn
    # More RAM than a simulated host offers (32 GiB x 1.5), within the project's quota
    # (50 GiB): the API accepts it, no host fits, the build fails.
    flavor = helpers.make_flavor(compute.admin(), ram=50000)
    created = conn.compute.create_server(name=servers.unique_name('sdk'),
                                         image=helpers.make_image(image, account.token),
                                         flavor=flavor, networks='none')
    with pytest.raises(ServerFailed) as failed:
        conn.compute.wait_for_server(created, interval=0.2, wait=60)
    assert failed.value.server.fault.message
    conn.compute.delete_server(created)
    conn.compute.wait_for_delete(created, interval=0.2, wait=60)
