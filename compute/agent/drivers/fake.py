"""A hypervisor that runs no guests: each "guest" is an entry in memory.

It implements the whole ``VirtDriver`` contract, so that the agent, the
conductor and the scheduler can be exercised without libvirt, and one
process can simulate hundreds of hosts (``[fake_driver] host_count``).
``[fake_driver] spawn_seconds`` makes spawns take time and
``[fake_driver] fail_spawn_hosts`` makes them fail on chosen hosts, which
the rescheduling tests need.
"""
import io
import struct
import threading
import time

from compute import states
from compute.agent.drivers import driver



def empty_qcow2(size=1024 * 1024):
    """A valid, empty qcow2 image of ``size`` bytes, 2 KiB long.

    What a snapshot of a fake guest contains: the API creates snapshot
    images as ``qcow2``, and the image service inspects uploads against
    that format.  Four 512-byte clusters: the version-3 header, the
    refcount table, one refcount block (16-bit counts of the four
    clusters) and an empty L1 table.
    """
    cluster_bits = 9
    cluster = 1 << cluster_bits
    l1_entries = -(-size // (cluster // 8 * cluster))
    header = struct.pack('>4sIQIIQIIQQIIQ', b'QFI\xfb', 3, 0, 0, cluster_bits, size, 0,
                         l1_entries, 3 * cluster, 1 * cluster, 1, 0, 0)
    header += struct.pack('>QQQII', 0, 0, 0, 4, 104)
    refcount_table = struct.pack('>Q', 2 * cluster)
    refcount_block = struct.pack('>H', 1) * 4
    return b''.join(part.ljust(cluster, b'\0') for part in
                    (header, refcount_table, refcount_block, b''))


def _volumes(request):
    """``{volume_id: device}`` of the volumes a guest of ``request`` is built with.

    :raises DriverError: a volume came without ``connection_info``, which the
        libvirt driver cannot plug either.
    """
    found = {}
    for block_device in request.block_devices:
        if block_device.get('destination_type') != 'volume':
            continue
        if not block_device.get('connection_info'):
            raise driver.DriverError(f'Volume {block_device.get("volume_id")} has no '
                                     f'connection_info: it was not connected to this host.')
        found[block_device['volume_id']] = block_device.get('device_name')
    return found


class FakeDriver(driver.VirtDriver):
    capabilities = {'snapshot': True, 'console_output': True}

    def __init__(self, conf, host):
        self._conf = conf
        self.host = host
        self._guests = {}  # uuid -> {'power_state': int, 'console': [str]}
        self._set_aside = {}  # uuid -> the guest a resize set aside
        self._lock = threading.Lock()

    def _guest(self, instance):
        guest = self._guests.get(instance['uuid'])
        if guest is None:
            raise driver.InstanceNotFound(instance['uuid'])
        return guest

    def _set_power(self, instance, power_state, line):
        with self._lock:
            guest = self._guest(instance)
            guest['power_state'] = power_state
            guest['console'].append(line)

    def spawn(self, request):
        instance = request.instance
        if self._conf.fake_driver.spawn_seconds:
            time.sleep(self._conf.fake_driver.spawn_seconds)
        if self.host in self._conf.fake_driver.fail_spawn_hosts:
            raise driver.DriverError(f'Simulated spawn failure on host {self.host}.')
        volumes = _volumes(request)
        with self._lock:
            self._guests[instance['uuid']] = {
                'power_state': states.RUNNING, 'volumes': volumes,
                'console': [f'Booting {instance.get("name") or instance["uuid"]} on '
                            f'{self.host}', 'login:']}

    def destroy(self, instance):
        with self._lock:
            self._guests.pop(instance['uuid'], None)
            self._set_aside.pop(instance['uuid'], None)

    def reboot(self, instance, reboot_type):
        self._set_power(instance, states.RUNNING, f'{reboot_type} reboot')

    def power_off(self, instance):
        self._set_power(instance, states.SHUTDOWN, 'Power down.')

    def power_on(self, instance):
        self._set_power(instance, states.RUNNING, 'Power up.')

    def pause(self, instance):
        self._set_power(instance, states.PAUSED_POWER, 'Paused.')

    def unpause(self, instance):
        self._set_power(instance, states.RUNNING, 'Unpaused.')

    def suspend(self, instance):
        self._set_power(instance, states.SUSPENDED_POWER, 'Suspended.')

    def resume(self, instance):
        self._set_power(instance, states.RUNNING, 'Resumed.')

    def snapshot(self, instance):
        with self._lock:
            self._guest(instance)
        return io.BytesIO(empty_qcow2())

    def migrate_disk_and_power_off(self, instance, dest_host):
        uuid = instance['uuid']
        with self._lock:
            if uuid not in self._guests and uuid in self._set_aside:
                return {'source_host': self.host}
            guest = self._guest(instance)
            guest['power_state'] = states.SHUTDOWN
            guest['console'].append(f'Power down for a move to {dest_host}.')
            self._set_aside[uuid] = self._guests.pop(uuid)
        return {'source_host': self.host}

    def finish_migration(self, request, disk_info, power_on):
        instance = request.instance
        flavor = (instance.get('flavor') or {}).get('name')
        volumes = _volumes(request)
        with self._lock:
            self._guests[instance['uuid']] = {
                'power_state': states.RUNNING if power_on else states.SHUTDOWN,
                'volumes': volumes,
                'console': [f'Moved from {disk_info["source_host"]} to {self.host} with '
                            f'flavor {flavor}']}

    def confirm_migration(self, instance):
        with self._lock:
            self._set_aside.pop(instance['uuid'], None)

    def finish_revert_migration(self, request, power_on):
        uuid = request.instance['uuid']
        with self._lock:
            if uuid in self._set_aside:
                self._guests[uuid] = self._set_aside.pop(uuid)
            elif uuid not in self._guests:
                raise driver.DriverError(f'Instance {uuid} has nothing set aside on host '
                                         f'{self.host} to revert to.')
            guest = self._guests[uuid]
            guest['power_state'] = states.RUNNING if power_on else states.SHUTDOWN
            guest['console'].append('Resize reverted.')

    def attach_volume(self, instance, connection_info, serial, mountpoint=None):
        with self._lock:
            volumes = self._guest(instance).setdefault('volumes', {})
            if serial in volumes:
                return volumes[serial]
            device = mountpoint or next(f'/dev/vd{c}' for c in 'bcdefghijklmnopqrstuvwxyz'
                                        if f'/dev/vd{c}' not in volumes.values())
            if device == '/dev/vda' or device in volumes.values():
                raise driver.DriverError(f'Device {device} is already in use in the guest.')
            volumes[serial] = device
            return device

    def detach_volume(self, instance, serial):
        with self._lock:
            self._guest(instance).get('volumes', {}).pop(serial, None)

    def extend_volume(self, instance, serial):
        """Counts the extends of each volume in the guest's ``extended``."""
        with self._lock:
            guest = self._guest(instance)
            if serial not in guest.get('volumes', {}):
                raise driver.DriverError(f'Volume {serial} is not attached to instance '
                                         f'{instance["uuid"]}.')
            if guest['power_state'] == states.RUNNING:
                extended = guest.setdefault('extended', {})
                extended[serial] = extended.get(serial, 0) + 1

    def get_console_output(self, instance):
        with self._lock:
            return '\n'.join(self._guest(instance)['console']) + '\n'

    def get_info(self, instance_uuid):
        with self._lock:
            guest = self._guests.get(instance_uuid)
            return states.NOSTATE if guest is None else guest['power_state']

    def list_instances(self):
        with self._lock:
            return {uuid: guest['power_state'] for uuid, guest in self._guests.items()}

    def host_resources(self):
        fake = self._conf.fake_driver
        return driver.HostResources(
            vcpus=fake.vcpus, memory_mb=fake.memory_mb, local_gb=fake.local_gb,
            hypervisor_type='fake', hypervisor_version=1000, hypervisor_hostname=self.host,
            host_ip=self._conf.agent.host_ip, cpu_arch='x86_64')
