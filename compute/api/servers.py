"""``/v2.1/servers``: create, list (and detail), show, update, delete."""
import json
import logging

import flask

from common import exceptions
from common.db.types import utcnow
from common.wsgi import pagination
from common.wsgi import validation
from compute import block_device
from compute import images as compute_images
from compute import server_listing
from compute import servers
from compute import states
from compute import volumes as volumes_mod
from compute.api import microversion
from compute.api import support
from compute.api.schemas import servers as schemas
from compute.api.views import servers as views
from compute.db import api as db_api
from compute.db import models as m

LOG = logging.getLogger(__name__)

bp = flask.Blueprint('servers', __name__, url_prefix='/v2.1/servers')


def _create_schema():
    version = microversion.current()
    device_tags = (2, 32) <= version <= (2, 36) or version >= (2, 42)
    return schemas.create(device_tags=device_tags, auto_allocation=version >= (2, 37),
                          description=version >= (2, 19), tags=version >= (2, 52))


def _catalog_types(ctx):
    """The service types in the catalog of the caller's token.

    keystonemiddleware passes the catalog in ``X-Service-Catalog`` (it
    removes any such header a client sent); a context may also carry it.
    """
    catalog = getattr(ctx, 'service_catalog', None)
    raw = flask.request.headers.get('X-Service-Catalog')
    if raw:
        try:
            catalog = json.loads(raw)
        except ValueError:
            LOG.warning('Unreadable X-Service-Catalog header; assuming no services')
    return frozenset(entry.get('type') for entry in catalog or ()
                     if isinstance(entry, dict))


def payload(instance):
    """The notification payload of a server."""
    return {'instance_id': instance.uuid, 'display_name': instance.display_name,
            'tenant_id': instance.project_id, 'user_id': instance.user_id,
            'state': instance.vm_state, 'task_state': instance.task_state,
            'host': instance.host, 'availability_zone': instance.availability_zone}


def release(session, instance_uuid, claimed_task, **values):
    """Undo a request's claim of a task whose cast could not be sent.

    The server leaves ``claimed_task`` (for ``task_state=None``, unless
    ``values`` says otherwise) and gets ``values`` back, only if it is still
    in that task (nothing that moved it since is undone), and the request's
    instance action is forgotten.

    :returns: whether the server was released.
    """
    released = db_api.transition(session, instance_uuid, task_states=(claimed_task,),
                                 **{'task_state': None, **values})
    action = db_api.find_action(session, instance_uuid, support.context().request_id)
    if action is not None:
        session.delete(action)
    return released


def _cast_build(ctx, uuids):
    """Ask the conductor to build; if it cannot be asked, the servers go to ERROR (503).

    The servers are committed before the cast, so a conductor never sees a
    server that is not stored; if RabbitMQ refuses the message, nothing
    would ever build them, so they are put in ERROR with a fault saying
    why, and the user can delete them (they have no host).
    """
    try:
        support.conductor().build_instances(ctx, uuids)
    except Exception:  # any failure of the transport: the message was not sent
        LOG.exception('Could not ask the conductor to build %s', uuids)
        with support.db().writer() as session:
            servers.fail_build_request(session, uuids, 'The build could not be requested: '
                                                       'the conductor is unreachable.')
        raise exceptions.ServiceUnavailable(
            'The compute conductor is unreachable; the server was put in ERROR.') from None


