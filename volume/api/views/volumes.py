"""``volume`` bodies, shaped by the request's microversion as Cinder shapes them.

Tempest validates the 3.0 shape with closed schemas: nothing beyond what
Cinder returns at the requested version.  The ``os-vol-*`` attributes and
``volume_image_metadata`` are added to show and list bodies only (never to
create or update answers), each when policy lets the caller see it.
"""
import dataclasses

from common.wsgi.timestamps import microsecond_time
from volume.api import microversion


@dataclasses.dataclass
class Related:
    """What a volume's body shows besides its row, loaded in bulk by the API."""
    metadata: dict
    type_name: str | None
    attachments: list  # the VolumeAttachment rows that are attached
    image_metadata: dict


@dataclasses.dataclass(frozen=True)
class Audience:
    """What the caller may see, decided once per request by policy."""
    is_admin: bool = False  # migration_status, provider_id, cluster_name
    host_names: bool = False  # attachments' host_name (admins and services)
    tenant_attribute: bool = False
    host_attribute: bool = False
    mig_status_attribute: bool = False
    image_metadata: bool = False


def summary(volume, links):
    return {'id': volume.id, 'name': volume.name, 'links': links}


def _attachments(volume, related, audience):
    return [{'id': volume.id, 'attachment_id': a.id, 'volume_id': volume.id,
             'server_id': a.instance_uuid,
             'host_name': a.attached_host if audience.host_names else None,
             'device': a.mountpoint, 'attached_at': microsecond_time(a.attached_at)}
            for a in related.attachments]


def detail(volume, related, links, audience, extended=True):
    """The detailed body of ``volume``.

    :param extended: add the attributes Cinder's extensions add to show and
        list answers (``os-vol-*``, ``volume_image_metadata``).
    """
    body = {
        'id': volume.id,
        'status': volume.status,
        'size': volume.size,
        'availability_zone': volume.availability_zone,
        'created_at': microsecond_time(volume.created_at),
        'updated_at': microsecond_time(volume.updated_at),
        'name': volume.name,
        'description': volume.description,
        'volume_type': related.type_name,
        'snapshot_id': volume.snapshot_id,
        'source_volid': volume.source_volid,
        'metadata': related.metadata,
        'links': links,
        'user_id': volume.user_id,
        'bootable': str(bool(volume.bootable)).lower(),
        'encrypted': bool(volume.encrypted),
        'replication_status': None,
        'consistencygroup_id': None,
        'multiattach': bool(volume.multiattach),
        'attachments': _attachments(volume, related, audience),
    }
    if audience.is_admin:
        body['migration_status'] = volume.migration_status
    if microversion.at_least('3.13'):
        body['group_id'] = None
    if audience.is_admin and microversion.at_least('3.21'):
        body['provider_id'] = None
    if microversion.at_least('3.48'):
        # File volumes are reached through a path, not a shared target.
        body['shared_targets'] = False
        body['service_uuid'] = volume.service_uuid
    if audience.is_admin and microversion.at_least('3.61'):
        body['cluster_name'] = None
    if microversion.at_least('3.63'):
        body['volume_type_id'] = volume.volume_type_id
    if microversion.at_least('3.65'):
        body['consumes_quota'] = bool(volume.use_quota)
    if extended:
        _extend(body, volume, related, audience)
    return body


def _extend(body, volume, related, audience):
    if audience.tenant_attribute:
        body['os-vol-tenant-attr:tenant_id'] = volume.project_id
    if audience.host_attribute:
        body['os-vol-host-attr:host'] = volume.host
    if audience.mig_status_attribute:
        body['os-vol-mig-status-attr:migstat'] = volume.migration_status
        body['os-vol-mig-status-attr:name_id'] = None
    if audience.image_metadata and related.image_metadata:
        body['volume_image_metadata'] = related.image_metadata
