"""Server create: from a validated request to stored servers the conductor builds.

The API handler checks the body against the schema of its version and
asks policy; ``parse_request`` then applies the rules a schema cannot
express (Nova's messages), and ``create_servers`` checks the request
against the flavor, image, key pair, zone and server group and stores the
servers, all in the caller's writer transaction: the quota check and the
inserts are one transaction, so concurrent creates cannot exceed a quota.
The API casts ``build_instances`` only after that transaction commits.
"""
import base64
import binascii
import dataclasses
import json
import re
import secrets
import string

import sqlalchemy as sa
from oslo_utils import strutils
from oslo_utils import uuidutils

from common import exceptions
from compute import block_device
from compute import flavors
from compute import keypairs
from compute import quotas
from compute import request_values
from compute import states
from compute import zones
from compute.db import api as db_api
from compute.db import models as m

GiB = 1024 ** 3
NAME_LENGTH = 255  # instances.display_name
NETWORK_SERVICE_TYPES = frozenset(('network',))
VOLUME_SERVICE_TYPES = frozenset(('volumev3', 'block-storage', 'volume'))


class ImageNotActive(exceptions.BadRequest):
    msg_fmt = 'Image %(image_id)s is not active.'


class FlavorMemoryTooSmall(exceptions.BadRequest):
    msg_fmt = "Flavor's memory is too small for requested image."


class FlavorDiskSmallerThanImage(exceptions.BadRequest):
    msg_fmt = ("Flavor's disk is too small for requested image. Flavor disk is "
               '%(flavor_size)i bytes, image is %(image_size)i bytes.')


class FlavorDiskSmallerThanMinDisk(exceptions.BadRequest):
    msg_fmt = ("Flavor's disk is too small for requested image. Flavor disk is "
               '%(flavor_size)i bytes, minimum size is %(image_min_disk)i bytes.')


class VolumeSmallerThanMinDisk(exceptions.BadRequest):
    msg_fmt = ('Volume is smaller than the minimum size specified in image metadata. '
               'Volume size is %(volume_size)i bytes, minimum size is '
               '%(image_min_disk)i bytes.')


class ZeroDiskFlavorNeedsVolume(exceptions.Forbidden):
    msg_fmt = 'Only volume-backed servers are allowed for flavors with zero disk.'


class InvalidKeyName(exceptions.BadRequest):
    msg_fmt = 'Invalid key_name provided.'


class ZoneNotAvailable(exceptions.BadRequest):
    msg_fmt = 'The requested availability zone is not available'


class GroupNotFound(exceptions.BadRequest):
    msg_fmt = 'Instance group %(group_uuid)s could not be found.'


class NetworkServiceUnavailable(exceptions.BadRequest):
    msg_fmt = ('Networking is not available in this cloud (no network service in the '
               'catalog); create the server with "networks": "none".')


class VolumeServiceUnavailable(exceptions.BadRequest):
    msg_fmt = ('Block storage is not available in this cloud (no volume service in the '
               'catalog); a block device mapping with destination_type "volume" cannot '
               'be built.')


@dataclasses.dataclass
class Caller:
    """Who creates, and what policy lets them do."""
    ctx: object
    is_admin: bool
    may_use_zero_disk_flavor: bool
    service_types: frozenset  # the service types of the token's catalog


@dataclasses.dataclass
class ServerRequest:
    """A create request after ``parse_request``: what to build, normalised."""
    name: str
    image_id: str  # '' when the server boots from a volume or snapshot
    flavor_ref: str
    mappings: list
    # 'none', 'auto' or [{'uuid'|'port', 'fixed_ip'?, 'tag'?}]; None until check_services
    networks: object
    security_groups: list
    min_count: int = 1
    max_count: int = 1
    key_name: str | None = None
    user_data: str | None = None
    metadata: dict = dataclasses.field(default_factory=dict)
    zone: str | None = None
    forced_host: str | None = None
    forced_node: str | None = None
    hints: dict = dataclasses.field(default_factory=dict)
    access_ip_v4: str | None = None
    access_ip_v6: str | None = None
    description: str | None = None
    tags: list = dataclasses.field(default_factory=list)
    auto_disk_config: bool = False
    config_drive: bool = False
    admin_pass: str = ''
    return_reservation_id: bool = False


