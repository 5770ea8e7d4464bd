"""``os-volume_upload_image``: copy a volume into a new image of the image service.

As Cinder: the API creates the image (``queued``) in the image service as
the user, so that the image service's own rules (who may make a public
image, its quotas) apply; it sets the volume ``uploading`` (from
``available``, or from ``in-use`` with ``force``) with a conditional
UPDATE and casts ``ConductorAPI.upload_image``; the volume's agent
converts and uploads the data, and the volume goes back to its previous
status.  Whatever fails before the cast is sent deletes the image again
and leaves the volume as it was.
"""
import flask

from volume import exceptions as vol_exc
from volume import images
from volume import states
from volume import volume_types
from volume.api import casts
from volume.api import microversion
from volume.api import support
from volume.api.schemas import common as schema_types
from volume.api.views import types as type_views
from volume.api.volumes import volume_for
from volume.db import api as db_api
from volume.db import models as m

# What the file backend writes (``copy_volume_to_image``), and Cinder's default first.
DISK_FORMATS = ('raw', 'qcow2')
CONTAINER_FORMATS = ('bare',)
# Image properties a volume's recorded image metadata must not pass on to the new image.
NOT_COPIED = frozenset(images.RECORDED.values()) | {'image_location', 'volume_id'}


def _choice(args, key, allowed, label):
    value = args.get(key) or allowed[0]
    if value not in allowed:
        raise vol_exc.InvalidInput(reason=f"Invalid {label} '{value}' is specified. Allowed "
                                          f"{label}s are {', '.join(allowed)}.")
    return value


def _request(args):
    """The checked arguments: ``(force, image attributes)``."""
    attrs = {'name': args['image_name'].strip(),
             'disk_format': _choice(args, 'disk_format', DISK_FORMATS, 'disk-format'),
             'container_format': _choice(args, 'container_format', CONTAINER_FORMATS,
                                         'container-format')}
    if microversion.at_least('3.1'):
        attrs['visibility'] = args.get('visibility') or 'private'
        attrs['protected'] = schema_types.as_bool(args.get('protected') or False)
    else:
        attrs['visibility'], attrs['protected'] = 'private', False
    return schema_types.as_bool(args.get('force') or False), attrs


def _refused(volume, force):
    expected = 'available or in-use' if force else 'available'
    return vol_exc.InvalidVolume(reason=f'Volume {volume.id} status must be {expected}, but '
                                        f'current status is: {volume.status}.')


def _expected(force):
    return (states.AVAILABLE, states.IN_USE) if force else (states.AVAILABLE,)


def _image_attrs(session, volume, attrs):
    """The new image: what was asked, the size it needs, and the properties of the image
    the volume was made from (as Cinder passes them on)."""
    recorded = db_api.glance_metadata(session, [volume.id])[volume.id]
    properties = {k: v for k, v in recorded.items() if k not in NOT_COPIED}
    return {**properties, **attrs, 'min_disk': volume.size}


def _volume_type(session, volume):
    row = session.get(m.VolumeType, volume.volume_type_id) if volume.volume_type_id else None
    if row is None:
        return None
    specs = volume_types.extra_specs(session, [row.id])[row.id] \
        if support.is_cloud_admin() else {}
    return type_views.render(row, specs, with_access_attribute=False)


def _answer(volume, volume_type, image, attrs):
    body = {'id': volume.id, 'updated_at': volume.updated_at.isoformat()
            if volume.updated_at else None, 'status': volume.status,
            'display_description': volume.description, 'size': volume.size,
            'volume_type': volume_type, 'image_id': image['id'],
            'container_format': image.get('container_format'),
            'disk_format': image.get('disk_format'), 'image_name': image.get('name')}
    if microversion.at_least('3.1'):
        body.update(visibility=attrs['visibility'], protected=attrs['protected'])
    return body


def upload_image(volume_id, args):
    force, attrs = _request(args)
    ctx, client = support.context(), flask.current_app.images
    with support.db().reader() as session:
        volume = volume_for(session, volume_id, 'volumes:upload_image')
        if attrs['visibility'] == 'public':
            support.authorize('volumes:upload_public', project_id=volume.project_id)
        if volume.status not in _expected(force):
            raise _refused(volume, force)
        image_attrs = _image_attrs(session, volume, attrs)
    image = client.create(ctx, image_attrs)
    with support.db().writer() as session:
        status = volume.status
        if not db_api.transition(session, volume_id, _expected(force),
                                 status=states.UPLOADING, previous_status=status):
            client.delete(ctx, image['id'])
            current = session.get(m.Volume, volume_id)
            if current is None or current.deleted_at is not None:
                raise vol_exc.VolumeNotFound(volume_id=volume_id)
            raise _refused(current, force)
        volume = session.get(m.Volume, volume_id)
        body = _answer(volume, _volume_type(session, volume), image, attrs)
    target = {'id': image['id'], 'disk_format': attrs['disk_format']}
    casts.cast_or_undo(lambda: support.conductor().upload_image(ctx, volume_id, target),
                       lambda session: db_api.transition(
                           session, volume_id, (states.UPLOADING,),
                           status=m.Volume.previous_status, previous_status=None),
                       doing=f'upload volume {volume_id}', outcome='the volume was not uploaded',
                       cleanup=lambda: client.delete(ctx, image['id']))
    return flask.jsonify({'os-volume_upload_image': body}), 202
