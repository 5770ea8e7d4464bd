"""Servers as Nova shows them, in the shape of the request's microversion.

``render_detail`` and ``render_list`` are what every handler that answers
with servers uses (``servers``, ``server_actions``): they read what hangs
off the servers (metadata, tags, faults, volumes, host states) in one query
per kind, so a page of a thousand servers costs a handful of queries.

Tempest validates 2.1 bodies with closed schemas, so a key a version does
not define is left out, not set to null.
"""
import hashlib
import json

import flask
import sqlalchemy as sa

from common.db import service_records
from common.wsgi.timestamps import microsecond_time
from compute import service_names
from compute import states
from compute.api import microversion
from compute.api import support
from compute.api.views.timestamps import iso_z
from compute.db import api as db_api
from compute.db import models as m

# Nova shows ``progress`` only in these statuses.
_PROGRESS_STATUSES = frozenset(('ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE',
                                'MIGRATING'))
_FAULT_STATUSES = frozenset(('ERROR', 'DELETED'))


def host_id(instance):
    """Nova's ``hostId``: the same host looks the same within a project only."""
    if not instance.host:
        return ''
    return hashlib.sha224((instance.project_id + instance.host).encode('utf-8')).hexdigest()


def addresses(instance):
    """``{network name: [{version, addr, OS-EXT-IPS:type, OS-EXT-IPS-MAC:mac_addr}]}``.

    ``instances.network_info`` holds one entry per port:
    ``{port_id, network_id, network_name, mac, ips: [{addr, version, type}]}``
    where ``type`` is ``fixed`` or ``floating``.
    """
    result = {}
    for port in json.loads(instance.network_info or '[]'):
        entries = result.setdefault(port.get('network_name') or port.get('network_id'), [])
        for ip in port.get('ips', []):
            entries.append({'version': ip.get('version', 4), 'addr': ip['addr'],
                            'OS-EXT-IPS:type': ip.get('type', 'fixed'),
                            'OS-EXT-IPS-MAC:mac_addr': port.get('mac')})
    return result


def render_summary(instance):
    """An entry of ``GET /servers``: id, links and name."""
    return {'id': instance.uuid, 'links': support.link(f'servers/{instance.uuid}'),
            'name': instance.display_name}


def render_detail(session, instance):
    """The body of ``GET /servers/{id}`` (without the ``server`` wrapper)."""
    return render_list(session, [instance])[0]


# What Nova leaves out of the server in answers to update and rebuild (below 2.75).
_NOT_AFTER_CHANGE = ('OS-EXT-AZ:availability_zone', 'config_drive', 'host_status',
                     'security_groups', 'os-extended-volumes:volumes_attached')
_NOT_AFTER_CHANGE_PREFIXES = ('OS-EXT-SRV-ATTR:', 'OS-SRV-USG:', 'OS-EXT-STS:')


def render_after_change(session, instance, *, with_key_name=False):
    """The server as Nova answers ``PUT /servers/{id}`` and rebuild below 2.75.

    Those answers lack the extension attributes (zone, states, usage,
    volumes, host attributes …) and the addresses' type and MAC; only a
    rebuild from 2.54 shows ``key_name`` (``with_key_name``).
    """
    body = render_detail(session, instance)
    for key in list(body):
        if key in _NOT_AFTER_CHANGE or key.startswith(_NOT_AFTER_CHANGE_PREFIXES):
            del body[key]
    if not with_key_name:
        del body['key_name']
    body['addresses'] = basic_addresses(instance)
    return body


def basic_addresses(instance):
    """``{network name: [{version, addr}]}`` (``/ips`` and answers to changes)."""
    return {name: [{'version': ip['version'], 'addr': ip['addr']} for ip in ips]
            for name, ips in addresses(instance).items()}


def render_list(session, instances):
    """The detailed view of each of ``instances`` (``GET /servers/detail``)."""
    related = _Related(session, instances)
    return [_detail(instance, related) for instance in instances]


class _Related:
    """What the views of a page of servers need besides the rows, read in bulk."""

    def __init__(self, session, instances):
        uuids = [i.uuid for i in instances]
        self.metadata = _grouped(session, m.InstanceMetadata, uuids,
                                 lambda r: (r.key, r.value), order=m.InstanceMetadata.key)
        self.tags = _grouped(session, m.InstanceTag, uuids, lambda r: r.tag,
                             order=m.InstanceTag.tag)
        self.volumes = _grouped(session, m.BlockDeviceMapping, uuids, lambda r: r,
                                order=m.BlockDeviceMapping.id,
                                where=[m.BlockDeviceMapping.destination_type == 'volume',
                                       m.BlockDeviceMapping.volume_id.is_not(None)])
        failed = [i.uuid for i in instances
                  if states.status(i.vm_state, i.task_state) in _FAULT_STATUSES]
        self.faults = db_api.latest_faults(session, failed)
        self.admin_view = support.allowed('os-extended-server-attributes')
        self.show_host_status = (microversion.at_least('2.16')
                                 and support.allowed('servers:show:host_status'))
        self.host_states = {}
        if self.show_host_status:
            self.host_states = _host_states(session, {i.host for i in instances if i.host})


def _grouped(session, model, uuids, value, *, order, where=()):
    grouped = {uuid: [] for uuid in uuids}
    if uuids:
        stmt = sa.select(model).where(model.instance_uuid.in_(uuids), *where).order_by(order)
        for row in session.execute(stmt).scalars():
            grouped[row.instance_uuid].append(value(row))
    return grouped