def _image_id(server):
    ref = server.get('imageRef')
    if not ref:
        if server.get('block_device_mapping_v2'):
            return ''
        raise exceptions.BadRequest('Missing imageRef attribute')
    image_id = request_values.id_from_href(ref)
    if not uuidutils.is_uuid_like(image_id):
        raise exceptions.BadRequest('Invalid imageRef provided.')
    return image_id.lower()


def _networks(requested):
    """Nova's reading of ``networks``; ``None`` for "whatever the project has".

    That is what no ``networks`` (below 2.37) or an empty list ask for:
    ``check_services`` makes it "auto" in a cloud with networking, "none"
    in one without.
    """
    if isinstance(requested, str):
        return requested
    if not requested:
        return None
    networks, ports = [], set()
    for item in requested:
        port = item.get('port')
        if port:
            if port in ports:
                raise exceptions.BadRequest(f"Port ID '{port}' was specified twice: you "
                                            'cannot attach a port multiple times.')
            if item.get('fixed_ip') is not None:
                raise exceptions.BadRequest(
                    f"Specified Fixed IP '{item['fixed_ip']}' cannot be used with port "
                    f"'{port}': the two cannot be specified together.")
            ports.add(port)
            entry = {'port': port}
        elif 'uuid' not in item:
            raise exceptions.BadRequest("Bad network format: missing 'uuid'")
        else:
            entry = {'uuid': item['uuid']}
            if item.get('fixed_ip') is not None:
                entry['fixed_ip'] = item['fixed_ip']
        if item.get('tag'):
            entry['tag'] = item['tag']
        networks.append(entry)
    return networks


def _count(server, key):
    return request_values.parse_int(server.get(key, 1), key)


def checked_user_data(value):
    """``user_data`` of a create or rebuild, if it is base64 text (or ``None``).

    The schemas only bound its length: JSON Schema has no ``base64`` check.

    :raises BadRequest: Nova's message, for anything ``b64decode`` refuses
        (non-ASCII text included).
    """
    if value is None:
        return None
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise exceptions.BadRequest('User data needs to be valid base 64.') from None
    return value


def _zone(value):
    """``(zone, host, node)`` of Nova's ``zone``, ``zone:host`` or ``zone:host:node``."""
    if not value:
        return None, None, None
    zone, _, rest = value.partition(':')
    host, _, node = rest.partition(':')
    return zone or None, host or None, node or None


def _check_name_fits(name, max_count):
    """Servers made together are named ``<name>-1`` … ``<name>-<N>`` (as in Nova), and a
    name has at most ``NAME_LENGTH`` characters: refuse what would not fit."""
    if max_count > 1 and len(f'{name}-{max_count}') > NAME_LENGTH:
        raise exceptions.BadRequest(
            f'The server name is too long to create {max_count} servers: each one is named '
            f"'<name>-<index>', and a name may have at most {NAME_LENGTH} characters.")


def generate_password(length=12):
    alphabet = string.ascii_letters + string.digits
    return ''.join(secrets.choice(alphabet) for _ in range(length))


