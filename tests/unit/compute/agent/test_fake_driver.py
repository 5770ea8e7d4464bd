"""The fake driver keeps the ``VirtDriver`` contract (the libvirt driver will share these)."""
import pytest

from compute import conf as compute_conf
from compute import states
from compute.agent.drivers import driver as virt
from compute.agent.drivers import fake
from image.inspector import dispatcher
from tests.unit import make_conf

VM = {'uuid': 'a1', 'name': 'vm'}


@pytest.fixture
def drv(tmp_path):
    conf = make_conf(tmp_path, register=compute_conf.register_opts,
                     fake_driver__fail_spawn_hosts=['bad'])
    return virt.load_driver('fake', conf, 'h1')


def test_loaded_by_name_and_checked(drv, tmp_path):
    assert isinstance(drv, virt.VirtDriver)
    with pytest.raises(ValueError, match="virt_driver = 'xen' is not available"):
        virt.load_driver('xen', None, 'h1')


def test_spawn_then_power_walk(drv):
    drv.spawn(virt.SpawnRequest(instance=VM))
    assert drv.list_instances() == {'a1': states.RUNNING}
    for method, expected in (('power_off', states.SHUTDOWN), ('power_on', states.RUNNING),
                             ('pause', states.PAUSED_POWER), ('unpause', states.RUNNING),
                             ('suspend', states.SUSPENDED_POWER), ('resume', states.RUNNING)):
        getattr(drv, method)(VM)
        assert drv.get_info('a1') == expected
    drv.reboot(VM, 'HARD')
    assert 'HARD reboot' in drv.get_console_output(VM)


def test_destroy_is_idempotent_and_missing_guests_raise(drv):
    drv.destroy(VM)
    assert drv.get_info('a1') == states.NOSTATE
    with pytest.raises(virt.InstanceNotFound):
        drv.power_on(VM)
    with pytest.raises(virt.InstanceNotFound):
        drv.snapshot(VM)


def test_spawn_fails_on_listed_hosts(tmp_path):
    conf = make_conf(tmp_path, register=compute_conf.register_opts,
                     fake_driver__fail_spawn_hosts=['bad'])
    with pytest.raises(virt.DriverError, match='Simulated spawn failure on host bad'):
        fake.FakeDriver(conf, 'bad').spawn(virt.SpawnRequest(instance=VM))


def test_snapshot_is_a_qcow2_the_image_service_accepts(drv, tmp_path):
    drv.spawn(virt.SpawnRequest(instance=VM))
    path = tmp_path / 'snap'
    path.write_bytes(drv.snapshot(VM).read())
    assert dispatcher.inspect_file(str(path), 'qcow2').format == 'qcow2'


def test_host_resources_report(drv):
    report = drv.host_resources().as_report()
    assert report['vcpus'] == 16 and report['hypervisor_hostname'] == 'h1'
    assert report['capabilities'] == {'cpu_arch': 'x86_64', 'hypervisor_type': 'fake',
                                      'cross_host_resize': True}


def test_volumes_attach_once_and_detach_idempotently(drv):
    drv.spawn(virt.SpawnRequest(instance={'uuid': 'u1'}))
    assert drv.attach_volume({'uuid': 'u1'}, {}, 'vol-1') == '/dev/vdb'
    assert drv.attach_volume({'uuid': 'u1'}, {}, 'vol-1') == '/dev/vdb'
    assert drv.attach_volume({'uuid': 'u1'}, {}, 'vol-2', '/dev/vdd') == '/dev/vdd'
    with pytest.raises(virt.DriverError, match='already in use'):
        drv.attach_volume({'uuid': 'u1'}, {}, 'vol-3', '/dev/vdd')
    drv.detach_volume({'uuid': 'u1'}, 'vol-1')
    drv.detach_volume({'uuid': 'u1'}, 'vol-1')
    assert drv.attach_volume({'uuid': 'u1'}, {}, 'vol-3') == '/dev/vdb'
    with pytest.raises(virt.InstanceNotFound):
        drv.detach_volume({'uuid': 'nope'}, 'vol-1')
