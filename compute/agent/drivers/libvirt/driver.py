"""``LibvirtDriver``: the ``VirtDriver`` of hosts running guests under libvirt/QEMU.

It only orchestrates: the domain XML comes from ``guest_config``, an
instance's files from ``instance_build``, images from ``imagecache``,
taps from ``vifs``, power handling from ``power``.  Domains are
persistent (defined, then started), so that a stopped server keeps its
guest; each operation on one instance holds that instance's lock, so a
delete waits for a spawn in progress instead of racing it.
"""
import collections
import contextlib
import logging
import os
import shutil
import threading

import libvirt

from compute import states
from compute.agent.drivers import driver
from compute.agent.drivers.libvirt import disks
from compute.agent.drivers.libvirt import guest_config
from compute.agent.drivers.libvirt import host as libvirt_host
from compute.agent.drivers.libvirt import imagecache
from compute.agent.drivers.libvirt import instance_build
from compute.agent.drivers.libvirt import layout
from compute.agent.drivers.libvirt import power
from compute.agent.drivers.libvirt import vifs
from compute.agent.drivers.libvirt import volumes

LOG = logging.getLogger(__name__)
_UNDEFINE_FLAGS = (libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                   libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)
libvirt_errors = libvirt_host.libvirt_errors


class LibvirtDriver(driver.VirtDriver):
    capabilities = {'snapshot': True, 'console_output': True}

    def __init__(self, conf, host):
        self._conf = conf
        self.host = host
        root = conf.agent.instances_path or os.path.join(conf.state_path, 'compute',
                                                         'instances')
        self._paths = layout.InstancesPath(root, host)
        self._paths.prepare()
        self._cache = imagecache.ImageCache(self._paths)
        self._libvirt = libvirt_host.Host(conf.libvirt.connection_uri,
                                          conf.libvirt.domain_name_prefix)
        self._locks = collections.defaultdict(threading.Lock)
        self._locks_guard = threading.Lock()

    # --- helpers -------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self, instance_uuid):
        with self._locks_guard:
            lock = self._locks[instance_uuid]
        with lock:
            yield

    def _domain(self, instance_uuid):
        """Our domain of ``instance_uuid``.  :raises InstanceNotFound:"""
        domain = self._libvirt.lookup(instance_uuid)
        if domain is None:
            raise driver.InstanceNotFound(instance_uuid)
        return domain

    @property
    def _shutdown_timeout(self):
        return self._conf.libvirt.shutdown_timeout

    def _plug_vifs(self, domain):
        """(Re)create the taps of ``domain``'s ports: a host reboot removes them."""
        for vif in self._libvirt.record(domain).vifs:
            vifs.plug(vif)

    def _start(self, domain, what):
        self._plug_vifs(domain)
        with libvirt_errors(what):
            domain.create()

    def _create_guest(self, files, request, power_on):
        """Define the guest of ``request`` over ``files``; plug its taps; start it if asked."""
        spec = instance_build.guest_spec(files, request, self._conf.libvirt)
        # Defined before the taps exist, so that a crash in between leaves a
        # domain whose metadata tells ``destroy`` which taps to remove.
        domain = self._libvirt.define(guest_config.domain_xml(spec))
        if power_on:
            self._start(domain, f'Starting instance {request.instance["uuid"]}')
        else:
            self._plug_vifs(domain)

    def _new_directory(self, uuid, files):
        """An empty instance directory owned by this host (leftovers of a crash removed).

        :raises DriverError: another host's guest uses the directory (shared
            storage), or the leftovers could not be removed.
        """
        owner = files.owner()
        if owner and owner != self.host:
            LOG.warning('Instance directory %s of %s belongs to host %s', files.directory,
                        uuid, owner)
            raise driver.DriverError(f'The files of instance {uuid} belong to host {owner}.')
        self._remove_tree(uuid, files.directory)
        try:
            layout.make_directory(files.directory)
        except FileExistsError:
            raise driver.DriverError(f'Host {self.host} could not remove the old files of '
                                     f'instance {uuid}.') from None
        files.claim(self.host)

    @staticmethod
    def _remove_tree(uuid, path):
        """Remove the directory ``path`` of instance ``uuid``; whether it is gone.

        What cannot be removed is logged (a leaked disk for an operator to
        find), not raised: deleting must succeed when the files are gone.
        """
        def log_failure(_function, failed, exc_info):
            if not isinstance(exc_info[1], FileNotFoundError):
                LOG.error('Could not remove %s of instance %s: %s', failed, uuid, exc_info[1])
        shutil.rmtree(path, onerror=log_failure)
        return not os.path.lexists(path)

    def _remove_domain(self, instance_uuid, extra_vifs=()):
        """Power off and undefine our domain of ``instance_uuid`` (if any); remove its taps."""
        domain = self._libvirt.lookup(instance_uuid)
        taps = list(extra_vifs)
        if domain is not None:
            taps += self._libvirt.record(domain).vifs
            with libvirt_errors(f'Removing the guest of instance {instance_uuid}'):
                power.destroy(domain)
                domain.undefineFlags(_UNDEFINE_FLAGS)
        for vif in taps:
            vifs.unplug(vif)

    def _remove_directory(self, uuid, files):
        """Remove ``files.directory`` unless another host's guest uses it (shared storage)."""
        owner = files.owner()
        if owner and owner != self.host:
            LOG.info('Keeping %s of instance %s: it belongs to host %s', files.directory, uuid,
                     owner)
            return
        self._remove_tree(uuid, files.directory)

    def _clean_up_failed(self, instance_uuid, files, request):
        """After a failed build: remove the new guest, its taps and its directory."""
        try:
            self._remove_domain(instance_uuid, vifs.from_network_info(request.network_info))
            self._remove_directory(instance_uuid, files)
        except Exception:  # the build's own error is the one to report
            LOG.exception('Could not clean up after the failed build of instance %s',
                          instance_uuid)

    # --- VirtDriver ------------------------------------------------------------------

    def spawn(self, request):
        uuid = request.instance['uuid']
        files = self._paths.instance(uuid)
        with self._locked(uuid):
            if self._libvirt.lookup(uuid) is not None:
                raise driver.DriverError(f'Instance {uuid} already has a guest on host '
                                         f'{self.host}.')
            LOG.info('Spawning instance %s on %s', uuid, self.host)
            try:
                self._new_directory(uuid, files)
                config_drive = bool(request.instance.get('config_drive') or
                                    self._conf.agent.force_config_drive)
                instance_build.create_files(files, self._cache, request, config_drive)
                self._create_guest(files, request, power_on=True)
            except BaseException:
                self._clean_up_failed(uuid, files, request)
                raise
        LOG.info('Instance %s runs on %s', uuid, self.host)

    def destroy(self, instance):
        uuid = instance['uuid']
        with self._locked(uuid):
            LOG.info('Destroying instance %s on %s', uuid, self.host)
            self._remove_domain(uuid)
            self._remove_directory(uuid, self._paths.instance(uuid))
            self._remove_directory(uuid, self._paths.resize(uuid))

    def reboot(self, instance, reboot_type):
        uuid = instance['uuid']
        with self._locked(uuid):
            domain = self._domain(uuid)
            if reboot_type == 'SOFT' and self._soft_reboot(uuid, domain):
                return
            LOG.info('Hard rebooting instance %s', uuid)
            with libvirt_errors(f'Rebooting instance {uuid}'):
                power.destroy(domain)
                if domain.hasManagedSaveImage(0):
                    domain.managedSaveRemove(0)
            self._start(domain, f'Rebooting instance {uuid}')

    def _soft_reboot(self, uuid, domain):
        """Shut the guest down through ACPI and start it; whether that worked in time.

        A paused or suspended guest cannot shut itself down: it gets a hard reboot.
        """
        if power.power_state(domain) != states.RUNNING:
            return False
        LOG.info('Soft rebooting instance %s', uuid)
        with libvirt_errors(f'Rebooting instance {uuid}'):
            if not power.shutdown(domain, self._shutdown_timeout):
                LOG.warning('Instance %s did not shut down within %s s; rebooting it hard',
                            uuid, self._shutdown_timeout)
                return False
        self._start(domain, f'Rebooting instance {uuid}')
        return True

    def power_off(self, instance):
        uuid = instance['uuid']
        with self._locked(uuid):
            domain = self._domain(uuid)
            LOG.info('Powering off instance %s', uuid)
            with libvirt_errors(f'Powering off instance {uuid}'):
                power.stop(domain, self._shutdown_timeout, uuid)
                if domain.hasManagedSaveImage(0):  # off means off: no resume from a save
                    domain.managedSaveRemove(0)

    def power_on(self, instance):
        uuid = instance['uuid']
        with self._locked(uuid):
            domain = self._domain(uuid)
            if not power.is_active(domain):
                LOG.info('Powering on instance %s', uuid)
                self._start(domain, f'Powering on instance {uuid}')

    def pause(self, instance):
        uuid = instance['uuid']
        with self._locked(uuid):
            domain = self._domain(uuid)
            state = power.power_state(domain)
            if state == states.PAUSED_POWER:
                return
            if state != states.RUNNING:
                raise driver.DriverError(f'Instance {uuid} is not running; it cannot be '
                                         f'paused.')
            LOG.info('Pausing instance %s', uuid)
            with libvirt_errors(f'Pausing instance {uuid}'):
                domain.suspend()

    def unpause(self, instance):
        uuid = instance['uuid']
        with self._locked(uuid):
            domain = self._domain(uuid)
            state = power.power_state(domain)
            if state == states.RUNNING:
                return
            if state != states.PAUSED_POWER:
                raise driver.DriverError(f'Instance {uuid} is not paused.')
            LOG.info('Unpausing instance %s', uuid)
            with libvirt_errors(f'Unpausing instance {uuid}'):
                domain.resume()

    def suspend(self, instance):
        uuid = instance['uuid']
        with self._locked(uuid):
            domain = self._domain(uuid)
            if power.power_state(domain) == states.SUSPENDED_POWER:
                return
            if not power.is_active(domain):
                raise driver.DriverError(f'Instance {uuid} is not running; it cannot be '
                                         f'suspended.')
            LOG.info('Suspending instance %s (managed save)', uuid)
            with libvirt_errors(f'Suspending instance {uuid}'):
                domain.managedSave(0)

    def resume(self, instance):
        uuid = instance['uuid']
        with self._locked(uuid):
            domain = self._domain(uuid)
            if not power.is_active(domain):
                LOG.info('Resuming instance %s', uuid)
                self._start(domain, f'Resuming instance {uuid}')

    def snapshot(self, instance):
        """A standalone qcow2 copy of the root disk, in ``<instances_path>/snapshots``.

        A running (or paused) guest is saved (managed save, as Nova's cold
        snapshot) while the disk is copied, then restored as it was: QEMU
        then holds no unwritten data, so the copy is consistent.
        """
        uuid = instance['uuid']
        with self._locked(uuid):
            domain = self._domain(uuid)
            files = self._paths.instance(uuid)
            target = self._paths.snapshot(uuid)
            LOG.info('Snapshotting instance %s', uuid)
            was_active = power.is_active(domain)
            if was_active:
                with libvirt_errors(f'Saving instance {uuid} for a snapshot'):
                    domain.managedSave(0)
            try:
                try:
                    disks.convert(files.root_disk, 'qcow2', target)
                finally:
                    if was_active:
                        self._start(domain, f'Restoring instance {uuid} after a snapshot')
            except BaseException:  # no snapshot to upload: its copy goes
                with contextlib.suppress(FileNotFoundError):
                    os.remove(target)
                raise
        return target

    def attach_volume(self, instance, connection_info, serial, mountpoint=None):
        uuid = instance['uuid']
        with self._locked(uuid):
            device = volumes.attach(self._domain(uuid), connection_info, serial, mountpoint)
        LOG.info('Volume %s is %s of instance %s', serial, device, uuid)
        return device

    def detach_volume(self, instance, serial):
        uuid = instance['uuid']
        with self._locked(uuid):
            volumes.detach(self._domain(uuid), serial)
        LOG.info('Volume %s detached from instance %s', serial, uuid)

    def extend_volume(self, instance, serial):
        uuid = instance['uuid']
        with self._locked(uuid):
            size = volumes.extend(self._domain(uuid), serial)
        if size is not None:
            LOG.info('Volume %s of instance %s is now %d bytes', serial, uuid, size)

    def get_console_output(self, instance):
        uuid = instance['uuid']
        self._domain(uuid)
        try:
            with open(self._paths.instance(uuid).console_log, 'rb') as f:
                return f.read().decode('utf-8', errors='replace')
        except FileNotFoundError:
            return ''

    def get_info(self, instance_uuid):
        domain = self._libvirt.lookup(instance_uuid)
        if domain is None:
            return states.NOSTATE
        with libvirt_errors(f'Reading the state of instance {instance_uuid}'):
            return power.power_state(domain)

    def list_instances(self):
        found = {}
        for uuid, domain in self._libvirt.our_domains().items():
            try:
                found[uuid] = power.power_state(domain)
            except libvirt.libvirtError:
                continue  # removed meanwhile
        return found

    def host_resources(self):
        arch, memory_mb, cpus = self._libvirt.node_info()
        disk = os.statvfs(self._paths.root)
        return driver.HostResources(
            vcpus=cpus, memory_mb=memory_mb,
            local_gb=disk.f_blocks * disk.f_frsize // disks.GiB,
            hypervisor_type='QEMU', hypervisor_version=self._libvirt.hypervisor_version(),
            hypervisor_hostname=self.host, host_ip=self._conf.agent.host_ip, cpu_arch=arch,
            cross_host_resize=self._paths.shared())

    # --- cold resize and migration ----------------------------------------------------

    def migrate_disk_and_power_off(self, instance, dest_host):
        uuid = instance['uuid']
        files, aside = self._paths.instance(uuid), self._paths.resize(uuid)
        with self._locked(uuid):
            domain = self._libvirt.lookup(uuid)
            if domain is None and os.path.isdir(aside.directory):
                return self._disk_info(aside)  # done already; the reply was lost
            if domain is None:
                raise driver.InstanceNotFound(uuid)
            if dest_host != self.host and not self._paths.shared_with(dest_host):
                raise driver.DriverError(
                    f'Instance {uuid} cannot move from host {self.host} to host {dest_host}: '
                    f'they do not share an instances path, and this driver cannot copy '
                    f'disks between hosts.')
            LOG.info('Powering off instance %s and setting its disks aside for host %s',
                     uuid, dest_host)
            with libvirt_errors(f'Powering off instance {uuid}'):
                power.stop(domain, self._shutdown_timeout, uuid)
            self._remove_domain(uuid)
            if not self._remove_tree(uuid, aside.directory):
                raise driver.DriverError(f'Host {self.host} could not remove the old files '
                                         f'of instance {uuid} set aside by a resize.')
            os.rename(files.directory, aside.directory)
        return self._disk_info(aside)

    def _disk_info(self, aside):
        return {'source_host': self.host, 'resize_dir': aside.directory,
                'files': sorted(os.listdir(aside.directory))}

    def finish_migration(self, request, disk_info, power_on):
        uuid = request.instance['uuid']
        files, aside = self._paths.instance(uuid), self._paths.resize(uuid)
        with self._locked(uuid):
            if not os.path.isdir(aside.directory):
                raise driver.DriverError(
                    f'The disks of instance {uuid} set aside on host '
                    f'{disk_info.get("source_host")} are not reachable from host {self.host}.')
            LOG.info('Building instance %s on %s from its disks set aside (flavor %s)',
                     uuid, self.host, (request.instance.get('flavor') or {}).get('name'))
            self._remove_domain(uuid)
            try:
                self._new_directory(uuid, files)
                instance_build.copy_for_resize(aside, files)
                instance_build.resize_disks(files, request)
                self._create_guest(files, request, power_on)
            except BaseException:
                self._clean_up_failed(uuid, files, request)
                raise

    def confirm_migration(self, instance):
        """Drop the disks set aside, once the resized guest is known to have its own.

        :raises DriverError: the resized guest's files are not where they
            should be (e.g. a revert failed and put the disks aside again):
            then the disks set aside may be the only copy, and stay.
        """
        uuid = instance['uuid']
        aside = self._paths.resize(uuid)
        with self._locked(uuid):
            if not os.path.lexists(aside.directory):
                return  # confirmed already; the reply was lost
            self._check_resized_guest(uuid)
            LOG.info('Dropping the disks of instance %s set aside by its resize', uuid)
            if not self._remove_tree(uuid, aside.directory):
                raise driver.DriverError(f'Host {self.host} could not remove the old files '
                                         f'of instance {uuid} set aside by its resize.')

    def _check_resized_guest(self, uuid):
        """Check that the resized guest of ``uuid`` has its own root disk.

        Its directory must name its owner and hold a root disk (unless none
        was set aside: a server booted from a volume has none): the owner is
        this host, which must then have the guest, or (a move on shared
        storage) another host using the same instances path.

        :raises DriverError: it does not.
        """
        files = self._paths.instance(uuid)
        owner = files.owner()
        root_set_aside = os.path.isfile(self._paths.resize(uuid).root_disk)
        if not owner or (root_set_aside and not os.path.isfile(files.root_disk)):
            problem = 'has no disks'
        elif owner == self.host and self._libvirt.lookup(uuid) is None:
            problem = 'has disks but no guest'
        elif owner != self.host and not self._paths.shared_with(owner):
            problem = f'has disks owned by host {owner}, unknown to this host'
        else:
            return
        LOG.error('Refusing to confirm the resize of instance %s: its resized guest %s '
                  '(directory %s); keeping its disks set aside in %s', uuid, problem,
                  files.directory, self._paths.resize(uuid).directory)
        raise driver.DriverError(f'The resize of instance {uuid} cannot be confirmed: its '
                                 f'resized guest {problem}; the disks set aside are kept.')

    def finish_revert_migration(self, request, power_on):
        uuid = request.instance['uuid']
        files, aside = self._paths.instance(uuid), self._paths.resize(uuid)
        with self._locked(uuid):
            reverted_already = not os.path.isdir(aside.directory)
            if reverted_already and self._libvirt.lookup(uuid) is None:
                raise driver.DriverError(f'Instance {uuid} has nothing set aside on host '
                                         f'{self.host} to revert to.')
            if not reverted_already:
                self._revert(uuid, files, aside, request, power_on)
        if reverted_already:  # the reply of an earlier revert was lost: only set the power
            (self.power_on if power_on else self.power_off)(request.instance)

    def _revert(self, uuid, files, aside, request, power_on):
        """Replace the resized guest of ``uuid`` by the one set aside in ``aside``."""
        LOG.info('Reverting the resize of instance %s on %s', uuid, self.host)
        self._remove_domain(uuid)
        self._remove_directory(uuid, files)
        if os.path.exists(files.directory):
            raise driver.DriverError(f'Instance {uuid} cannot be reverted on host {self.host}: '
                                     f'host {files.owner()} still uses its files.')
        os.rename(aside.directory, files.directory)
        try:
            self._create_guest(files, request, power_on)
        except BaseException:
            # Set the disks aside again, so that the revert can be retried.
            try:
                self._remove_domain(uuid, vifs.from_network_info(request.network_info))
            finally:
                os.rename(files.directory, aside.directory)
            raise
