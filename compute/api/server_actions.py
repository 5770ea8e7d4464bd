"""``POST /servers/{server_id}/action``: start, stop, reboot, resize … a server.

One route; the body's single key names the action (Nova's ``wsgi.action``).
An action that changes a server goes through the same beats:

1. validate the body, find the server (404 for another project's), check
   policy;
2. refuse as Nova's ``check_instance_lock`` / ``check_instance_host`` /
   ``check_instance_state`` do (409 with Nova's message);
3. in one transaction, set the action's task_state with a conditional
   UPDATE on the states the action may start from (``db_api.transition``)
   and record the instance action: of two racing requests, one wins and
   the other gets the same 409 as if it had come second;
4. after the commit, cast the action to the conductor, which finishes it
   (task_state back to None, vm_state as the action leaves it) and
   notifies ``compute.instance.<action>.end``; the API notifies ``.start``.

A cast that cannot be sent (503) undoes step 3 in a new transaction: the
task is cleared, the instance action forgotten, the columns and metadata
a rebuild replaced are put back, and the image a createImage made is
deleted, so the server is left exactly as it was.

Lock and unlock change only the row; console output is a question to the
conductor, answered at once.
"""
import dataclasses
import json
import logging
import re

import flask
import sqlalchemy as sa

from common import exceptions
from common.wsgi import validation
from compute import flavors
from compute import images as compute_images
from compute import keypairs
from compute import quotas
from compute import request_values
from compute import rpcapi
from compute import servers
from compute import states as s
from compute.api import microversion
from compute.api import server_metadata
from compute.api import servers as server_api
from compute.api import support
from compute.api.schemas import server_actions as schemas
from compute.api.views import servers as server_views
from compute.db import api as db_api
from compute.db import models as m

LOG = logging.getLogger(__name__)
bp = flask.Blueprint('server_actions', __name__, url_prefix=f'{support.API_PREFIX}/servers')

# Nova's task_states.ALLOW_REBOOT: a hard reboot may take over from these
# tasks, so that a server stuck rebooting (or pausing …) can be rebooted.
ALLOW_REBOOT = (None, s.REBOOTING, s.REBOOT_PENDING, s.REBOOT_STARTED, s.RESUMING,
                s.REBOOTING_HARD, s.UNPAUSING, s.PAUSING, s.SUSPENDING)
# Image properties a snapshot does not inherit from the server's image
# (Nova's ``non_inheritable_image_properties`` default and its
# ``NON_INHERITABLE_IMAGE_PROPERTIES``; ``os_glance*`` are Glance's own).
_NOT_INHERITED = frozenset(('cache_in_nova', 'bittorrent', 'cinder_encryption_key_id',
                            'cinder_encryption_key_deletion_policy', 'img_signature',
                            'img_signature_hash_method', 'img_signature_key_type',
                            'img_signature_certificate_uuid'))
_CONSOLE_CONTROL = re.compile('[\x00-\x08\x0B-\x1F]')


@dataclasses.dataclass(frozen=True)
class Task:
    """How an action starts: the states it needs (Nova's decorators) and the task it sets.

    :param name: the action as Nova names it in 409 messages and in
        ``os-instance-actions`` (``stop``, ``confirmResize`` …).
    :param rpc_action: the ``ConductorAPI.run_action`` action.
    :param notification: ``compute.instance.<notification>.start`` (Nova's
        legacy names, which the conductor ends with ``.end``).
    """
    name: str
    rpc_action: str
    notification: str
    vm_states: tuple
    task_state: str
    task_states: tuple = (None,)
    checks_lock: bool = True
    needs_host: bool = False


