"""The volumes of a server being built: made, reserved and connected before the spawn,
completed once the guest runs, given back when the build fails on a host.

For each block device with ``destination_type`` ``volume`` (Nova's
``DriverVolumeBlockDevice`` family):

* ``source_type`` ``image``, ``snapshot`` or ``blank`` without a volume
  yet: the volume service makes one (from the image or the snapshot, of
  ``volume_size`` GiB) as the user,
  and the build waits until it is ``available``; its id is recorded at
  once, so that a retry on another host or the server's delete finds it;
* every volume is reserved for the server (an attachment), connected to
  the chosen host (its connector), and its ``connection_info`` goes to the
  agent in the spawn's ``block_devices`` and is kept in the mapping (a
  rebuild or a resize builds the guest again with it);
* when the agent reports the guest up, each attachment is completed (the
  volume is ``in-use``).

A build that fails on a host deletes the attachments (a new host needs
its own); the volumes stay, recorded in the mappings, for the next host or
for the server's delete, which deletes those with ``delete_on_termination``.
A delete that comes while the volumes are prepared may read the mappings
before they record a volume or an attachment: the build then gives those
back itself (``give_back``) instead of spawning.
"""
import json
import logging

import sqlalchemy as sa

from compute import states
from compute import volumes
from compute.db import api as db_api
from compute.db import models as m

LOG = logging.getLogger(__name__)
# Seconds a build waits for a volume it asked for to become available (an
# image copy); Nova's ``block_device_allocate_retries`` × interval is 180 s.
VOLUME_CREATE_WAIT = 180.0
ROOT_DEVICE = '/dev/vda'


def _volume_rows(session, instance_uuid):
    return session.execute(sa.select(m.BlockDeviceMapping).where(
        m.BlockDeviceMapping.instance_uuid == instance_uuid,
        m.BlockDeviceMapping.destination_type == 'volume')
        .order_by(m.BlockDeviceMapping.id)).scalars().all()


def _record(deps, bdm_id, **values):
    with deps.db.writer() as session:
        session.execute(sa.update(m.BlockDeviceMapping)
                        .where(m.BlockDeviceMapping.id == bdm_id).values(**values)
                        .execution_options(synchronize_session=False))


def _ensure_volume(deps, ctx, row, device):
    """The id of ``row``'s volume, made (and awaited) if the mapping asks for a new one;
    a volume made is in ``device`` at once (``give_back`` finds it there).

    :param row: ``(id, source_type, volume_id, image_id, snapshot_id, volume_size)``
        of a mapping.
    """
    bdm_id, source_type, volume_id, image_id, snapshot_id, size = row
    if volume_id:
        return volume_id
    volume_id = deps.volumes.create(
        ctx, size, name='', image_id=image_id if source_type == 'image' else None,
        snapshot_id=snapshot_id if source_type == 'snapshot' else None)
    device['volume_id'] = volume_id
    _record(deps, bdm_id, volume_id=volume_id)
    deps.volumes.wait_available(ctx, volume_id, VOLUME_CREATE_WAIT)
    return volume_id


def connect(deps, ctx, instance_uuid, host, block_devices):
    """Make, reserve and connect the server's volumes on ``host``.

    :param block_devices: the spawn's ``block_devices`` (``payloads.block_devices``:
        every mapping, in the order of their ids); those of volumes get
        ``volume_id``, ``attachment_id`` and ``connection_info`` as they are
        made, so that they tell what was made even when this raises.
    :returns: ``block_devices``, completed.
    :raises: whatever the volume service raised; the attachments made so far
        are recorded, and ``release`` gives them back.
    """
    with deps.db.reader() as session:
        rows = [(r.id, r.source_type, r.volume_id, r.image_id, r.snapshot_id, r.volume_size)
                for r in _volume_rows(session, instance_uuid)]
    devices = [bd for bd in block_devices if bd['destination_type'] == 'volume']
    for row, device in zip(rows, devices, strict=True):
        volume_id = _ensure_volume(deps, ctx, row, device)
        attachment_id = deps.volumes.reserve(ctx, volume_id, instance_uuid)
        device['attachment_id'] = attachment_id
        # The boot volume is the guest's vda (``instance_build``), as Nova names it.
        names = {'device_name': ROOT_DEVICE} if device.get('boot_index') == 0 else {}
        _record(deps, row[0], attachment_id=attachment_id, **names)
        info = deps.volumes.connect(ctx, attachment_id, host, names.get('device_name'))
        _record(deps, row[0], connection_info=json.dumps(info))
        device.update(volume_id=volume_id, connection_info=info, **names)
    return block_devices


def deleted_meanwhile(deps, instance_uuid):
    """Whether a delete took the server while its volumes were being prepared."""
    with deps.db.reader() as session:
        row = db_api.get_instance(session, instance_uuid, include_deleted=True)
    return row is None or row.deleted_at is not None or row.task_state == states.DELETING


def give_back(deps, ctx, instance_uuid, block_devices):
    """Give back what ``connect`` made for a server a delete took meanwhile.

    The delete gives back the volumes its mappings held when it read them;
    one made or reserved after that read is only in ``block_devices``.
    Giving back twice is harmless.
    """
    volumes.give_back(deps.volumes, ctx, instance_uuid, [
        (bd['volume_id'], bd.get('attachment_id'), bd.get('delete_on_termination'))
        for bd in block_devices if bd['destination_type'] == 'volume' and bd.get('volume_id')])


def complete(deps, ctx, instance_uuid):
    """The guest runs with its volumes: mark them ``in-use``."""
    with deps.db.reader() as session:
        attachments = [r.attachment_id for r in _volume_rows(session, instance_uuid)
                       if r.attachment_id]
    for attachment_id in attachments:
        deps.volumes.complete(ctx, attachment_id)


def forget_attachments(session, instance_uuid):
    """Clear the attachments of the server's volumes (and their ``connection_info``);
    returns their ids for ``release``."""
    rows = [r for r in _volume_rows(session, instance_uuid) if r.attachment_id]
    ids = [r.attachment_id for r in rows]
    for row in rows:
        row.attachment_id = row.connection_info = None
    return ids


def release(deps, ctx, instance_uuid, attachment_ids):
    """Delete the attachments a failed build made; failures are logged (the build's own
    failure is what gets reported)."""
    for attachment_id in attachment_ids:
        try:
            deps.volumes.release(ctx, attachment_id)
        except Exception:  # an operator deletes it; the build goes on failing as it was
            LOG.exception('Could not delete attachment %s of server %s', attachment_id,
                          instance_uuid)
