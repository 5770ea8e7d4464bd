"""The agent's resize actions and image plumbing, through the fake driver."""
import pytest

from compute import conf as compute_conf
from compute import states
from compute.agent import manager
from compute.agent.drivers import driver as virt
from compute.agent.drivers import fake
from tests.unit import make_conf

OLD = {'id': 'f1', 'name': 'small', 'vcpus': 1, 'ram': 128, 'disk': 1}
NEW = {'id': 'f2', 'name': 'big', 'vcpus': 2, 'ram': 256, 'disk': 2}
VM = {'uuid': 'a1', 'name': 'vm', 'flavor': OLD}


class BootImages:
    def __init__(self):
        self.fetches = []

    def fetch(self, ctx, image_id, stream):
        self.fetches.append((ctx, image_id, stream))


class SnapshotImages:
    def __init__(self):
        self.uploaded = []

    def upload(self, ctx, image_id, source):
        with open(source, 'rb') as f:
            self.uploaded.append((image_id, f.read()))

    def delete(self, ctx, image_id):
        raise AssertionError('the upload did not fail')


class PathSnapshotDriver(fake.FakeDriver):
    """A fake whose snapshots are files, as the libvirt driver's are."""

    def __init__(self, conf, host, directory):
        super().__init__(conf, host)
        self.directory = directory
        self.requests = []

    def snapshot(self, instance):
        path = self.directory / 'snap.qcow2'
        path.write_bytes(super().snapshot(instance).read())
        return str(path)

    def spawn(self, request):
        self.requests.append(request)
        super().spawn(request)


@pytest.fixture
def agent(tmp_path):
    conf = make_conf(tmp_path, register=compute_conf.register_opts)
    drv = PathSnapshotDriver(conf, 'h1', tmp_path)
    return manager.AgentManager('h1', drv, None, SnapshotImages(), BootImages())


def test_resize_on_one_host_then_confirm(agent):
    agent.driver.spawn(virt.SpawnRequest(instance=VM))
    reply = agent.run_action('ctx', VM, 'migrate_disk_and_power_off', {'dest_host': 'h1'})
    assert reply == {'disk_info': {'source_host': 'h1'}, 'power_state': states.NOSTATE}
    # A lost reply: asking again answers the same.
    assert agent.run_action('ctx', VM, 'migrate_disk_and_power_off',
                            {'dest_host': 'h1'})['disk_info'] == {'source_host': 'h1'}
    resized = dict(VM, flavor=NEW)
    reply = agent.run_action('ctx', resized, 'finish_migration',
                             {'disk_info': reply['disk_info'], 'power_on': True})
    assert reply == {'power_state': states.RUNNING}
    assert 'flavor big' in agent.driver.get_console_output(resized)
    assert agent.run_action('ctx', resized, 'confirm_migration', {}) == {
        'power_state': states.RUNNING}
    assert agent.run_action('ctx', resized, 'confirm_migration', {}) == {
        'power_state': states.RUNNING}


def test_revert_brings_back_the_guest_set_aside(agent):
    agent.driver.spawn(virt.SpawnRequest(instance=VM))
    disk_info = agent.run_action('ctx', VM, 'migrate_disk_and_power_off',
                                 {'dest_host': 'h1'})['disk_info']
    agent.run_action('ctx', dict(VM, flavor=NEW), 'finish_migration',
                     {'disk_info': disk_info, 'power_on': True})
    reply = agent.run_action('ctx', VM, 'finish_revert_migration', {'power_on': False})
    assert reply == {'power_state': states.SHUTDOWN}
    assert 'Power down for a move to h1.' in agent.driver.get_console_output(VM)
    agent.driver.destroy(VM)
    reply = agent.run_action('ctx', VM, 'finish_revert_migration', {'power_on': True})
    assert reply['error'] == 'Instance a1 has nothing set aside on host h1 to revert to.'


def test_spawn_requests_fetch_images_as_the_user_of_the_order(agent, tmp_path):
    agent.run_action('user-ctx', VM, 'rebuild', {'image_meta': {'id': 'img'}})
    request, = agent.driver.requests
    with open(tmp_path / 'img', 'wb') as stream:
        request.fetch_image('img', stream)
    assert agent._boot_images.fetches == [('user-ctx', 'img', stream)]


def test_a_request_without_an_image_service_cannot_fetch(tmp_path):
    with pytest.raises(virt.DriverError, match='no image service'):
        with open(tmp_path / 'img', 'wb') as stream:
            virt.SpawnRequest(instance=VM).fetch_image('img', stream)



def test_a_snapshot_file_is_uploaded_then_removed(agent, tmp_path):
    agent.driver.spawn(virt.SpawnRequest(instance=VM))
    assert agent.run_action('ctx', VM, 'snapshot', {'image_id': 'i1'}) == {
        'power_state': states.RUNNING}
    (image_id, data), = agent._images.uploaded
    assert image_id == 'i1' and data.startswith(b'QFI\xfb')
    assert not (tmp_path / 'snap.qcow2').exists()
