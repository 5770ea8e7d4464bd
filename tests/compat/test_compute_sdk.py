"""openstacksdk, unmodified, against the all-in-one's compute service.

The SDK negotiates the microversion from the version document (2.60 here)
and reads responses in that shape; ``wait_for_server`` and
``wait_for_delete`` are its own polling loops.
"""
import warnings

import pytest
from openstack import exceptions as sdk_exc
from openstack import warnings as sdk_warnings

from tests.compat.conftest import ADMIN_CLOUD, GUEST_IMAGE, GUEST_WAIT, MEMBER_CLOUD
from tests.functional.compute.helpers import public_key


@pytest.fixture(scope='module')
def conn(connect):
    return connect(MEMBER_CLOUD)


@pytest.fixture(scope='module')
def admin_conn(connect):
    return connect(ADMIN_CLOUD)


@pytest.fixture(scope='module')
def sdk_image(conn):
    """The all-in-one's guest image: servers are real guests that must boot."""
    return conn.image.find_image(GUEST_IMAGE, ignore_missing=False)


def test_server_lifecycle(conn, sdk_image, unique_name):
    flavor = conn.compute.find_flavor('m1.nano', ignore_missing=False)
    assert (flavor.ram, flavor.vcpus, flavor.disk) == (128, 1, 1)
    server = conn.compute.create_server(name=unique_name('server'), image_id=sdk_image.id,
                                        flavor_id=flavor.id, networks='none')
    try:
        server = conn.compute.wait_for_server(server, status='ACTIVE', wait=GUEST_WAIT, interval=1)
        assert server.flavor.original_name == 'm1.nano'
        assert server.image.id == sdk_image.id
        assert server.id in {s.id for s in conn.compute.servers()}
        assert conn.compute.find_server(server.name).id == server.id

        conn.compute.stop_server(server)
        conn.compute.wait_for_server(server, status='SHUTOFF', wait=GUEST_WAIT, interval=1)
        conn.compute.start_server(server)
        conn.compute.wait_for_server(server, status='ACTIVE', wait=GUEST_WAIT, interval=1)
        conn.compute.reboot_server(server, 'SOFT')
        conn.compute.wait_for_server(server, status='ACTIVE', wait=GUEST_WAIT, interval=1)
        output = conn.compute.get_server_console_output(server)
        assert isinstance(output['output'], str)
        actions = [a.action for a in conn.compute.server_actions(server)]
        assert {'create', 'stop', 'start', 'reboot'} <= set(actions)
    finally:
        conn.compute.delete_server(server, ignore_missing=True)
    conn.compute.wait_for_delete(server, wait=GUEST_WAIT, interval=1)
    with pytest.raises(sdk_exc.NotFoundException):
        conn.compute.get_server(server.id)


def test_keypair_import(conn, unique_name):
    key = public_key()
    keypair = conn.compute.create_keypair(name=unique_name('kp'), public_key=key)
    try:
        assert keypair.public_key == key and keypair.fingerprint
        assert keypair.name in {k.name for k in conn.compute.keypairs()}
    finally:
        conn.compute.delete_keypair(keypair, ignore_missing=True)
    assert conn.compute.find_keypair(keypair.name) is None


def test_admin_views(admin_conn):
    hypervisors = list(admin_conn.compute.hypervisors())
    assert hypervisors and all(h.state == 'up' for h in hypervisors)
    services = list(admin_conn.compute.services())
    assert {'nova-compute', 'nova-conductor'} <= {s.binary for s in services}
    # The SDK warns about fields it deprecated (maxPersonality …) whatever the server sends.
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', sdk_warnings.RemovedFieldWarning)
        limits = admin_conn.compute.get_limits()
        assert limits.absolute.instances >= 1
        quota = admin_conn.compute.get_quota_set(admin_conn.current_project_id)
        assert quota.instances == limits.absolute.instances


def test_member_cannot_use_admin_apis(conn):
    with pytest.raises(sdk_exc.ForbiddenException):
        list(conn.compute.hypervisors())
