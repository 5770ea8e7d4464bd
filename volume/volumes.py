"""Volumes: who sees them, what a create asks for, and their metadata.

A create is checked here (its type, zone, source and size, then the
quotas under the project's locks) and stored with status ``creating`` in
the caller's transaction; the API casts ``create_volume`` once it has
committed.  A project sees its own volumes; cloud administrators see all.
"""
import sqlalchemy as sa

from common.db.types import utcnow
from volume import exceptions as vol_exc
from volume import quotas
from volume import snapshots
from volume import states
from volume import volume_types
from volume import zones
from volume.db import api as db_api
from volume.db import models as m

MAX_SIZE = 2 ** 31 - 1  # GiB: the largest the size columns hold


def visible(caller):
    """The SQL condition for the (not deleted) volumes ``caller`` may see."""
    return db_api.visible(m.Volume, caller)


def get(session, caller, volume_id):
    """:raises VolumeNotFound: no such volume, or one of a project ``caller`` is not in."""
    volume = session.execute(sa.select(m.Volume).where(
        m.Volume.id == volume_id, visible(caller))).scalar_one_or_none()
    if volume is None:
        raise vol_exc.VolumeNotFound(volume_id=volume_id)
    return volume


def get_snapshot(session, caller, snapshot_id):
    """:raises SnapshotNotFound: no such snapshot, or one of another project."""
    stmt = sa.select(m.Snapshot).where(m.Snapshot.id == snapshot_id,
                                       m.Snapshot.deleted_at.is_(None))
    if not caller.is_admin:
        stmt = stmt.where(m.Snapshot.project_id == caller.project_id)
    snapshot = session.execute(stmt).scalar_one_or_none()
    if snapshot is None:
        raise vol_exc.SnapshotNotFound(snapshot_id=snapshot_id)
    return snapshot


def backend_of(host):
    """``<host>@<backend>`` of a volume's ``<host>@<backend>#<pool>``, or ``None``."""
    return host.partition('#')[0] if host else None


def _sources(session, caller, attrs):
    """``(snapshot, its volume, source volume)`` a create names, checked usable."""
    snapshot = snapshot_volume = source = None
    if attrs.get('snapshot_id') is not None:
        snapshot = get_snapshot(session, caller, attrs['snapshot_id'])
        # Touched on its status (a lock until commit): a delete racing this create either
        # sees the new volume ``creating`` (``snapshots.begin_delete``) or makes it fail.
        if snapshot.status != states.SNAPSHOT_AVAILABLE or not snapshots.transition(
                session, snapshot.id, (states.SNAPSHOT_AVAILABLE,)):
            raise vol_exc.InvalidSnapshot(reason="Originating snapshot status must be one "
                                                 "of 'available' values")
        snapshot_volume = session.get(m.Volume, snapshot.volume_id)
    if attrs.get('source_volid') is not None:
        source = get(session, caller, attrs['source_volid'])
        if source.status not in states.CLONABLE:
            raise vol_exc.InvalidVolume(reason='Originating source volume status must be '
                                               "one of 'available, in-use' values")
    return snapshot, snapshot_volume, source


def checked_size(size):
    """A size in GiB given as an int or its decimal text, as an int (the column's range).

    :raises InvalidInput: (400) anything else.
    """
    size = int(size) if isinstance(size, str) and size.isdigit() else size
    if not isinstance(size, int) or isinstance(size, bool) or not 0 < size <= MAX_SIZE:
        raise vol_exc.InvalidInput(reason=f"Volume size '{size}' must be an integer and "
                                          f'greater than 0 (at most {MAX_SIZE})')
    return size


def _size(attrs, snapshot, source):
    size = attrs.get('size')
    if size is None:
        size = snapshot.volume_size if snapshot else source.size if source else None
    size = checked_size(size)
    if source is not None and size < source.size:
        raise vol_exc.InvalidInput(reason=f"Volume size '{size}'GB cannot be smaller than "
                                          f'original volume size  {source.size}GB. They '
                                          'must be >= original volume size.')
    if snapshot is not None and size < snapshot.volume_size:
        raise vol_exc.InvalidInput(reason=f"Volume size '{size}'GB cannot be smaller than "
                                          f'the snapshot size {snapshot.volume_size}GB. '
                                          'They must be >= original snapshot size.')
    return size


def _zone(session, conf, attrs, snapshot_volume, source):
    origin = source or snapshot_volume
    zone = attrs.get('availability_zone') or (origin.availability_zone if origin else None) \
        or conf.default_availability_zone
    if zone not in zones.allowed(session, conf):
        raise vol_exc.InvalidAvailabilityZone(az=zone)
    # Cinder's cloned_volume_same_az: a file backend copies within its own zone.
    if origin is not None and origin.availability_zone and origin.availability_zone != zone:
        kind = 'source volume' if source else 'snapshot'
        raise vol_exc.InvalidInput(reason=f'Volume must be in the same availability zone '
                                          f'as the {kind}')
    return zone