STOP = Task('stop', 'stop', 'power_off', (s.ACTIVE, s.ERROR), s.POWERING_OFF, needs_host=True)
START = Task('start', 'start', 'power_on', (s.STOPPED,), s.POWERING_ON, needs_host=True)
PAUSE = Task('pause', 'pause', 'pause', (s.ACTIVE,), s.PAUSING)
UNPAUSE = Task('unpause', 'unpause', 'unpause', (s.PAUSED,), s.UNPAUSING)
SUSPEND = Task('suspend', 'suspend', 'suspend', (s.ACTIVE,), s.SUSPENDING)
RESUME = Task('resume', 'resume', 'resume', (s.SUSPENDED,), s.RESUMING)
SOFT_REBOOT = Task('reboot', 'reboot', 'reboot', (s.ACTIVE,), s.REBOOTING)
HARD_REBOOT = Task('reboot', 'reboot', 'reboot',
                   (s.ACTIVE, s.STOPPED, s.PAUSED, s.SUSPENDED, s.ERROR), s.REBOOTING_HARD,
                   task_states=ALLOW_REBOOT)
REBUILD = Task('rebuild', 'rebuild', 'rebuild', (s.ACTIVE, s.STOPPED, s.ERROR), s.REBUILDING)
RESIZE = Task('resize', 'resize', 'resize', (s.ACTIVE, s.STOPPED), s.RESIZE_PREP,
              needs_host=True)
# Nova sets no task for a confirm; we do, so that a confirm and a revert
# racing cannot both start.
CONFIRM_RESIZE = Task('confirmResize', 'confirm_resize', 'resize.confirm', (s.RESIZED,),
                      s.RESIZE_CONFIRMING)
REVERT_RESIZE = Task('revertResize', 'revert_resize', 'resize.revert', (s.RESIZED,),
                     s.RESIZE_REVERTING)
# A lock guards against changes and deletion, not against a snapshot (Nova).
SNAPSHOT = Task('createImage', 'snapshot', 'snapshot',
                (s.ACTIVE, s.STOPPED, s.PAUSED, s.SUSPENDED), s.IMAGE_SNAPSHOT, checks_lock=False)


class InstanceNotReady(exceptions.Conflict):
    msg_fmt = 'Instance %(uuid)s is not ready'


class NotResized(exceptions.BadRequest):
    msg_fmt = 'Instance has not been resized.'


@bp.post('/<server_id>/action')
def server_action(server_id):
    body = validation.json_body()
    if not isinstance(body, dict) or len(body) != 1:
        raise exceptions.BadRequest('Malformed request body')
    (key,) = body
    if key not in _HANDLERS:
        raise exceptions.BadRequest(f'There is no such action: {key}')
    validation.validate(body, schemas.for_action(key))
    return _HANDLERS[key](server_id, body[key])


# --- the beats every action shares ------------------------------------------

def _check_state(instance, task):
    """Raise Nova's 409 when ``instance`` is not in a state ``task`` may start from."""
    if instance.vm_state not in task.vm_states:
        attr, state = 'vm_state', instance.vm_state
    elif instance.task_state not in task.task_states:
        attr, state = 'task_state', instance.task_state
    elif instance.launched_at is None:
        attr, state = 'launched_at', None
    else:
        return
    raise servers.InstanceInvalidState(action=task.name, server_id=instance.uuid, attr=attr,
                                       state=state)


def _check(instance, task):
    """Nova's checks before an action, in Nova's order: lock, host, states."""
    if task.checks_lock and instance.locked and not support.is_cloud_admin():
        raise servers.InstanceLocked(server_id=instance.uuid)
    if task.needs_host and not instance.host:
        raise InstanceNotReady(uuid=instance.uuid)
    _check_state(instance, task)


def _claim(session, instance, task, **values):
    """Start ``task`` on ``instance`` if no other request did first; record the action.

    :returns: the notification payload (read before the session closes).
    :raises servers.InstanceInvalidState: another request changed the server since
        it was read (the message names the state it is in now).
    """
    uuid = instance.uuid
    if not db_api.transition(session, uuid, vm_states=task.vm_states,
                             task_states=task.task_states, task_state=task.task_state,
                             **values):
        session.refresh(instance)
        if instance.deleted_at is not None:
            raise exceptions.NotFound(f'Instance {uuid} could not be found.')
        _check_state(instance, task)
        raise exceptions.Conflict(f"Instance {uuid} is in an invalid state for '{task.name}'")
    db_api.start_action(session, support.context(), uuid, task.name)
    return server_api.payload(instance)