@bp.post('')
def create():
    body = validation.json_body(_create_schema())
    support.authorize('servers:create')
    app = flask.current_app
    request = servers.parse_request(
        body, max_local_block_devices=app.conf.compute.max_local_block_devices)
    if request.forced_host or request.forced_node:
        support.authorize('servers:create:forced_host')
    ctx = support.context()
    caller = servers.Caller(
        ctx=ctx, is_admin=support.is_cloud_admin(),
        may_use_zero_disk_flavor=support.allowed('servers:create:zero_disk_flavor'),
        service_types=_catalog_types(ctx))
    servers.check_services(request, caller)
    root_volume = None
    if any(mp.destination_type == 'volume' for mp in request.mappings):
        root_volume = volumes_mod.check_mappings(app.volumes, ctx, request.mappings,
                                                 request.max_count)
    image_id = block_device.boot_image(request.mappings, request.image_id)
    if image_id:
        image = compute_images.boot_image(app.images, ctx, image_id)
    elif root_volume is not None:
        image = compute_images.volume_boot_image(app.images, ctx, root_volume)
    else:
        image = None
    with support.db().writer() as session:
        instances, reservation_id = servers.create_servers(session, app.conf, caller, request,
                                                           image)
        payloads = [payload(i) for i in instances]
        first = instances[0]
        disk_config = 'AUTO' if first.auto_disk_config else 'MANUAL'
    for item in payloads:
        support.notify('compute.instance.create.start', item)
    uuids = [item['instance_id'] for item in payloads]
    _cast_build(ctx, uuids)
    if request.return_reservation_id:
        response = flask.jsonify(reservation_id=reservation_id)
    else:
        response = flask.jsonify(server={
            'id': uuids[0], 'links': support.link(f'servers/{uuids[0]}'),
            'OS-DCF:diskConfig': disk_config,
            'security_groups': [{'name': name} for name in request.security_groups],
            'adminPass': request.admin_pass})
        response.headers['Location'] = support.link(f'servers/{uuids[0]}')[0]['href']
    response.status_code = 202
    return response


def _all_tenants(args):
    if 'all_tenants' not in args:
        return False
    value = args.get('all_tenants', '').strip().lower()
    return value == '' or validation.query_bool('all_tenants', default=True)


def _filters(args, is_admin):
    """The filters of the query string the caller may use (others are ignored)."""
    allowed = set(server_listing.PUBLIC_FILTERS)
    if not microversion.at_least('2.5'):
        allowed.discard('ip6')
    if not microversion.at_least('2.26'):
        allowed -= {'tags', 'tags-any', 'not-tags', 'not-tags-any'}
    multi = ('status', 'tags', 'tags-any', 'not-tags', 'not-tags-any')
    filters = {}
    for key in args:
        if not is_admin and key not in allowed:
            continue
        filters[key] = args.getlist(key) if key in multi else args.get(key)
    return filters


def _deleted(args, filters, is_admin):
    """True/False: only deleted / only live servers; None: both (changes-since)."""
    if 'status' in filters and 'DELETED' in {s.upper() for s in filters['status']}:
        if not is_admin:
            raise exceptions.Forbidden('Only administrators may list deleted instances')
        return True
    if is_admin and 'deleted' in args:
        return validation.query_bool('deleted', default=False)
    return None if 'changes-since' in filters else False


def _query(detail):
    args = flask.request.args
    conf = flask.current_app.conf
    is_admin = support.allowed('servers:allow_all_filters')
    project_id = support.context().project_id
    if _all_tenants(args):
        support.authorize(f"servers:{'detail' if detail else 'index'}:get_all_tenants")
        project_id = args.get('project_id') or args.get('tenant_id') or None
    filters = _filters(args, is_admin)
    limit, marker = pagination.page_params(conf.api.max_limit)
    limit = limit or min(conf.compute.limit_param_default, conf.api.max_limit)
    sort = server_listing.parse_sort(args.getlist('sort_key'), args.getlist('sort_dir'),
                                     is_admin)
    return server_listing.Query(filters=filters, project_id=project_id, sort=sort,
                                limit=limit, marker=marker,
                                deleted=_deleted(args, filters, is_admin))


def _list(detail):
    support.authorize('servers:detail' if detail else 'servers:index')
    query = _query(detail)
    with support.db().reader() as session:
        instances = server_listing.list_servers(session, query)
        if detail:
            items = views.render_list(session, instances)
        else:
            items = [views.render_summary(i) for i in instances]
    body = {'servers': items}
    path = 'servers/detail' if detail else 'servers'
    next_link = pagination.next_link(f'{support.base_url()}{support.API_PREFIX}/{path}',
                                     instances, query.limit, key='uuid')
    if next_link:
        body['servers_links'] = [{'rel': 'next', 'href': next_link}]
    return flask.jsonify(body)