def _type(session, conf, caller, attrs, snapshot, source):
    if attrs.get('volume_type'):
        return volume_types.get_by_name_or_id(session, caller, attrs['volume_type'])
    inherited = (source.volume_type_id if source else
                 snapshot.volume_type_id if snapshot else None)
    if inherited is not None:
        found = session.get(m.VolumeType, inherited)
        if found is not None:
            return found
    return volume_types.default_for_create(session, conf)


def create(session, conf, caller, project_id, user_id, attrs):
    """Store a new volume (status ``creating``) after checking what it asks for.

    :param attrs: the request's ``name``, ``description``, ``size``,
        ``volume_type`` (name or id), ``availability_zone``, ``metadata``,
        ``snapshot_id``, ``source_volid`` and ``image_id`` (each optional).
    :returns: ``(volume, request_spec)``; the spec is the ``RequestSpec`` of
        ``volume.rpcapi``.
    :raises: 404 for a source or type that is not there, 400 for a source
        in the wrong state, a bad size or zone, 413 over a quota.
    """
    snapshot, snapshot_volume, source = _sources(session, caller, attrs)
    size = _size(attrs, snapshot, source)
    zone = _zone(session, conf, attrs, snapshot_volume, source)
    volume_type = _type(session, conf, caller, attrs, snapshot, source)
    specs = volume_types.extra_specs(session, [volume_type.id])[volume_type.id]
    engine = quotas.Quotas(conf)
    engine.check_volume_size(session, project_id, size)
    engine.enforce(session, project_id, quotas.volume_deltas(size, volume_type.name))
    origin = source or snapshot_volume
    volume = m.Volume(
        project_id=project_id, user_id=user_id, name=attrs.get('name'),
        description=attrs.get('description'), size=size, status=states.CREATING,
        attach_status=states.DETACHED, availability_zone=zone, volume_type_id=volume_type.id,
        multiattach=volume_types.is_multiattach(specs),
        bootable=bool(origin.bootable) if origin else False,
        snapshot_id=snapshot.id if snapshot else None,
        source_volid=source.id if source else None, image_id=attrs.get('image_id'))
    session.add(volume)
    session.flush()
    for key, value in (attrs.get('metadata') or {}).items():
        session.add(m.VolumeMetadata(volume_id=volume.id, key=key, value=value))
    session.flush()
    spec = {'volume_id': volume.id, 'project_id': project_id, 'size': size,
            'availability_zone': zone,
            'volume_type': {'id': volume_type.id, 'name': volume_type.name,
                            'extra_specs': specs},
            'multiattach': volume.multiattach, 'snapshot_id': volume.snapshot_id,
            'source_volid': volume.source_volid, 'image_id': volume.image_id,
            'backend_host': backend_of(origin.host) if origin else None}
    return volume, spec


def check_not_in_maintenance(volume):
    if volume.status == states.MAINTENANCE:
        raise vol_exc.InvalidVolume(reason='The volume cannot be updated during maintenance.')


def update(session, volume, attrs):
    """Change ``name``, ``description`` and (replacing it) ``metadata``."""
    check_not_in_maintenance(volume)
    for key in ('name', 'description'):
        if key in attrs:
            setattr(volume, key, attrs[key])
    if 'metadata' in attrs:
        replace_metadata(session, volume, attrs['metadata'] or {})
    volume.updated_at = utcnow()
    session.flush()
    return volume


def user_metadata(session, volume_id):
    """What the user set (without the visible admin metadata)."""
    return db_api.key_values(session, m.VolumeMetadata, m.VolumeMetadata.volume_id,
                             [volume_id])[volume_id]


def replace_metadata(session, volume, wanted):
    """Make the volume's user metadata exactly ``wanted``; returns it."""
    check_not_in_maintenance(volume)
    db_api.replace_key_values(session, m.VolumeMetadata, m.VolumeMetadata.volume_id,
                              volume.id, wanted)
    volume.updated_at = utcnow()
    return dict(sorted(wanted.items()))


def delete_metadata_key(session, volume, key):
    """:raises VolumeMetadataNotFound: the volume has no such key."""
    current = user_metadata(session, volume.id)
    if key not in current:
        raise vol_exc.VolumeMetadataNotFound(volume_id=volume.id, metadata_key=key)
    del current[key]
    replace_metadata(session, volume, current)


def notification(volume):
    """The payload of ``volume.*`` notifications (Cinder's usage fields)."""
    return {'volume_id': volume.id, 'tenant_id': volume.project_id,
            'user_id': volume.user_id, 'display_name': volume.name, 'size': volume.size,
            'status': volume.status, 'availability_zone': volume.availability_zone,
            'volume_type': volume.volume_type_id, 'host': volume.host,
            'created_at': volume.created_at.isoformat() if volume.created_at else None}
