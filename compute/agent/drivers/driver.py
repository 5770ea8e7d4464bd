"""The contract between a compute agent and its hypervisor: ``VirtDriver``.

An agent owns one driver per host it serves and calls nothing else to
touch guests.  Every method states what holds when it returns and what it
raises; methods that remove something succeed when it is already gone, so
that an agent can repeat an operation after a crash or a lost reply.

The arguments are plain data (``SpawnRequest``, instance dicts as the
conductor sends them: ``compute.rpcapi.InstancePayload``), never database
rows: agents have no database (ARCHITECTURE §3).

Drivers are chosen by ``[agent] virt_driver`` and loaded with
``load_driver``; optional features are announced in ``capabilities``.
"""
import abc
import dataclasses
import importlib
from typing import BinaryIO, Callable

DRIVERS = {'fake': 'compute.agent.drivers.fake:FakeDriver',
           'libvirt': 'compute.agent.drivers.libvirt.driver:LibvirtDriver'}


class DriverError(Exception):
    """An operation failed on the hypervisor; the message is shown as the server's fault."""


class InstanceNotFound(DriverError):
    """The hypervisor has no guest with this uuid."""

    def __init__(self, instance_uuid):
        super().__init__(f'Instance {instance_uuid} could not be found on this host.')


def no_image_service(image_id, stream):
    """The ``fetch_image`` of a request made without an image service: every fetch fails."""
    raise DriverError(f'Image {image_id} cannot be fetched: this request has no image '
                      f'service.')


@dataclasses.dataclass
class SpawnRequest:
    """Everything a spawn needs (Nova's ``spawn()`` takes ten arguments; we take one).

    :ivar instance: the server (``InstancePayload``: uuid, name, flavor, …).
    :ivar image_meta: the Glance image the server boots from (``{}`` when it
        boots from a volume), as ``compute.images.image_meta`` shapes it
        (free properties such as ``kernel_id`` under ``properties``).
    :ivar network_info: the server's ports (``instances.network_info``).
    :ivar block_devices: its block device mappings (dicts of
        ``block_device_mapping_v2`` fields).
    :ivar fetch_image: ``fetch_image(image_id, stream)`` writes the data of
        image ``image_id`` to the binary file ``stream``, as the user of the
        request, verified against the hash the image service recorded for
        it: it raises when the data does not match (what it wrote must then
        be thrown away).
    """
    instance: dict
    image_meta: dict = dataclasses.field(default_factory=dict)
    network_info: list = dataclasses.field(default_factory=list)
    block_devices: list = dataclasses.field(default_factory=list)
    fetch_image: Callable[[str, BinaryIO], None] = no_image_service


@dataclasses.dataclass
class HostResources:
    """What a host offers, as its agent reports it to the conductor.

    :ivar cross_host_resize: whether a resize may move this host's guests to
        another host (``migrate_disk_and_power_off`` can hand their disks
        over); when not, the conductor resizes them on this host.
    """
    vcpus: int
    memory_mb: int
    local_gb: int
    hypervisor_type: str
    hypervisor_version: int
    hypervisor_hostname: str
    host_ip: str
    cpu_arch: str
    cross_host_resize: bool = True

    def as_report(self):
        """The ``resources`` dict of ``ConductorAPI.report_state``."""
        report = dataclasses.asdict(self)
        report['capabilities'] = {'cpu_arch': report.pop('cpu_arch'),
                                  'hypervisor_type': self.hypervisor_type,
                                  'cross_host_resize': report.pop('cross_host_resize')}
        return report


