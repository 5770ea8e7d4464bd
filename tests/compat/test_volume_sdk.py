"""Unmodified openstacksdk (``conn.block_storage``, v3) against the all-in-one's volume service.

The proxy finds the service in the catalog (``block-storage``) and
negotiates a microversion; volumes go through create, ``wait_for_status``,
update, extend, metadata and delete; types, quotas, limits, services and
availability zones read as the SDK expects; another project's volume is a
404 for every call.  Whatever a test creates is deleted at the end through
the API, also when it fails.
"""
import time

import openstack.exceptions
import pytest

from tests.compat import volume_helpers
from tests.compat.conftest import ADMIN_CLOUD, MEMBER_CLOUD

WAIT = volume_helpers.VOLUME_WAIT


@pytest.fixture(scope='session')
def volume_api(admin_cloud):
    return volume_helpers.admin_volume_api(admin_cloud)


@pytest.fixture
def volume_cleanup(volume_api):
    tracker = volume_helpers.VolumeCleanup(volume_api)
    yield tracker
    tracker.run()


def test_volume_lifecycle(connect, volume_cleanup, unique_name):
    conn = connect(MEMBER_CLOUD)
    storage = conn.block_storage
    assert storage.get_endpoint().rstrip('/').endswith(conn.current_project_id)
    created = storage.create_volume(size=1, name=unique_name('vol'),
                                    description='compat', metadata={'purpose': 'compat'})
    volume_cleanup.add(f'/volumes/{created.id}')
    volume = storage.wait_for_status(created, status='available', failures=['error'],
                                     interval=1, wait=WAIT)
    assert (volume.size, volume.volume_type, volume.is_bootable) == \
        (1, volume_helpers.DEFAULT_TYPE, False)
    assert volume.metadata == {'purpose': 'compat'}
    assert created.id in {v.id for v in storage.volumes()}
    assert storage.find_volume(created.name).id == created.id

    storage.update_volume(volume, name=unique_name('renamed'), description='changed')
    storage.set_volume_metadata(volume, extra='yes')
    shown = storage.get_volume(volume)
    assert (shown.description, shown.metadata) == ('changed', {'purpose': 'compat',
                                                               'extra': 'yes'})
    storage.extend_volume(volume, 2)
    # openstacksdk's wait_for_status returns at once for an object already showing
    # the status: wait for the size instead.
    deadline = time.monotonic() + WAIT
    while (shown := storage.get_volume(volume)).size != 2 or shown.status != 'available':
        assert shown.status in ('extending', 'available') and time.monotonic() < deadline, shown
        time.sleep(1)

    storage.delete_volume(volume)
    storage.wait_for_delete(volume, interval=1, wait=WAIT)
    with pytest.raises(openstack.exceptions.NotFoundException):
        storage.get_volume(volume.id)


def test_types_quotas_limits_services_and_zones(connect, volume_cleanup, unique_name):
    admin = connect(ADMIN_CLOUD).block_storage
    member = connect(MEMBER_CLOUD)
    made = admin.create_type(name=unique_name('type'), description='compat',
                             extra_specs={'volume_backend_name': volume_helpers.DEFAULT_TYPE})
    volume_cleanup.add(f'/types/{made.id}')
    assert made.id in {t.id for t in member.block_storage.types()}
    assert admin.get_type(made).extra_specs == {
        'volume_backend_name': volume_helpers.DEFAULT_TYPE}
    admin.delete_type(made)
    with pytest.raises(openstack.exceptions.NotFoundException):
        admin.get_type(made.id)

    quotas = member.block_storage.get_quota_set(member.current_project_id, usage=True)
    assert quotas.volumes == 10 and quotas.gigabytes == 1000
    assert quotas.usage['volumes'] >= 0
    limits = member.block_storage.get_limits()
    assert limits.absolute.max_total_volumes == 10
    binaries = {(s.binary, s.state) for s in admin.services()}
    assert {('cinder-scheduler', 'up'), ('cinder-volume', 'up')} <= binaries
    zones = {z.name: z.state for z in member.block_storage.availability_zones()}
    assert zones.get('nova') == {'available': True}


@pytest.fixture(scope='module')
def other_conn(clouds_file, admin_cloud, tmp_path_factory, connect):
    """A connection of a member of a project made for this module."""
    with volume_helpers.other_project_clouds(clouds_file[1], admin_cloud,
                                             tmp_path_factory.mktemp('compat-volume-sdk'),
                                             'stratus-other') as (_, entry):
        yield connect(MEMBER_CLOUD, auth=entry['auth'])


def test_another_projects_volume_is_a_404(connect, other_conn, volume_cleanup, unique_name):
    mine = connect(MEMBER_CLOUD).block_storage
    theirs = other_conn.block_storage
    created = mine.create_volume(size=1, name=unique_name('vol'))
    volume_cleanup.add(f'/volumes/{created.id}')
    mine.wait_for_status(created, status='available', failures=['error'], interval=1,
                         wait=WAIT)
    assert created.id not in {v.id for v in theirs.volumes()}
    assert theirs.find_volume(created.name, ignore_missing=True) is None
    for call in (lambda: theirs.get_volume(created.id),
                 lambda: theirs.update_volume(created.id, name='stolen'),
                 lambda: theirs.extend_volume(created.id, 2),
                 lambda: theirs.delete_volume(created.id, ignore_missing=False),
                 lambda: theirs.create_volume(size=1, source_volume_id=created.id)):
        with pytest.raises(openstack.exceptions.NotFoundException):
            call()
    shown = mine.get_volume(created.id)
    assert (shown.name, shown.size, shown.status) == (created.name, 1, 'available')
