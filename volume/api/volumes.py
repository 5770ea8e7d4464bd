"""``/v3/{project_id}/volumes``: create, list, show, update, delete.

A create is answered 202 with the volume ``creating``; the conductor makes
it (``ConductorAPI.create_volume``, cast once the volume is committed).  A
delete is answered 202 with the volume ``deleting`` (or gone at once when
no backend holds it yet).  A cast RabbitMQ refuses is answered 503 and
undone: the new volume goes to ``error``, a delete is put back.
"""
import flask
from oslo_utils import uuidutils

from common import exceptions
from volume import images
from volume import lifecycle
from volume import listing
from volume import states
from volume import volumes
from volume.api import casts
from volume.api import microversion
from volume.api import paging
from volume.api import support
from volume.api.schemas import common as schema_types
from volume.api.schemas import volumes as schemas
from volume.api.views import volumes as views
from volume.db import api as db_api

bp = flask.Blueprint('volumes', __name__, url_prefix=f'{support.API_PREFIX}/volumes')
COLLECTION = 'volumes'


class GroupNotFound(exceptions.NotFound):
    msg_fmt = 'Group %(group_id)s could not be found.'


class InvalidImageRef(exceptions.BadRequest):
    msg_fmt = ('Invalid image identifier or unable to access requested image: %(ref)s '
               '(name the image by its id).')


class MultiattachParameterRemoved(exceptions.BadRequest):
    msg_fmt = ('multiattach parameter has been removed. The default behavior is to use '
               'multiattach enabled volume types. Contact your administrator to create a '
               'multiattach enabled volume type and use it to create multiattach volumes.')


def audience():
    """What the caller may see of volumes, asked of policy once per request."""
    is_admin = support.is_cloud_admin()
    return views.Audience(
        is_admin=is_admin,
        host_names=is_admin or 'service' in (support.context().roles or []),
        tenant_attribute=support.allowed('volumes:tenant_attribute'),
        host_attribute=support.allowed('volumes:host_attribute'),
        mig_status_attribute=support.allowed('volumes:mig_status_attribute'),
        image_metadata=support.allowed('volumes:image_metadata'))


def related(session, rows):
    """``{volume id: views.Related}`` of ``rows``, loaded in a few queries."""
    ids = [v.id for v in rows]
    metadata = db_api.volume_metadata(session, ids)
    attachments = db_api.attached(session, ids)
    images = db_api.glance_metadata(session, ids)
    names = db_api.type_names(session, [v.volume_type_id for v in rows])
    return {v.id: views.Related(metadata=metadata[v.id], type_name=names.get(v.volume_type_id),
                                attachments=attachments[v.id], image_metadata=images[v.id])
            for v in rows}


def render(session, rows, extended=True):
    """Detailed bodies of ``rows``."""
    extras, seen_by = related(session, rows), audience()
    return [views.detail(v, extras[v.id], support.links(COLLECTION, v.id), seen_by, extended)
            for v in rows]


def _list(detailed):
    support.authorize('volumes:get_all')
    caller = support.caller()
    query = listing.parse(flask.request.args, is_admin=caller.is_admin,
                          project_id=caller.project_id,
                          max_limit=support.conf().api.max_limit,
                          at_least=microversion.at_least)
    with_count = microversion.at_least('3.45') and listing.parse_bool(
        'with_count', flask.request.args.get('with_count', 'false'), strict=True)
    visible = volumes.visible(caller)
    with support.db().reader() as session:
        rows = listing.fetch(session, query, visible)
        if detailed:
            items = render(session, rows)
        else:
            items = [views.summary(v, support.links(COLLECTION, v.id)) for v in rows]
        total = listing.count(session, query, visible) if with_count else None
    links = paging.next_links(items, query.limit, 'volumes/detail' if detailed else 'volumes')
    body = paging.body(COLLECTION, items, links)
    if total is not None:
        body['count'] = total
    return flask.jsonify(body)


@bp.get('')
def index():
    return _list(detailed=False)


@bp.get('/detail')
def detail():
    return _list(detailed=True)


def _clean(text):
    return text.strip() if isinstance(text, str) else text


def _image_id(ref):
    """The image id of an ``imageRef`` (an id, or a link ending in one)."""
    image_id = str(ref).rstrip('/').rsplit('/', 1)[-1]
    if not uuidutils.is_uuid_like(image_id):
        raise InvalidImageRef(ref=ref)
    return image_id