def _release(instance_uuid, task, previous=None, metadata=None):
    """Undo ``_claim`` when the action cannot go on (the image service or the
    conductor cannot be reached, the image service says no).

    :param previous: the columns the claim changed besides the task, with
        the values they had before it.
    :param metadata: the server's metadata before the claim replaced it.
    """
    with support.db().writer() as session:
        released = server_api.release(session, instance_uuid, task.task_state,
                                      **(previous or {}))
        if released and metadata is not None:
            _replace_metadata(session, instance_uuid, metadata)


def _cast(task, instance_uuid, params):
    """Hand the work to the conductor.

    :raises ServiceUnavailable: the message could not be sent (RabbitMQ
        refused it), so nothing would ever finish the task.
    """
    try:
        support.conductor().run_action(support.context(), instance_uuid, task.rpc_action,
                                       params)
    except Exception:  # any failure of the transport: the message was not sent
        LOG.exception('Could not ask the conductor to %s server %s', task.rpc_action,
                      instance_uuid)
        raise exceptions.ServiceUnavailable(
            'The compute conductor is unreachable; the action was not started.') from None


def _dispatch(task, payload, params=None, *, previous=None, metadata=None):
    """After the commit: hand the work to the conductor, and tell listeners.

    A cast that cannot be sent releases the server (``_release``, with
    ``previous`` and ``metadata``) and the answer is 503.
    """
    try:
        _cast(task, payload['instance_id'], params)
    except exceptions.ServiceUnavailable:
        _release(payload['instance_id'], task, previous, metadata)
        raise
    support.notify(f'compute.instance.{task.notification}.start', payload)


def _run(server_id, policy, task, params=None):
    """The whole of an action that needs nothing but a state change."""
    with support.db().writer() as session:
        instance = support.instance_for(session, server_id, policy)
        _check(instance, task)
        payload = _claim(session, instance, task)
    _dispatch(task, payload, params)


def _simple(policy, task, status=202):
    def handler(server_id, _value):
        _run(server_id, policy, task)
        return support.no_content(status)
    return handler


def _reboot(server_id, value):
    kind = value['type'].upper()
    _run(server_id, 'servers:reboot', HARD_REBOOT if kind == 'HARD' else SOFT_REBOOT,
         {'type': kind})
    return support.accepted()


# --- resize ------------------------------------------------------------------

def _volume_backed(session, instance):
    root = session.execute(sa.select(m.BlockDeviceMapping).where(
        m.BlockDeviceMapping.instance_uuid == instance.uuid,
        m.BlockDeviceMapping.boot_index == 0)).scalars().first()
    return root is not None and root.destination_type == 'volume'


def _check_volumes_connected(session, instance, task):
    """Refuse (409) a rebuild or a resize while a volume is being attached.

    Both define the guest again from the ``connection_info`` the mappings
    keep; a volume whose attach has not finished has none yet.  Called after
    ``_claim`` (whose UPDATE holds the server's row, as an attach's lock
    does), so that an attach cannot slip in between.
    """
    attaching = session.execute(sa.select(m.BlockDeviceMapping.volume_id).where(
        m.BlockDeviceMapping.instance_uuid == instance.uuid,
        m.BlockDeviceMapping.attachment_id.is_not(None),
        m.BlockDeviceMapping.connection_info.is_(None))).scalars().first()
    if attaching is not None:
        raise exceptions.Conflict(f"Cannot '{task.name}' instance {instance.uuid} while "
                                  f'volume {attaching} is being attached to it')


def _enforce_growth(session, instance, current, target):
    """Quota for the cores and RAM a flavor change adds (Nova's ``_check_quota_for_upsize``)."""
    deltas = {'cores': target['vcpus'] - current['vcpus'], 'ram': target['ram'] - current['ram']}
    deltas = {k: v for k, v in deltas.items() if v > 0}
    if deltas:
        quotas.Quotas(flask.current_app.conf).enforce(session, instance.project_id, deltas)


