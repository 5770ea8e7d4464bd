"""Volume commands: list, show, create, delete.

They mirror the ``openstack`` CLI's ``volume …`` commands: volumes,
snapshots and images are named by name or id, ``--property key=value``
sets metadata, and ``volume show`` prints ``metadata`` as ``properties``
and ``volume_type`` as ``type``.
"""
from stratus.cli.image import _key_value
from stratus.cli.output import Listing, Record

# How ``volume show`` names fields, as the openstack CLI does; ``links`` is left out.
_RENAMED = {'metadata': 'properties', 'volume_type': 'type'}


def _volume_record(volume):
    return Record({_RENAMED.get(k, k): v for k, v in volume.items() if k != 'links'})


def _attached_to(attachments):
    return '\n'.join(f"Attached to {a.get('server_id')} on {a.get('device')}"
                     for a in attachments or ())


def volume_list(conn, args):
    volumes = conn.block_storage.volumes(all_projects=args.all_projects, name=args.name,
                                         status=args.status)
    columns = ['ID', 'Name', 'Status', 'Size', 'Attached to']
    if args.long:
        columns += ['Type', 'Bootable', 'Properties']
    rows = []
    for v in volumes:
        row = [v.id, v.get('name'), v.get('status'), v.get('size'), v.get('attachments')]
        if args.long:
            row += [v.get('volume_type'), v.get('bootable'), v.get('metadata')]
        rows.append(row)
    return Listing(columns, rows, formatters={'Attached to': _attached_to})


def volume_show(conn, args):
    return _volume_record(conn.block_storage.find_volume(args.volume))


def volume_create(conn, args):
    storage = conn.block_storage
    volume = storage.create_volume(
        args.size, name=args.name, description=args.description, volume_type=args.type,
        availability_zone=args.availability_zone, metadata=dict(args.properties) or None,
        image_id=conn.image.find_image(args.image) if args.image else None,
        snapshot_id=storage.find_snapshot(args.snapshot) if args.snapshot else None,
        source_volid=storage.find_volume(args.source) if args.source else None)
    return _volume_record(volume)


def volume_delete(conn, args):
    for name_or_id in args.volumes:
        conn.block_storage.delete_volume(conn.block_storage.find_volume(name_or_id),
                                         ignore_missing=False, cascade=args.purge,
                                         force=args.force)


def register(add):
    """Add the volume commands; ``add(words, fn, help)`` returns the leaf parser."""
    p = add(['volume', 'list'], volume_list, 'List volumes.')
    p.add_argument('--name', help='Only volumes of this name.')
    p.add_argument('--status', help='Only volumes in this status.')
    p.add_argument('--all-projects', action='store_true',
                   help="Every project's volumes (admin).")
    p.add_argument('--long', action='store_true', help='More columns.')

    p = add(['volume', 'show'], volume_show, 'Show a volume.')
    p.add_argument('volume', help='Volume (name or ID).')

    p = add(['volume', 'create'], volume_create, 'Create a volume.')
    p.add_argument('name', nargs='?', help='Name of the new volume.')
    p.add_argument('--size', type=int, help='Size in GiB (default with --snapshot or '
                                            '--source: theirs).')
    p.add_argument('--type', help='Volume type (name or ID).')
    source = p.add_mutually_exclusive_group()
    source.add_argument('--image', help='Image to write on the volume (name or ID).')
    source.add_argument('--snapshot', help='Snapshot to copy (name or ID).')
    source.add_argument('--source', help='Volume to clone (name or ID).')
    p.add_argument('--description', help='Description of the volume.')
    p.add_argument('--availability-zone', help='Availability zone of the volume.')
    p.add_argument('--property', dest='properties', metavar='<key=value>', type=_key_value,
                   action='append', default=[], help='Set a property (repeat for more).')

    p = add(['volume', 'delete'], volume_delete, 'Delete volumes.')
    p.add_argument('volumes', nargs='+', metavar='volume', help='Volume (name or ID).')
    p.add_argument('--force', action='store_true',
                   help='Delete whatever the status of the volume (admin).')
    p.add_argument('--purge', action='store_true', help='Delete its snapshots too.')