def parse_request(body, *, max_local_block_devices):
    """The ``ServerRequest`` of a create body the version's schema accepted.

    :raises BadRequest: with Nova's message for what the schema let through.
    """
    server = body['server']
    image_id = _image_id(server)
    mappings = block_device.parse(server.get('block_device_mapping_v2') or [], image_id,
                                  max_local_block_devices)
    min_count, max_count = _count(server, 'min_count'), _count(server, 'max_count')
    if min_count < 1 or max_count < 1:
        raise exceptions.BadRequest('min_count and max_count must be at least 1.')
    if min_count > max_count:
        raise exceptions.BadRequest('min_count must be <= max_count')
    _check_name_fits(server['name'], max_count)
    networks = _networks(server.get('networks'))
    if max_count > 1 and isinstance(networks, list) and any('port' in n for n in networks):
        raise exceptions.BadRequest(
            'Unable to launch multiple instances with a single configured port ID. '
            'Please launch your instance one by one with different ports.')
    zone, host, node = _zone(server.get('availability_zone'))
    hints = dict(body.get('os:scheduler_hints') or body.get('OS-SCH-HNT:scheduler_hints')
                 or {})
    groups = [g['name'] for g in server.get('security_groups') or []] or ['default']
    return ServerRequest(
        name=server['name'], image_id=image_id,
        flavor_ref=request_values.id_from_href(server['flavorRef']),
        mappings=mappings, networks=networks, security_groups=list(dict.fromkeys(groups)),
        min_count=min_count, max_count=max_count, key_name=server.get('key_name'),
        user_data=checked_user_data(server.get('user_data')),
        metadata=server.get('metadata') or {},
        zone=zone, forced_host=host, forced_node=node, hints=hints,
        access_ip_v4=server.get('accessIPv4'), access_ip_v6=server.get('accessIPv6'),
        description=server.get('description'), tags=list(dict.fromkeys(server.get('tags')
                                                                        or [])),
        auto_disk_config=server.get('OS-DCF:diskConfig') == 'AUTO',
        config_drive=strutils.bool_from_string(server.get('config_drive', False)),
        admin_pass=server.get('adminPass') or generate_password(),
        return_reservation_id=strutils.bool_from_string(
            server.get('return_reservation_id', False)))


def check_services(request, caller):
    """Networking and volumes need their services; a cloud without them says so (400).

    It also settles what no ``networks`` means: "auto" with networking, else "none".
    """
    has_network = bool(caller.service_types & NETWORK_SERVICE_TYPES)
    if request.networks is None:
        request.networks = 'auto' if has_network else 'none'
    if request.networks != 'none' and not has_network:
        raise NetworkServiceUnavailable()
    if any(mp.destination_type == 'volume' for mp in request.mappings) \
            and not caller.service_types & VOLUME_SERVICE_TYPES:
        raise VolumeServiceUnavailable()


def check_image(image, flavor, request, caller):
    """The image can boot with this flavor (Nova's checks, in Nova's order)."""
    if image['status'] != 'active':
        raise ImageNotActive(image_id=image['id'])
    if int(image.get('min_ram') or 0) > flavor.memory_mb:
        raise FlavorMemoryTooSmall()
    min_disk = int(image.get('min_disk') or 0)
    if block_device.is_volume_backed(request.mappings):
        root = block_device.root_of(request.mappings)
        if root.volume_size is not None and min_disk > root.volume_size:
            raise VolumeSmallerThanMinDisk(volume_size=root.volume_size * GiB,
                                           image_min_disk=min_disk * GiB)
        return
    if flavor.root_gb:
        size = int(image.get('size') or 0)
        if size > flavor.root_gb * GiB:
            raise FlavorDiskSmallerThanImage(flavor_size=flavor.root_gb * GiB, image_size=size)
        if min_disk > flavor.root_gb:
            raise FlavorDiskSmallerThanMinDisk(flavor_size=flavor.root_gb * GiB,
                                               image_min_disk=min_disk * GiB)
    elif not caller.may_use_zero_disk_flavor:
        raise ZeroDiskFlavorNeedsVolume()