def _resize(server_id, value):
    flavor_ref = str(value['flavorRef'])
    with support.db().writer() as session:
        instance = support.instance_for(session, server_id, 'servers:resize')
        _check(instance, RESIZE)
        current = db_api.flavor_of(instance)
        flavor = flavors.find_usable(session, flavor_ref, instance.project_id,
                                     support.is_cloud_admin())
        if flavor.flavorid == current['id']:
            raise exceptions.BadRequest('When resizing, instances must change flavor!')
        if flavor.root_gb == 0 and current['disk'] != 0 and \
                not _volume_backed(session, instance):
            raise exceptions.BadRequest('Server disk was unable to be resized because: '
                                        'Resize to zero disk flavor is not allowed.')
        target = flavors.snapshot(session, flavor)
        _enforce_growth(session, instance, current, target)
        values = {'progress': 0}
        if 'OS-DCF:diskConfig' in value:
            values['auto_disk_config'] = value['OS-DCF:diskConfig'] == 'AUTO'
        payload = _claim(session, instance, RESIZE, **values)
        _check_volumes_connected(session, instance, RESIZE)
    _dispatch(RESIZE, payload, {'flavor': target})
    return support.accepted()


def _revert_resize(server_id, _value):
    with support.db().writer() as session:
        instance = support.instance_for(session, server_id, 'servers:revert_resize')
        _check(instance, REVERT_RESIZE)
        if not instance.old_flavor:
            raise NotResized()
        # Going back to the old flavor may grow the server again.
        _enforce_growth(session, instance, db_api.flavor_of(instance),
                        json.loads(instance.old_flavor))
        payload = _claim(session, instance, REVERT_RESIZE)
    _dispatch(REVERT_RESIZE, payload)
    return support.accepted()


# --- rebuild -----------------------------------------------------------------

def _check_image_fits(image, flavor, volume_backed):
    """Nova's image checks of a rebuild, against the flavor the server has."""
    if image['status'] != 'active':
        raise servers.ImageNotActive(image_id=image['id'])
    if int(image.get('min_ram') or 0) > flavor['ram']:
        raise servers.FlavorMemoryTooSmall()
    if volume_backed or not flavor['disk']:
        return
    disk = flavor['disk'] * servers.GiB
    size = int(image.get('size') or 0)
    if size > disk:
        raise servers.FlavorDiskSmallerThanImage(flavor_size=disk, image_size=size)
    min_disk = int(image.get('min_disk') or 0) * servers.GiB
    if min_disk > disk:
        raise servers.FlavorDiskSmallerThanMinDisk(flavor_size=disk, image_min_disk=min_disk)


def _as_bool(value):
    """A boolean of the schema's ``BOOLEAN`` (``true``, ``"yes"``, ``"0"`` …)."""
    return value if isinstance(value, bool) else value.lower() in validation.TRUE_STRINGS


def _rebuild_values(session, instance, value, image):
    """The columns a rebuild changes, from the body and the new image."""
    values = {'image_ref': image['id'], 'progress': 0}
    for key, column in (('name', 'display_name'), ('description', 'description'),
                        ('accessIPv4', 'access_ip_v4'), ('accessIPv6', 'access_ip_v6')):
        if key in value:
            values[column] = value[key]
    if 'OS-DCF:diskConfig' in value:
        values['auto_disk_config'] = value['OS-DCF:diskConfig'] == 'AUTO'
    if 'key_name' in value:  # only in the 2.54 schema and later
        values['key_name'] = values['key_data'] = None
        if value['key_name'] is not None:
            keypair = keypairs.get_for_user(session, support.context().user_id,
                                            value['key_name'])
            if keypair is None:
                raise servers.InvalidKeyName()
            values['key_name'], values['key_data'] = keypair.name, keypair.public_key
    if 'user_data' in value:  # only in the 2.57 schema and later
        values['user_data'] = servers.checked_user_data(value['user_data'])
    spec = json.loads(instance.request_spec or '{}')
    spec['image'] = {k: image.get(k, 0) for k in ('min_disk', 'min_ram', 'size')}
    spec['image'].update(id=image['id'], properties=image.get('properties', {}))
    values['request_spec'] = json.dumps(spec)
    return values


def _replace_metadata(session, instance_uuid, metadata):
    session.execute(sa.delete(m.InstanceMetadata)
                    .where(m.InstanceMetadata.instance_uuid == instance_uuid))
    session.add_all(m.InstanceMetadata(instance_uuid=instance_uuid, key=k, value=v)
                    for k, v in metadata.items())


