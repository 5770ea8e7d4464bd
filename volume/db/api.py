"""Queries of the volume database: store and fetch, no rules."""
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common.db.session import is_duplicate_entry
from common.db.types import utcnow
from volume import exceptions as vol_exc
from volume import states
from volume.db import models as m

# Admin metadata keys shown in a volume's ``metadata`` (Cinder's visible admin metadata).
VISIBLE_ADMIN_METADATA = ('readonly', 'attached_mode')


def transition(session, volume_id, expected, *, where=(), **values):
    """Change a volume only if its status is one of ``expected``, atomically.

    :param expected: the statuses it may be in (``None``: any).
    :param where: further conditions (``models.Volume.attach_status != 'attached'``).
    :param values: the columns to set (``status=…``, ``previous_status=…`` …).
    :returns: True when this call made the change; False when the volume
        was not in an expected state (another request won) or is deleted.
    """
    return transition_row(session, m.Volume, volume_id, expected, where=where, **values)


def transition_row(session, model, row_id, expected, *, where=(), **values):
    """Change a live row of ``model`` (volume, snapshot, backup) only if its status
    is one of ``expected`` (``None``: any), in one conditional UPDATE.

    The status check and the change are a single statement so that, of two
    racing requests or a late report, only one wins; the loser sees False.

    :param where: further conditions on the row.
    :returns: whether this call made the change.
    """
    stmt = (sa.update(model)
            .where(model.id == row_id, model.deleted_at.is_(None), *where)
            .values(updated_at=utcnow(), **values)
            .execution_options(synchronize_session=False))
    if expected is not None:
        stmt = stmt.where(model.status.in_(list(expected)))
    changed = session.execute(stmt).rowcount == 1
    if changed:
        session.expire_all()
    return changed


def visible(model, caller):
    """The SQL condition for the live rows of ``model`` that ``caller`` may see:
    all of them for an admin, else those of the caller's project."""
    live = model.deleted_at.is_(None)
    if caller.is_admin:
        return live
    return sa.and_(live, model.project_id == caller.project_id)


def key_values(session, model, owner_column, owner_ids):
    """``{owner id: {key: value}}`` of a metadata table, keys sorted, for ``owner_ids``."""
    result = {owner_id: {} for owner_id in owner_ids}
    if owner_ids:
        rows = session.execute(sa.select(owner_column, model.key, model.value)
                               .where(owner_column.in_(list(owner_ids)))
                               .order_by(owner_column, model.key))
        for owner_id, key, value in rows:
            result[owner_id][key] = value
    return result


def replace_key_values(session, model, owner_column, owner_id, wanted):
    """Make the metadata of ``owner_id`` in ``model`` exactly ``wanted``.

    :raises ConcurrentUpdate: (409) another request added one of these keys meanwhile.
    """
    try:
        with session.begin_nested():
            _replace_key_values(session, model, owner_column, owner_id, wanted)
    except sa_exc.IntegrityError as exc:
        if is_duplicate_entry(exc):
            raise vol_exc.ConcurrentUpdate(what='metadata') from None
        raise


def _replace_key_values(session, model, owner_column, owner_id, wanted):
    current = key_values(session, model, owner_column, [owner_id])[owner_id]
    gone = [key for key in current if key not in wanted]
    if gone:
        session.execute(sa.delete(model).where(owner_column == owner_id, model.key.in_(gone)))
    for key, value in wanted.items():
        if key not in current:
            session.add(model(**{owner_column.key: owner_id, 'key': key, 'value': value}))
        elif current[key] != value:
            session.execute(sa.update(model).where(owner_column == owner_id, model.key == key)
                            .values(value=value))
    session.flush()


def volume_metadata(session, volume_ids):
    """``{volume id: metadata}`` as the API shows it: the user's, and the visible
    admin metadata (``readonly``, ``attached_mode``) over it."""
    user = key_values(session, m.VolumeMetadata, m.VolumeMetadata.volume_id, volume_ids)
    admin = key_values(session, m.VolumeAdminMetadata, m.VolumeAdminMetadata.volume_id,
                       volume_ids)
    for volume_id, items in admin.items():
        user[volume_id].update({k: v for k, v in items.items() if k in VISIBLE_ADMIN_METADATA})
    return user


def glance_metadata(session, volume_ids):
    """``{volume id: {image property: value}}`` of volumes made from images."""
    result = {volume_id: {} for volume_id in volume_ids}
    if volume_ids:
        rows = session.execute(
            sa.select(m.VolumeGlanceMetadata.volume_id, m.VolumeGlanceMetadata.key,
                      m.VolumeGlanceMetadata.value)
            .where(m.VolumeGlanceMetadata.volume_id.in_(list(volume_ids)))
            .order_by(m.VolumeGlanceMetadata.key))
        for volume_id, key, value in rows:
            result[volume_id][key] = value
    return result


def attached(session, volume_ids):
    """``{volume id: [VolumeAttachment]}`` of the attachments that are attached."""
    result = {volume_id: [] for volume_id in volume_ids}
    if volume_ids:
        rows = session.execute(sa.select(m.VolumeAttachment).where(
            m.VolumeAttachment.volume_id.in_(list(volume_ids)),
            m.VolumeAttachment.deleted_at.is_(None),
            m.VolumeAttachment.attach_status == states.ATTACHMENT_ATTACHED)
            .order_by(m.VolumeAttachment.attached_at, m.VolumeAttachment.id)).scalars()
        for attachment in rows:
            result[attachment.volume_id].append(attachment)
    return result


def live_attachments(session, volume_id):
    """The attachments of ``volume_id`` that are not detached (reservations included)."""
    return list(session.execute(sa.select(m.VolumeAttachment).where(
        m.VolumeAttachment.volume_id == volume_id, m.VolumeAttachment.deleted_at.is_(None),
        m.VolumeAttachment.attach_status != states.ATTACHMENT_DETACHED)).scalars())


def detach_all(session, volume_id):
    """Mark every attachment of ``volume_id`` detached (os-reset_status to detached)."""
    now = utcnow()
    session.execute(sa.update(m.VolumeAttachment).where(
        m.VolumeAttachment.volume_id == volume_id, m.VolumeAttachment.deleted_at.is_(None),
        m.VolumeAttachment.attach_status != states.ATTACHMENT_DETACHED)
        .values(attach_status=states.ATTACHMENT_DETACHED, detached_at=now, deleted_at=now,
                updated_at=now).execution_options(synchronize_session=False))
    session.execute(sa.delete(m.VolumeAdminMetadata).where(
        m.VolumeAdminMetadata.volume_id == volume_id,
        m.VolumeAdminMetadata.key == 'attached_mode'))


def live_snapshots(session, volume_id):
    """The snapshots of ``volume_id`` that are not deleted."""
    return list(session.execute(sa.select(m.Snapshot).where(
        m.Snapshot.volume_id == volume_id, m.Snapshot.deleted_at.is_(None))
        .order_by(m.Snapshot.created_at, m.Snapshot.id)).scalars())


def type_names(session, type_ids):
    """``{type id: name}`` of the existing types among ``type_ids``."""
    ids = [t for t in set(type_ids) if t]
    if not ids:
        return {}
    return dict(session.execute(sa.select(m.VolumeType.id, m.VolumeType.name)
                                .where(m.VolumeType.id.in_(ids))).all())


def count_live_volumes_of_type(session, type_id):
    return session.execute(sa.select(sa.func.count()).select_from(m.Volume).where(
        m.Volume.volume_type_id == type_id, m.Volume.deleted_at.is_(None))).scalar_one()