def _create_attrs(volume):
    """The checked attributes of a create's ``volume`` body."""
    if schema_types.as_bool(volume.get('multiattach') or False):
        raise MultiattachParameterRemoved()
    for key in ('consistencygroup_id', 'group_id'):
        if volume.get(key):
            raise GroupNotFound(group_id=volume[key])
    if volume.get('backup_id'):
        raise exceptions.BadRequest('Creating a volume from a backup is not supported: '
                                    'restore the backup instead.')
    image_ref = volume.get('imageRef') or volume.get('image_id')
    return {
        'name': _clean(volume.get('name', volume.get('display_name'))),
        'description': _clean(volume.get('description', volume.get('display_description'))),
        'size': volume.get('size'),
        'volume_type': volume.get('volume_type'),
        'availability_zone': volume.get('availability_zone'),
        'metadata': volume.get('metadata'),
        'snapshot_id': volume.get('snapshot_id'),
        'source_volid': volume.get('source_volid'),
        'image_id': _image_id(image_ref) if image_ref else None,
    }


def _source_image(ctx, attrs):
    """The image a create names, checked for a volume of its size, or ``None``.

    Asked of the image service as the user before the volume is stored (no
    transaction waits on it); a missing or invisible image is a 400.
    """
    if not attrs['image_id']:
        return None
    size = volumes.checked_size(attrs['size'])
    image = flask.current_app.images.get(ctx, attrs['image_id'])
    images.check_source(image, size)
    return image


def _cast_create(ctx, volume_id, spec):
    """Ask the conductor to make the volume; if it cannot be asked, the volume goes to
    ``error`` (503): nothing would ever make it, and the user can delete it."""
    casts.cast_or_undo(lambda: support.conductor().create_volume(ctx, volume_id, spec),
                       lambda session: db_api.transition(session, volume_id, (states.CREATING,),
                                                         status=states.ERROR),
                       doing=f'create volume {volume_id}', outcome='the volume was put in error')


@bp.post('')
def create():
    body = support.body(schemas.create_schema(microversion.at_least))
    support.authorize('volumes:create')
    attrs = _create_attrs(body['volume'])
    ctx, caller = support.context(), support.caller()
    image = _source_image(ctx, attrs)
    with support.db().writer() as session:
        volume, spec = volumes.create(session, support.conf(), caller, caller.project_id,
                                      ctx.user_id, attrs)
        if image is not None:
            images.record_source(session, volume, image)
        result = render(session, [volume], extended=False)[0]
        event = volumes.notification(volume)
    _cast_create(ctx, volume.id, spec)
    support.notify('volume.create.start', event)
    return flask.jsonify(volume=result), 202


@bp.get('/<volume_id>')
def show(volume_id):
    with support.db().reader() as session:
        volume = volume_for(session, volume_id, 'volumes:get')
        return flask.jsonify(volume=render(session, [volume])[0])


@bp.put('/<volume_id>')
def update(volume_id):
    changes = support.body(schemas.update_schema(microversion.at_least))['volume']
    attrs = {}
    for key, legacy in (('name', 'display_name'), ('description', 'display_description')):
        if key in changes or legacy in changes:
            attrs[key] = _clean(changes.get(key, changes.get(legacy)))
    if 'metadata' in changes:
        attrs['metadata'] = changes['metadata']
    with support.db().writer() as session:
        volume = volume_for(session, volume_id, 'volumes:update')
        volumes.update(session, volume, attrs)
        result = render(session, [volume], extended=False)[0]
        event = volumes.notification(volume)
    support.notify('volume.update.end', event)
    return flask.jsonify(volume=result)


def delete_volume(volume_id, *, cascade, force):
    """Delete (or start deleting) a volume the caller may delete; 202."""
    ctx = support.context()
    with support.db().writer() as session:
        volume = volume_for(session, volume_id, 'volumes:delete')
        if force:
            support.authorize('volumes:force_delete', project_id=volume.project_id)
        event = volumes.notification(volume)
        started = lifecycle.begin_delete(session, volume, cascade=cascade, force=force)
    if not started.local:
        casts.cast_or_undo(
            lambda: support.conductor().delete_volume(ctx, volume_id, cascade=cascade),
            lambda session: lifecycle.undo_delete(session, volume_id, started),
            doing=f'delete volume {volume_id}', outcome='the volume was not deleted')
    support.notify('volume.delete.start', event)
    return support.accepted()


def _query_bool(name):
    value = flask.request.args.get(name, 'false')
    if value.strip().lower() in ('', 'none'):
        return False
    return listing.parse_bool(name, value, strict=True)


@bp.delete('/<volume_id>')
def delete(volume_id):
    cascade = _query_bool('cascade')
    force = microversion.at_least('3.23') and _query_bool('force')
    return delete_volume(volume_id, cascade=cascade, force=force)


def volume_for(session, volume_id, action):
    """The volume ``volume_id`` if the caller may do ``volume:<action>`` on it (404 for a
    volume of another project, 403 for a caller of its project without the role)."""
    volume = volumes.get(session, support.caller(), volume_id)
    support.authorize(action, project_id=volume.project_id)
    return volume