def _rebuild(server_id, value):
    ctx = support.context()
    with support.db().reader() as session:
        # Policy and the server's state first, so that nobody learns about
        # images through servers they may not rebuild.
        _check(support.instance_for(session, server_id, 'servers:rebuild'), REBUILD)
    try:
        image = compute_images.boot_image(flask.current_app.images, ctx, value['imageRef'])
    except compute_images.ImageNotFound:
        raise exceptions.BadRequest('Cannot find image for rebuild') from None
    password = value.get('adminPass') or servers.generate_password()
    with support.db().writer() as session:
        instance = support.instance_for(session, server_id, 'servers:rebuild')
        _check(instance, REBUILD)
        volume_backed = _volume_backed(session, instance)
        if volume_backed and image['id'] != instance.image_ref:
            raise exceptions.BadRequest(
                f"Image {image['id']} is unacceptable: Unable to rebuild with a different "
                'image for a volume-backed server.')
        _check_image_fits(image, db_api.flavor_of(instance), volume_backed)
        if 'metadata' in value:
            quotas.Quotas(flask.current_app.conf).enforce(
                session, instance.project_id, {'metadata_items': len(value['metadata'])})
        values = _rebuild_values(session, instance, value, image)
        # What a failed cast puts back (``_release``).
        previous = {column: getattr(instance, column) for column in values}
        old_metadata = (server_metadata.metadata_of(session, instance.uuid)
                        if 'metadata' in value else None)
        payload = _claim(session, instance, REBUILD, **values)
        _check_volumes_connected(session, instance, REBUILD)
        if 'metadata' in value:
            _replace_metadata(session, instance.uuid, value['metadata'])
        server = server_views.render_after_change(
            session, instance, with_key_name=microversion.at_least('2.54'))
        user_data = instance.user_data
    _dispatch(REBUILD, payload, {
        'image_ref': image['id'], 'admin_password': password,
        'preserve_ephemeral': _as_bool(value.get('preserve_ephemeral', False))},
        previous=previous, metadata=old_metadata)
    server['adminPass'] = password
    if microversion.at_least('2.57'):
        server['user_data'] = user_data
    response = flask.jsonify(server=server)
    response.status_code = 202
    response.headers['Location'] = server['links'][0]['href']
    return response


# --- createImage ---------------------------------------------------------------

def _snapshot_properties(instance, metadata):
    """The image properties of a snapshot.

    First the server's image's, as Nova copies them (``kernel_id``,
    ``ramdisk_id``, ``os_command_line`` … so that the snapshot boots the
    way its source did), then the caller's ``metadata`` less Glance's core
    attributes (the image service sets those), then the ones that say what
    the image is (``instance_uuid``, ``image_type`` …), which nobody may
    override.  Nova lets ``metadata`` override the last ones too; we do not:
    they are how a snapshot is traced back to its server and its base image.
    """
    spec = json.loads(instance.request_spec or '{}')
    inherited = (spec.get('image') or {}).get('properties') or {}
    properties = {k: v for k, v in inherited.items()
                  if isinstance(v, str) and k not in _NOT_INHERITED
                  and not k.startswith('os_glance')}
    properties.update((k, v) for k, v in metadata.items()
                      if k not in compute_images.CORE_ATTRIBUTES)
    properties.update(instance_uuid=instance.uuid, user_id=support.context().user_id,
                      image_type='snapshot', base_image_ref=instance.image_ref or '')
    return properties