def _host_states(session, hosts):
    """``{host: UP|DOWN|MAINTENANCE|UNKNOWN}`` as Nova's ``host_status`` says it."""
    conf = flask.current_app.conf
    records = {}
    if hosts:
        stmt = sa.select(m.Service).where(m.Service.host.in_(list(hosts)),
                                          m.Service.binary == service_names.AGENT_BINARY)
        records = {r.host: r for r in session.execute(stmt).scalars()}
    result = {}
    for host in hosts:
        record = records.get(host)
        if record is None:
            result[host] = 'UNKNOWN'
        elif record.forced_down:
            result[host] = 'DOWN'
        elif record.disabled:
            result[host] = 'MAINTENANCE'
        elif service_records.is_up(record, conf.report_interval, conf.service_down_time):
            result[host] = 'UP'
        else:
            result[host] = 'UNKNOWN'
    return result


def _image(instance):
    if not instance.image_ref:
        return ''  # booted from a volume
    return {'id': instance.image_ref,
            'links': [{'rel': 'bookmark',
                       'href': f'{support.base_url()}/images/{instance.image_ref}'}]}


def _flavor(instance):
    flavor = json.loads(instance.flavor)
    if not microversion.at_least('2.47'):
        return {'id': flavor['id'],
                'links': [{'rel': 'bookmark',
                           'href': f"{support.base_url()}/flavors/{flavor['id']}"}]}
    return {'vcpus': flavor['vcpus'], 'ram': flavor['ram'], 'disk': flavor['disk'],
            'ephemeral': flavor.get('ephemeral', 0), 'swap': flavor.get('swap', 0),
            'original_name': flavor['name'], 'extra_specs': flavor.get('extra_specs', {})}


def _fault(fault, admin_view):
    body = {'code': fault.code, 'created': iso_z(fault.created_at), 'message': fault.message}
    # Nova hides the details (a trace) of internal errors from non-admins.
    if fault.details and (admin_view or fault.code != 500):
        body['details'] = fault.details
    return body


def _security_groups(instance):
    names = []
    for group in json.loads(instance.security_groups or '[]'):
        name = group['name'] if isinstance(group, dict) else group
        if name not in names:
            names.append(name)
    return [{'name': name} for name in names]


def _detail(instance, related):
    status = states.status(instance.vm_state, instance.task_state)
    body = {
        'id': instance.uuid, 'name': instance.display_name, 'status': status,
        'tenant_id': instance.project_id, 'user_id': instance.user_id,
        'metadata': dict(related.metadata[instance.uuid]),
        'hostId': host_id(instance), 'image': _image(instance), 'flavor': _flavor(instance),
        'created': iso_z(instance.created_at), 'updated': iso_z(instance.updated_at),
        'addresses': addresses(instance),
        'accessIPv4': instance.access_ip_v4 or '', 'accessIPv6': instance.access_ip_v6 or '',
        'links': support.link(f'servers/{instance.uuid}'),
        'key_name': instance.key_name, 'config_drive': instance.config_drive or '',
        'OS-DCF:diskConfig': 'AUTO' if instance.auto_disk_config else 'MANUAL',
        'OS-EXT-AZ:availability_zone': instance.availability_zone or '',
        'OS-EXT-STS:vm_state': instance.vm_state, 'OS-EXT-STS:task_state': instance.task_state,
        'OS-EXT-STS:power_state': instance.power_state,
        'OS-SRV-USG:launched_at': microsecond_time(instance.launched_at),
        'OS-SRV-USG:terminated_at': microsecond_time(instance.terminated_at),
        'os-extended-volumes:volumes_attached': _volumes(related.volumes[instance.uuid]),
    }
    if status in _PROGRESS_STATUSES:
        body['progress'] = instance.progress or 0
    groups = _security_groups(instance)
    if groups:
        body['security_groups'] = groups
    if instance.uuid in related.faults:
        body['fault'] = _fault(related.faults[instance.uuid], related.admin_view)
    if related.admin_view:
        body.update(_extended_attributes(instance))
    if microversion.at_least('2.9'):
        body['locked'] = bool(instance.locked)
    if related.show_host_status:
        body['host_status'] = related.host_states.get(instance.host, '')
    if microversion.at_least('2.19'):
        body['description'] = instance.description
    if microversion.at_least('2.26'):
        body['tags'] = list(related.tags[instance.uuid])
    return body


def _volumes(bdms):
    with_flag = microversion.at_least('2.3')
    volumes = []
    for bdm in bdms:
        volume = {'id': bdm.volume_id}
        if with_flag:
            volume['delete_on_termination'] = bool(bdm.delete_on_termination)
        volumes.append(volume)
    return volumes


def _extended_attributes(instance):
    body = {'OS-EXT-SRV-ATTR:host': instance.host,
            'OS-EXT-SRV-ATTR:hypervisor_hostname': instance.node,
            'OS-EXT-SRV-ATTR:instance_name': 'instance-%08x' % instance.id}
    if microversion.at_least('2.3'):
        body.update({
            'OS-EXT-SRV-ATTR:reservation_id': instance.reservation_id,
            'OS-EXT-SRV-ATTR:launch_index': instance.launch_index,
            'OS-EXT-SRV-ATTR:hostname': instance.hostname,
            'OS-EXT-SRV-ATTR:kernel_id': '', 'OS-EXT-SRV-ATTR:ramdisk_id': '',
            'OS-EXT-SRV-ATTR:root_device_name': instance.root_device_name,
            'OS-EXT-SRV-ATTR:user_data': instance.user_data})
    return body
