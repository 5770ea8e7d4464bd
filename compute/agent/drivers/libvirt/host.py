"""The libvirt connection of one agent host, and the domains on it that are ours.

One connection per driver, opened on first use and re-opened when libvirt
restarted.  A domain is ours when it carries the ``stratus:instance``
metadata element (``guest_config.NS``) and is named ``<prefix><its uuid>``
with this deployment's ``[libvirt] domain_name_prefix``: other guests of
the host, including another Stratus deployment's (or test run's) sharing
the hypervisor with another prefix, are never listed nor touched.
"""
import contextlib
import logging
import threading

import libvirt

from compute.agent.drivers.driver import DriverError
from compute.agent.drivers.libvirt import guest_config

LOG = logging.getLogger(__name__)


@contextlib.contextmanager
def libvirt_errors(what):
    """Turn a ``libvirtError`` raised in the block into a ``DriverError`` about ``what``."""
    try:
        yield
    except libvirt.libvirtError as exc:
        raise DriverError(f'{what} failed: {exc.get_error_message()}') from exc


def _ignore_libvirt_error(_ctx, _error):
    """libvirt's default handler prints every error to stderr, even those we expect."""


class Host:
    """The hypervisor at ``uri``; our domains are named ``<name_prefix><uuid>``."""

    def __init__(self, uri, name_prefix):
        self.uri = uri
        self.name_prefix = name_prefix
        self._conn = None
        self._conn_lock = threading.Lock()
        libvirt.registerErrorHandler(_ignore_libvirt_error, None)

    def connection(self):
        """The open ``virConnect``.  :raises DriverError: libvirt does not answer."""
        with self._conn_lock:
            if self._conn is None or not self._alive(self._conn):
                with libvirt_errors(f'Connecting to libvirt at {self.uri}'):
                    self._conn = libvirt.open(self.uri)
            return self._conn

    @staticmethod
    def _alive(conn):
        try:
            return conn.isAlive() == 1
        except libvirt.libvirtError:
            return False

    def lookup(self, instance_uuid):
        """Our domain of ``instance_uuid``, or ``None``."""
        conn = self.connection()
        try:
            domain = conn.lookupByUUIDString(instance_uuid)
        except libvirt.libvirtError as exc:
            if exc.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN:
                return None
            raise DriverError(f'Looking up instance {instance_uuid} failed: '
                              f'{exc.get_error_message()}') from exc
        return domain if self._is_ours(domain) else None

    def _is_ours(self, domain):
        """Whether ``domain`` is a guest of this deployment (see the module's docstring)."""
        return (domain.name() == self.name_prefix + domain.UUIDString() and
                self.record(domain) is not None)

    @staticmethod
    def record(domain):
        """The ``guest_config.DomainRecord`` of ``domain``, or ``None`` if not ours."""
        try:
            xml = domain.metadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT, guest_config.NS)
        except libvirt.libvirtError as exc:
            if exc.get_error_code() in (libvirt.VIR_ERR_NO_DOMAIN_METADATA,
                                        libvirt.VIR_ERR_NO_DOMAIN):
                return None
            raise
        return guest_config.parse_metadata(xml)

    def our_domains(self):
        """``{instance uuid: virDomain}`` of every domain of ours, running or not."""
        with libvirt_errors('Listing the guests'):
            domains = self.connection().listAllDomains()
        ours = {}
        for domain in domains:
            try:
                if self._is_ours(domain):
                    ours[domain.UUIDString()] = domain
            except libvirt.libvirtError:
                continue  # undefined meanwhile
        return ours

    def define(self, xml):
        """Define (or redefine) a persistent domain; the ``virDomain``."""
        with libvirt_errors('Defining the guest'):
            return self.connection().defineXML(xml)

    def node_info(self):
        """``(cpu architecture, memory MiB, logical CPUs)`` of the host.

        The memory is the node's total as ``getMemoryStats`` reads it (the
        kernel's MemTotal): ``getInfo()``, which Nova uses, reports less on
        some hosts (the memory of the first NUMA cells only).
        """
        with libvirt_errors('Reading the host'):
            conn = self.connection()
            model, _memory_mb, cpus = conn.getInfo()[:3]
            total_kib = conn.getMemoryStats(libvirt.VIR_NODE_MEMORY_STATS_ALL_CELLS)['total']
        return model, total_kib // 1024, cpus

    def hypervisor_version(self):
        """QEMU's version as Nova reports it (7.2.22 -> 7002022)."""
        with libvirt_errors('Reading the hypervisor version'):
            return self.connection().getVersion()