class VirtDriver(abc.ABC):
    """One hypervisor host.

    :cvar capabilities: optional features, by name (``{'snapshot': True}``);
        callers check them instead of probing methods.
    """
    capabilities = {}

    @abc.abstractmethod
    def spawn(self, request):
        """Create and start the guest of ``request.instance``.

        Postcondition: the guest runs (``get_info`` says RUNNING).  On failure
        nothing of it is left on the host (disks, domain, taps).

        :raises DriverError: the guest could not be created; the message
            says why (it becomes the server's fault if no host succeeds).
        """

    @abc.abstractmethod
    def destroy(self, instance):
        """Stop the guest and remove everything of it from the host.

        Idempotent: succeeds when the guest is already gone.
        """

    @abc.abstractmethod
    def reboot(self, instance, reboot_type):
        """Restart the guest: ``SOFT`` asks the guest OS, ``HARD`` resets it.

        Postcondition: the guest runs.
        :raises InstanceNotFound: no such guest.
        """

    @abc.abstractmethod
    def power_off(self, instance):
        """Stop the guest, keeping its disks.  Idempotent when already off.

        :raises InstanceNotFound: no such guest.
        """

    @abc.abstractmethod
    def power_on(self, instance):
        """Start a stopped guest.  Idempotent when it already runs.

        :raises InstanceNotFound: no such guest.
        """

    @abc.abstractmethod
    def pause(self, instance):
        """Freeze the guest's CPUs in memory.  :raises InstanceNotFound:"""

    @abc.abstractmethod
    def unpause(self, instance):
        """Let a paused guest run again.  :raises InstanceNotFound:"""

    @abc.abstractmethod
    def suspend(self, instance):
        """Save the guest's memory to disk and stop it.  :raises InstanceNotFound:"""

    @abc.abstractmethod
    def resume(self, instance):
        """Restore a suspended guest.  :raises InstanceNotFound:"""

    @abc.abstractmethod
    def snapshot(self, instance):
        """The guest's root disk as it is now, for upload as an image.

        The data is consistent (a running guest is saved, or paused, while
        its disk is copied) and stands alone (no backing file).

        :returns: the path of a new file that the caller removes when done,
            or a binary file object positioned at the start, which the
            caller closes.
        :raises InstanceNotFound: no such guest.
        """

    @abc.abstractmethod
    def migrate_disk_and_power_off(self, instance, dest_host):
        """First step of a cold resize or migration, on the source host.

        Powers the guest off (gracefully, then hard) and sets its disks
        aside for ``dest_host``, which may be this host: the guest no longer
        exists as such here, but its disks are kept until
        ``confirm_migration`` or ``finish_revert_migration``.  Repeating
        the call once the disks are set aside returns the same answer.

        :returns: ``disk_info``, a JSON-able dict that ``finish_migration``
            on ``dest_host`` takes.
        :raises InstanceNotFound: no such guest.
        :raises DriverError: ``dest_host`` cannot receive the disks (for the
            libvirt driver: another host that does not share this host's
            instances path); the guest is left as it was, powered on or not.
        """

    @abc.abstractmethod
    def finish_migration(self, request, disk_info, power_on):
        """Last step of a cold resize or migration, on the destination host.

        Builds the guest of ``request`` (the new flavor is
        ``request.instance['flavor']``) from the disks ``disk_info``
        describes, grown to the new flavor, and starts it if ``power_on``.
        The disks set aside are copied, not consumed, so that a revert
        finds them unchanged.

        Postcondition: the guest exists, running if ``power_on``, else off.
        On failure nothing of the new guest is left (the disks set aside
        are untouched).

        :raises DriverError: the disks are not reachable from this host, or
            a disk would have to shrink.
        """

    @abc.abstractmethod
    def confirm_migration(self, instance):
        """Drop what ``migrate_disk_and_power_off`` set aside on this host.

        Idempotent: succeeds when there is nothing left to drop.
        """

    @abc.abstractmethod
    def finish_revert_migration(self, request, power_on):
        """Undo a resize or migration on the source host.

        Removes the resized guest from this host if it is here (a resize
        on one host), brings back the guest and disks set aside, with
        ``request``'s (old) flavor, and starts it if ``power_on``.  When
        the guest already stands restored, only its power is set.

        :raises DriverError: nothing was set aside for this instance here.
        """

    @abc.abstractmethod
    def attach_volume(self, instance, connection_info, serial, mountpoint=None):
        """Plug a volume into the guest, running or stopped; it stays across stop and start.

        :param connection_info: the volume service's Cinder-style
            ``{"driver_volume_type": …, "data": {…}}``.
        :param serial: the volume's id, the disk's serial in the guest.
        :param mountpoint: the device wanted (``/dev/vdc``), or ``None`` for
            the next free one.
        :returns: the device the guest sees (``/dev/vdc``); repeating the call
            answers the same.
        :raises InstanceNotFound: no such guest.
        :raises DriverError: a kind of volume this host cannot attach, or the
            device is taken.
        """

    @abc.abstractmethod
    def detach_volume(self, instance, serial):
        """Unplug the volume ``serial``; succeeds when it is not plugged in.

        :raises InstanceNotFound: no such guest.
        """

    @abc.abstractmethod
    def extend_volume(self, instance, serial):
        """Show the guest the new size of volume ``serial``, grown by the volume service.

        The size is the volume's own as this host reads it (its file), so
        that no other service need be asked.  A running guest is told at
        once (its disk is resized live); a stopped one needs nothing: it
        reads the size when it starts.

        :raises InstanceNotFound: no such guest.
        :raises DriverError: the volume is not plugged into the guest, or the
            hypervisor refused.
        """

    @abc.abstractmethod
    def get_console_output(self, instance):
        """The guest's console log so far, as text ("" when there is none).

        :raises InstanceNotFound: no such guest.
        """

    @abc.abstractmethod
    def get_info(self, instance_uuid):
        """The guest's power state (``compute.states`` numbering).

        :returns: ``NOSTATE`` when the host has no such guest.
        """

    @abc.abstractmethod
    def list_instances(self):
        """``{uuid: power_state}`` of every guest on this host."""

    @abc.abstractmethod
    def host_resources(self):
        """This host's ``HostResources``."""


def load_driver(name, conf, host):
    """The driver ``[agent] virt_driver = name`` for ``host``.

    :raises ValueError: unknown name, or a class that is not a ``VirtDriver``.
    """
    if name not in DRIVERS:
        raise ValueError(f'[agent] virt_driver = {name!r} is not available; this build '
                         f'has {sorted(DRIVERS)}.')
    module_name, _, class_name = DRIVERS[name].partition(':')
    cls = getattr(importlib.import_module(module_name), class_name)
    driver = cls(conf, host)
    if not isinstance(driver, VirtDriver):
        raise ValueError(f'[agent] virt_driver = {name!r} loads {cls!r}, which is not a '
                         f'VirtDriver.')
    return driver
