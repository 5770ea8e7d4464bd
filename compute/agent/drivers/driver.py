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

# The libvirt driver joins this table with issue #5 [compute-libvirt].
DRIVERS = {'fake': 'compute.agent.drivers.fake:FakeDriver'}


class DriverError(Exception):
    """An operation failed on the hypervisor; the message is shown as the server's fault."""


class InstanceNotFound(DriverError):
    """The hypervisor has no guest with this uuid."""

    def __init__(self, instance_uuid):
        super().__init__(f'Instance {instance_uuid} could not be found on this host.')


@dataclasses.dataclass
class SpawnRequest:
    """Everything a spawn needs (Nova's ``spawn()`` takes ten arguments; we take one).

    :ivar instance: the server (``InstancePayload``: uuid, name, flavor, …).
    :ivar image_meta: the Glance image the server boots from (``{}`` when it
        boots from a volume).
    :ivar network_info: the server's ports (``instances.network_info``).
    :ivar block_devices: its block device mappings (dicts of
        ``block_device_mapping_v2`` fields).
    """
    instance: dict
    image_meta: dict = dataclasses.field(default_factory=dict)
    network_info: list = dataclasses.field(default_factory=list)
    block_devices: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class HostResources:
    """What a host offers, as its agent reports it to the conductor."""
    vcpus: int
    memory_mb: int
    local_gb: int
    hypervisor_type: str
    hypervisor_version: int
    hypervisor_hostname: str
    host_ip: str
    cpu_arch: str

    def as_report(self):
        """The ``resources`` dict of ``ConductorAPI.report_state``."""
        report = dataclasses.asdict(self)
        report['capabilities'] = {'cpu_arch': report.pop('cpu_arch'),
                                  'hypervisor_type': self.hypervisor_type}
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

        :returns: a path or a binary file object positioned at the start;
            the caller closes a file object.
        :raises InstanceNotFound: no such guest.
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