def sanitize_hostname(name, default):
    """Nova's hostname of a display name: lower case, ``[a-z0-9-]``, 63 characters."""
    hostname = name.encode('latin-1', 'ignore').decode('latin-1')[:63]
    hostname = re.sub(r'[ _.]', '-', hostname)
    hostname = re.sub(r'[^\w.-]+', '', hostname, flags=re.ASCII).lower().strip('.-')
    return hostname or default[:63]


def _instances_quota(session, conf, project_id, flavor, request):
    """How many servers to make: ``max_count`` if the quota allows, else as many as it does.

    :raises QuotaExceeded: not even ``min_count`` fit.
    """
    engine = quotas.Quotas(conf)

    def deltas(count):
        return {'instances': count, 'cores': count * flavor.vcpus,
                'ram': count * flavor.memory_mb}
    try:
        engine.enforce(session, project_id, deltas(request.max_count))
        return request.max_count
    except quotas.QuotaExceeded:
        if request.min_count == request.max_count:
            raise
        limits = engine.limits(session, project_id)
        usage = engine.usage(session, project_id)
        fits = request.max_count
        for resource, per_server in deltas(1).items():
            limit = limits.get(resource, -1)
            if limit >= 0 and per_server > 0:
                fits = min(fits, max(0, limit - usage.get(resource, 0)) // per_server)
        if fits < request.min_count:
            raise
        engine.enforce(session, project_id, deltas(fits))
        return fits


def _group(session, conf, caller, request, count):
    group_uuid = request.hints.get('group')
    if not group_uuid:
        return None
    group = session.execute(sa.select(m.ServerGroup).where(
        m.ServerGroup.uuid == group_uuid)).scalar_one_or_none()
    if group is None or group.project_id != caller.ctx.project_id:
        raise GroupNotFound(group_uuid=group_uuid)
    quotas.Quotas(conf).enforce(session, caller.ctx.project_id,
                                {'server_group_members': count}, group_id=group.id)
    return group


def _request_spec(request, image, zone, group):
    spec = {'availability_zone': zone, 'group': group.uuid if group else None,
            'scheduler_hints': request.hints, 'num_attempts': 0, 'ignore_hosts': [],
            'image': None}
    if image is not None:
        # The whole ``image_meta``: the conductor spawns with it instead of
        # asking the image service a second time.
        spec['image'] = dict(image)
    if request.forced_host:
        spec['force_hosts'] = [request.forced_host]
    if request.forced_node:
        spec['force_nodes'] = [request.forced_node]
    return spec


def create_servers(session, conf, caller, request, image):
    """Check the request and store its servers; returns ``(instances, reservation_id)``.

    :param image: the boot image as ``ImageClient.get`` returns it, or ``None``
        for a server whose root disk is a volume or a snapshot.
    :raises BadRequest: unknown flavor, key pair, zone or group; an image
        the flavor cannot boot; local disks the flavor does not give.
    :raises QuotaExceeded: instances, cores, ram, metadata items or group members.
    """
    ctx = caller.ctx
    flavor = flavors.find_usable(session, request.flavor_ref, ctx.project_id, caller.is_admin)
    if image is not None:
        check_image(image, flavor, request, caller)
    block_device.check_against_flavor(request.mappings, flavor)
    key = None
    if request.key_name is not None:
        key = keypairs.get_for_user(session, ctx.user_id, request.key_name)
        if key is None:
            raise InvalidKeyName()
    zone = request.zone or (None if request.forced_host else conf.compute.default_schedule_zone)
    if request.zone and not zones.zone_exists(session, conf, request.zone):
        raise ZoneNotAvailable()
    quotas.Quotas(conf).enforce(session, ctx.project_id,
                                {'metadata_items': len(request.metadata)})
    count = _instances_quota(session, conf, ctx.project_id, flavor, request)
    group = _group(session, conf, caller, request, count)
    reservation_id = 'r-' + ''.join(secrets.choice(string.ascii_lowercase + string.digits)
                                    for _ in range(8))
    snapshot = flavor_json(flavors.snapshot(session, flavor))
    spec = json.dumps(_request_spec(request, image, zone, group))
    instances = []
    for index in range(count):
        name = request.name if count == 1 else f'{request.name}-{index + 1}'
        uuid = uuidutils.generate_uuid()
        instance = m.Instance(
            uuid=uuid, display_name=name, hostname=sanitize_hostname(name, f'Server-{uuid}'),
            description=request.description, project_id=ctx.project_id, user_id=ctx.user_id,
            image_ref=image['id'] if image is not None and not
            block_device.is_volume_backed(request.mappings) else '',
            flavor=snapshot, vcpus=flavor.vcpus, memory_mb=flavor.memory_mb,
            root_gb=flavor.root_gb, ephemeral_gb=flavor.ephemeral_gb,
            key_name=key.name if key else None, key_data=key.public_key if key else None,
            user_data=request.user_data, availability_zone=zone,
            vm_state=states.BUILDING, task_state=states.SCHEDULING, power_state=states.NOSTATE,
            config_drive='True' if request.config_drive else '',
            access_ip_v4=request.access_ip_v4, access_ip_v6=request.access_ip_v6,
            auto_disk_config=request.auto_disk_config, reservation_id=reservation_id,
            launch_index=index, request_spec=spec,
            requested_networks=json.dumps(request.networks),
            security_groups=json.dumps(request.security_groups))
        session.add(instance)
        session.flush()
        _add_children(session, instance, request, group)
        db_api.start_action(session, ctx, uuid, 'create')
        instances.append(instance)
    return instances, reservation_id


def flavor_json(snapshot):
    """``instances.flavor`` of a flavor snapshot: JSON with the id first.

    The ``flavor`` list filter matches the start of this text (the id).
    """
    return json.dumps({'id': snapshot['id'], **snapshot})


def _add_children(session, instance, request, group):
    for mapping in request.mappings:
        session.add(m.BlockDeviceMapping(instance_uuid=instance.uuid, **mapping.columns()))
    for key, value in request.metadata.items():
        session.add(m.InstanceMetadata(instance_uuid=instance.uuid, key=key, value=value))
    for tag in request.tags:
        session.add(m.InstanceTag(instance_uuid=instance.uuid, tag=tag))
    if group is not None:
        session.add(m.ServerGroupMember(group_id=group.id, instance_uuid=instance.uuid))


def fail_build_request(session, instance_uuids, message):
    """Put servers the conductor was never told about in ERROR with a fault.

    Used when the ``build_instances`` cast fails: the servers would
    otherwise stay in BUILD for ever.  They keep their quota until the user
    deletes them, which is done by the API alone, as they have no host.
    """
    for uuid in instance_uuids:
        if db_api.transition(session, uuid, vm_states=[states.BUILDING],
                             task_states=(states.SCHEDULING,), vm_state=states.ERROR,
                             task_state=None):
            db_api.add_fault(session, uuid, 500, message)


class InstanceInvalidState(exceptions.Conflict):
    msg_fmt = "Cannot '%(action)s' instance %(server_id)s while it is in %(attr)s %(state)s"


class InstanceLocked(exceptions.Conflict):
    msg_fmt = 'Instance %(server_id)s is locked'


def check_changeable(instance, action, vm_states, *, is_admin):
    """Nova's guard of changes to metadata and tags: state, no task, not locked.

    :raises InstanceLocked: the server is locked and the caller is no cloud admin.
    :raises InstanceInvalidState: the server is in another vm_state or has a task.
    """
    if instance.locked and not is_admin:
        raise InstanceLocked(server_id=instance.uuid)
    if instance.vm_state not in vm_states:
        raise InstanceInvalidState(action=action, server_id=instance.uuid, attr='vm_state',
                                   state=instance.vm_state)
    if instance.task_state is not None:
        raise InstanceInvalidState(action=action, server_id=instance.uuid,
                                   attr='task_state', state=instance.task_state)