@bp.get('')
def index():
    return _list(detail=False)


@bp.get('/detail')
def detail():
    return _list(detail=True)


@bp.get('/<server_id>')
def show(server_id):
    with support.db().reader() as session:
        instance = support.instance_for(session, server_id, 'servers:show')
        body = views.render_detail(session, instance)
    return flask.jsonify(server=body)


@bp.put('/<server_id>')
def update(server_id):
    body = validation.json_body(schemas.update(description=microversion.at_least('2.19')))
    changes = body['server']
    with support.db().writer() as session:
        instance = support.instance_for(session, server_id, 'servers:update')
        if 'name' in changes:
            instance.display_name = changes['name']
        if 'description' in changes:
            instance.description = changes['description']
        if 'accessIPv4' in changes:
            instance.access_ip_v4 = changes['accessIPv4']
        if 'accessIPv6' in changes:
            instance.access_ip_v6 = changes['accessIPv6']
        if 'OS-DCF:diskConfig' in changes:
            instance.auto_disk_config = changes['OS-DCF:diskConfig'] == 'AUTO'
        instance.updated_at = utcnow()
        session.flush()
        result = views.render_after_change(session, instance)
        event = payload(instance)
    support.notify('compute.instance.update', event)
    return flask.jsonify(server=result)


def _delete_here(session, instance):
    """Delete a server no host has (never scheduled, or failed before); False if one has now.

    The update is conditional on the server still having no host, so a
    conductor that placed it meanwhile wins and the delete goes through it.
    Its volumes are given back by the caller after the commit: a build that
    failed on a host (and waits to be scheduled again, or gave up) may have
    made volumes for it, recorded in its mappings.
    """
    now = utcnow()
    done = session.execute(
        m.Instance.__table__.update()
        .where(m.Instance.uuid == instance.uuid, m.Instance.host.is_(None),
               m.Instance.deleted_at.is_(None))
        .values(vm_state=states.DELETED, task_state=None, deleted_at=now, terminated_at=now,
                updated_at=now)).rowcount == 1
    if done:
        session.execute(m.ServerGroupMember.__table__.delete().where(
            m.ServerGroupMember.instance_uuid == instance.uuid))
        session.expire_all()
    return done


def _cast_delete(ctx, instance_uuid, task_before):
    """Ask the conductor to delete; if it cannot be asked, put the task back (503)."""
    try:
        support.conductor().run_action(ctx, instance_uuid, 'delete')
    except Exception:  # any failure of the transport: the message was not sent
        LOG.exception('Could not ask the conductor to delete server %s', instance_uuid)
        with support.db().writer() as session:
            release(session, instance_uuid, states.DELETING, task_state=task_before)
        raise exceptions.ServiceUnavailable(
            'The compute conductor is unreachable; the server was not deleted.') from None


@bp.delete('/<server_id>')
def delete(server_id):
    ctx = support.context()
    with support.db().writer() as session:
        instance = support.instance_for(session, server_id, 'servers:delete')
        if instance.locked and not support.is_cloud_admin():
            raise servers.InstanceLocked(server_id=instance.uuid)
        event = payload(instance)
        task_before = instance.task_state
        action = db_api.start_action(session, ctx, instance.uuid, 'delete')
        local = instance.host is None and _delete_here(session, instance)
        volumes = []
        if local:
            action.finish_time = utcnow()
            volumes = db_api.volume_mappings(session, event['instance_id'])
        elif not db_api.transition(session, instance.uuid, task_states=db_api.ANY,
                                   task_state=states.DELETING):
            raise exceptions.NotFound(f'Instance {server_id} could not be found.')
    if not local:
        _cast_delete(ctx, event['instance_id'], task_before)
    elif volumes:  # as Nova's local delete: attachments and delete_on_termination volumes
        volumes_mod.give_back(flask.current_app.volumes, ctx, event['instance_id'], volumes)
    support.notify('compute.instance.delete.start', event)
    return support.no_content()
