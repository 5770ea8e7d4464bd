"""Plain dicts made from server rows: what agents and notifications receive.

Rows never cross the bus (ARCHITECTURE §3); these builders are the one
place that decides what an agent knows of a server
(``compute.rpcapi.InstancePayload``) and what a notification says.
"""
import json

import sqlalchemy as sa

from compute.db import models as m


def flavor_columns(flavor):
    """The ``instances`` columns that copy a flavor's sizes."""
    return {'vcpus': int(flavor['vcpus']), 'memory_mb': int(flavor['ram']),
            'root_gb': int(flavor['disk']), 'ephemeral_gb': int(flavor.get('ephemeral') or 0)}


def instance(session, row, flavor=None):
    """The ``InstancePayload`` of ``row``, with ``flavor`` instead of its own if given."""
    flavor = flavor if flavor is not None else json.loads(row.flavor)
    metadata = dict(session.execute(
        sa.select(m.InstanceMetadata.key, m.InstanceMetadata.value)
        .where(m.InstanceMetadata.instance_uuid == row.uuid)).all())
    return {'uuid': row.uuid, 'name': row.display_name, 'hostname': row.hostname,
            'project_id': row.project_id, 'user_id': row.user_id, 'image_ref': row.image_ref,
            'flavor': flavor, **flavor_columns(flavor), 'key_name': row.key_name,
            'key_data': row.key_data, 'user_data': row.user_data, 'metadata': metadata,
            'config_drive': bool(row.config_drive),
            'availability_zone': row.availability_zone, 'launch_index': row.launch_index,
            'reservation_id': row.reservation_id, 'created_at': _iso(row.created_at)}


def resources(flavor):
    """What a server of ``flavor`` claims on a host (the scheduler's ``resources``)."""
    res = flavor_columns(flavor)
    swap_gb = -(-int(flavor.get('swap') or 0) // 1024)
    return {'vcpus': res['vcpus'], 'memory_mb': res['memory_mb'],
            'disk_gb': res['root_gb'] + res['ephemeral_gb'] + swap_gb}


def block_devices(session, instance_uuid):
    """The server's block device mappings as ``block_device_mapping_v2`` dicts, with the
    ``connection_info`` of the volumes connected to its host (``None`` for the others)."""
    rows = session.execute(sa.select(m.BlockDeviceMapping).where(
        m.BlockDeviceMapping.instance_uuid == instance_uuid)
        .order_by(m.BlockDeviceMapping.id)).scalars()
    fields = ('boot_index', 'source_type', 'destination_type', 'device_name', 'device_type',
              'disk_bus', 'guest_format', 'image_id', 'volume_id', 'snapshot_id',
              'volume_size', 'delete_on_termination', 'tag')
    return [{**{f: getattr(row, f) for f in fields},
             'connection_info': json.loads(row.connection_info) if row.connection_info
             else None} for row in rows]


def _iso(value):
    return value.isoformat() if value is not None else None


def notification(row):
    """The payload of a ``compute.instance.*`` notification, as Nova's legacy ones."""
    flavor = json.loads(row.flavor)
    return {'instance_id': row.uuid, 'display_name': row.display_name,
            'tenant_id': row.project_id, 'user_id': row.user_id, 'host': row.host,
            'node': row.node, 'state': row.vm_state, 'state_description': row.task_state or '',
            'power_state': row.power_state, 'image_ref': row.image_ref,
            'instance_type': flavor.get('name'), 'instance_type_id': flavor.get('id'),
            'memory_mb': row.memory_mb, 'vcpus': row.vcpus, 'root_gb': row.root_gb,
            'ephemeral_gb': row.ephemeral_gb, 'availability_zone': row.availability_zone,
            'created_at': _iso(row.created_at), 'launched_at': _iso(row.launched_at),
            'terminated_at': _iso(row.terminated_at), 'deleted_at': _iso(row.deleted_at)}