def _create_image(server_id, value):
    metadata = value.get('metadata') or {}
    with support.db().writer() as session:
        instance = support.instance_for(session, server_id, 'servers:create_image')
        if not microversion.at_least('2.39'):
            quotas.Quotas(flask.current_app.conf).enforce(
                session, instance.project_id, {'metadata_items': len(metadata)})
        _check(instance, SNAPSHOT)
        if _volume_backed(session, instance):
            raise exceptions.BadRequest('Snapshots of volume-backed servers are not '
                                        'supported: snapshot the volume instead.')
        properties = _snapshot_properties(instance, metadata)
        # The task is taken before the image is made: a request that loses
        # the race leaves no queued image behind.
        payload = _claim(session, instance, SNAPSHOT)
    ctx, images = support.context(), flask.current_app.images
    image_id = None
    try:
        image_id = images.create_snapshot(ctx, value['name'], properties)
        # Below 2.45 the answer is the image's URL, asked before the cast so
        # that a failure leaves no snapshot running.
        location = None if microversion.at_least('2.45') else images.image_url(ctx, image_id)
        _cast(SNAPSHOT, payload['instance_id'], {'image_id': image_id})
    except Exception:
        _release(payload['instance_id'], SNAPSHOT)
        if image_id is not None:
            images.delete(ctx, image_id)  # as Nova does: no snapshot, no image
        raise
    support.notify(f'compute.instance.{SNAPSHOT.notification}.start', payload)
    if location is None:
        return flask.jsonify(image_id=image_id), 202
    response = support.accepted()
    response.headers['Location'] = location
    return response


# --- lock, unlock ------------------------------------------------------------

def _record_api_event(session, instance_uuid, action):
    """An action done in the API itself, with its ``api_<action>`` event, finished."""
    row = db_api.start_action(session, support.context(), instance_uuid, action)
    db_api.start_event(session, row.id, f'api_{action}')
    db_api.finish_event(session, row.id, f'api_{action}', 'Success')


def _lock(server_id, _value):
    with support.db().writer() as session:
        instance = support.instance_for(session, server_id, 'os-lock-server:lock')
        is_owner = instance.project_id == support.context().project_id
        if instance.locked and is_owner:
            return support.accepted()  # Nova: only an admin's lock replaces a lock
        _record_api_event(session, instance.uuid, 'lock')
        instance.locked, instance.locked_by = True, 'owner' if is_owner else 'admin'
        payload = server_api.payload(instance)
    support.notify('compute.instance.lock', payload)
    return support.accepted()


def _unlock(server_id, _value):
    with support.db().writer() as session:
        instance = support.instance_for(session, server_id, 'os-lock-server:unlock')
        expected = 'owner' if instance.project_id == support.context().project_id else 'admin'
        if instance.locked_by and instance.locked_by != expected:
            support.authorize('os-lock-server:unlock:unlock_override',
                              project_id=instance.project_id)
        _record_api_event(session, instance.uuid, 'unlock')
        instance.locked, instance.locked_by, instance.locked_reason = False, None, None
        payload = server_api.payload(instance)
    support.notify('compute.instance.unlock', payload)
    return support.accepted()


# --- console output ----------------------------------------------------------

def _console_output(server_id, value):
    length = value.get('length')
    if length is not None:
        length = request_values.parse_int(length, 'length', minimum=-1)
        if length == -1:
            length = None  # -1 means all, as Nova documents it
    with support.db().reader() as session:
        instance = support.instance_for(session, server_id, 'os-console-output')
        uuid, host = instance.uuid, instance.host
    if not host:
        raise InstanceNotReady(uuid=uuid)
    try:
        output = support.conductor().get_console_output(support.context(), uuid, length)
    except rpcapi.Timeout:
        raise exceptions.ServiceUnavailable(
            f'The console of instance {uuid} could not be read in time.') from None
    # Nova strips the control characters no JSON reader expects in text.
    return flask.jsonify(output=_CONSOLE_CONTROL.sub('', output))


_HANDLERS = {
    'os-stop': _simple('servers:stop', STOP),
    'os-start': _simple('servers:start', START),
    'reboot': _reboot,
    'pause': _simple('os-pause-server:pause', PAUSE),
    'unpause': _simple('os-pause-server:unpause', UNPAUSE),
    'suspend': _simple('os-suspend-server:suspend', SUSPEND),
    'resume': _simple('os-suspend-server:resume', RESUME),
    'rebuild': _rebuild,
    'resize': _resize,
    'confirmResize': _simple('servers:confirm_resize', CONFIRM_RESIZE, status=204),
    'revertResize': _revert_resize,
    'createImage': _create_image,
    'lock': _lock,
    'unlock': _unlock,
    'os-getConsoleOutput': _console_output,
}
