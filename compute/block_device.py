"""``block_device_mapping_v2`` of a server create: Nova's rules for what may be asked.

The API schema checks the shape of each mapping; this module checks what
the schema cannot (which combinations of source and destination make
sense, the boot order, local disks against the flavor) with Nova's
messages, and turns the mappings into the rows the conductor builds from.
"""
import dataclasses

from oslo_utils import strutils
from oslo_utils import uuidutils

from common import exceptions
from compute import request_values


class InvalidBDM(exceptions.BadRequest):
    msg_fmt = 'Block Device Mapping is Invalid: %(details)s'


BOOT_SEQUENCE = ('Boot sequence for the instance and image/block device mapping '
                 'combination is not valid.')
LOCALS_LIMIT = 'You specified more local devices than the limit allows'


@dataclasses.dataclass
class Mapping:
    """One disk a server asked for, normalised (the columns of ``BlockDeviceMapping``)."""
    source_type: str
    destination_type: str
    boot_index: int | None = None
    uuid: str | None = None
    volume_size: int | None = None
    delete_on_termination: bool = False
    device_name: str | None = None
    device_type: str | None = None
    disk_bus: str | None = None
    guest_format: str | None = None
    tag: str | None = None

    @property
    def is_local_blank(self):
        return self.source_type == 'blank' and self.destination_type == 'local'

    def columns(self):
        """The ``BlockDeviceMapping`` columns of this mapping."""
        ids = {f'{self.source_type}_id': self.uuid} if self.source_type != 'blank' else {}
        return {'source_type': self.source_type, 'destination_type': self.destination_type,
                'boot_index': self.boot_index, 'volume_size': self.volume_size,
                'delete_on_termination': self.delete_on_termination,
                'device_name': self.device_name, 'device_type': self.device_type,
                'disk_bus': self.disk_bus, 'guest_format': self.guest_format,
                'tag': self.tag, **ids}


def _boot_index(value):
    if value is None:
        return None
    index = int(value)
    return index if index >= 0 else None


def from_api(item, image_specified):
    """A ``Mapping`` of one API mapping (already checked by the schema).

    :param image_specified: the request has an ``imageRef``; only then may a
        mapping of the image to a local disk be given (as boot index 0, the
        way ``openstack server create --image`` sends it).
    :raises InvalidBDM: the combination makes no sense.
    """
    source = item.get('source_type')
    if source is None:
        raise InvalidBDM(details='Missing source_type field.')
    destination = item.get('destination_type') or (
        'volume' if source in ('volume', 'snapshot') else 'local')
    uuid = item.get('uuid')
    if source == 'blank' and uuid:
        raise InvalidBDM(details='Invalid device UUID.')
    if source != 'blank':
        if not uuid:
            raise InvalidBDM(details='Missing device UUID.')
        if not uuidutils.is_uuid_like(uuid):
            raise InvalidBDM(details='Invalid device UUID.')
    boot_index = _boot_index(item.get('boot_index'))
    if source == 'image' and destination == 'local' and not (image_specified
                                                            and boot_index == 0):
        raise InvalidBDM(details='Mapping image to local is not supported.')
    if source in ('volume', 'snapshot') and destination == 'local':
        raise InvalidBDM(details=f'Mapping {source} to local is not supported.')
    size = item.get('volume_size')
    size = request_values.parse_int(size, 'volume_size', minimum=0) if size is not None else None
    if destination == 'volume' and source in ('image', 'blank') and not size:
        raise InvalidBDM(details=f"Mappings of source_type '{source}' to destination_type "
                                 "'volume' need a non-zero volume_size.")
    default_delete = source == 'image' and destination == 'local'
    delete = item.get('delete_on_termination')
    delete = strutils.bool_from_string(delete) if delete is not None else default_delete
    return Mapping(source_type=source, destination_type=destination, boot_index=boot_index,
                   uuid=uuid.lower() if uuid else None, volume_size=size,
                   delete_on_termination=delete,
                   device_name=item.get('device_name'), device_type=item.get('device_type'),
                   disk_bus=item.get('disk_bus'), guest_format=item.get('guest_format'),
                   tag=item.get('tag'))


def parse(items, image_id, max_local):
    """The ``Mapping`` list of a request, with the image's root disk first when it has one.

    :param items: the request's ``block_device_mapping_v2`` (may be empty).
    :param image_id: the request's image (``''`` when it boots from a volume).
    :param max_local: ``[compute] max_local_block_devices`` (-1: no limit).
    :raises InvalidBDM: a mapping is invalid, the boot order has holes or
        there are more local disks than allowed.
    """
    mappings = [from_api(item, bool(image_id)) for item in items if not item.get('no_device')]
    boot_indexes = sorted(m.boot_index for m in mappings if m.boot_index is not None)
    if image_id and 0 not in boot_indexes:
        mappings.insert(0, Mapping(source_type='image', destination_type='local', boot_index=0,
                                   uuid=image_id, delete_on_termination=True))
        boot_indexes.insert(0, 0)
    if boot_indexes != list(range(len(boot_indexes))) or not boot_indexes:
        raise InvalidBDM(details=BOOT_SEQUENCE)
    root = root_of(mappings)
    if root.source_type == 'image' and root.destination_type == 'local':
        root.uuid = image_id
    local = sum(1 for m in mappings if m.destination_type == 'local')
    if max_local >= 0 and local > max_local:
        raise InvalidBDM(details=LOCALS_LIMIT)
    return mappings


def root_of(mappings):
    return next(m for m in mappings if m.boot_index == 0)


def is_volume_backed(mappings):
    return root_of(mappings).destination_type == 'volume'


def boot_image(mappings, image_id):
    """The image a server's root disk comes from, or ``''`` (a volume or a snapshot)."""
    root = root_of(mappings)
    return root.uuid if root.source_type == 'image' else image_id or ''


def check_against_flavor(mappings, flavor):
    """Local swap and ephemeral disks must fit what the flavor gives (Nova's rules)."""
    ephemeral_total = 0
    for mapping in mappings:
        if not mapping.is_local_blank:
            continue
        if mapping.guest_format == 'swap':
            size = mapping.volume_size if mapping.volume_size is not None else flavor.swap
            if size > flavor.swap:
                raise exceptions.BadRequest('Swap drive requested is larger than instance '
                                            'type allows.')
        else:
            ephemeral_total += (mapping.volume_size if mapping.volume_size is not None
                                else flavor.ephemeral_gb)
    if ephemeral_total > flavor.ephemeral_gb:
        raise exceptions.BadRequest(
            'Ephemeral disks requested are larger than the instance type allows. If no size '
            'is given in one block device mapping, flavor ephemeral size will be used.')
