"""``hypervisor`` bodies (Nova's ``_view_hypervisor`` before 2.88).

A hypervisor is a compute node; its ``state`` and ``status`` are those of
the agent service of its host.  ``running_vms`` and ``current_workload``
are counted from the servers on the host (``HostLoad``) rather than kept
in the node row, so they are right whatever last wrote the row.
"""
import dataclasses
import json

from compute.api import microversion
from compute.api.views import services as service_views

DETAIL_FIELDS = ('vcpus', 'memory_mb', 'local_gb', 'vcpus_used', 'memory_mb_used',
                 'local_gb_used')


@dataclasses.dataclass(frozen=True)
class HostLoad:
    """Servers on a host: how many, and how many have a task running."""
    running_vms: int = 0
    current_workload: int = 0


def cpu_info(node):
    """The CPU description the agent reported (``capabilities``), as a dict.

    Agents report it under ``cpu_info``; one that reports only ``cpu_arch``
    is shown as ``{"arch": …}``, as Nova's drivers name it.
    """
    try:
        capabilities = json.loads(node.capabilities or '{}')
    except ValueError:
        return {}
    if isinstance(capabilities.get('cpu_info'), dict):
        return capabilities['cpu_info']
    return {'arch': capabilities['cpu_arch']} if capabilities.get('cpu_arch') else {}


def render(node, service, conf, *, detail, load=HostLoad(), servers=None):
    """One hypervisor; ``servers`` (``[(name, uuid)]``) is shown when not empty."""
    uuid_ids = microversion.at_least('2.53')
    body = {'id': node.uuid if uuid_ids else node.id,
            'hypervisor_hostname': node.hypervisor_hostname,
            'state': service_views.state(service, conf),
            'status': service_views.status(service)}
    if detail:
        body.update({field: getattr(node, field) for field in DETAIL_FIELDS})
        free_disk = node.local_gb - node.local_gb_used
        info = cpu_info(node)
        body.update({
            'free_ram_mb': node.memory_mb - node.memory_mb_used,
            'free_disk_gb': free_disk, 'disk_available_least': free_disk,
            'current_workload': load.current_workload, 'running_vms': load.running_vms,
            'hypervisor_type': node.hypervisor_type,
            'hypervisor_version': node.hypervisor_version, 'host_ip': node.host_ip,
            # A JSON string before 2.28, an object from 2.28 on.
            'cpu_info': info if microversion.at_least('2.28') else json.dumps(info),
            'service': {'id': service.uuid if uuid_ids else service.id, 'host': node.host,
                        'disabled_reason': service.disabled_reason}})
    if servers:
        body['servers'] = [{'name': name, 'uuid': uuid} for name, uuid in servers]
    return body


STATISTICS_FIELDS = ('count', 'vcpus', 'memory_mb', 'local_gb', 'vcpus_used',
                     'memory_mb_used', 'local_gb_used', 'free_ram_mb', 'free_disk_gb',
                     'current_workload', 'running_vms', 'disk_available_least')


def statistics(nodes, loads):
    """Sums over ``nodes`` (``loads``: ``{host: HostLoad}``), as Nova's statistics."""
    totals = dict.fromkeys(STATISTICS_FIELDS, 0)
    for node in nodes:
        load = loads.get(node.host, HostLoad())
        free_disk = node.local_gb - node.local_gb_used
        for field in DETAIL_FIELDS:
            totals[field] += getattr(node, field)
        totals['count'] += 1
        totals['free_ram_mb'] += node.memory_mb - node.memory_mb_used
        totals['free_disk_gb'] += free_disk
        totals['disk_available_least'] += free_disk
        totals['current_workload'] += load.current_workload
        totals['running_vms'] += load.running_vms
    return totals
