"""Image commands: list, show, create, set, unset, save, delete, and sharing.

They mirror the ``openstack`` CLI's ``image …`` commands: images are named
by name or id, ``--property key=value`` sets a free property, ``image
show`` gathers everything that is not a core attribute under
``properties``, and ``image create --file`` uploads the data at once
(deleting the new image if the upload fails, as the openstack CLI does).
"""
import argparse
import contextlib
import sys

from stratus import exceptions
from stratus.cli.output import Listing, Record

# What ``image show`` prints as fields of their own, as the openstack CLI does.
_SHOWN = ('checksum', 'container_format', 'created_at', 'disk_format', 'file', 'id',
          'min_disk', 'min_ram', 'name', 'owner', 'protected', 'schema', 'size', 'status',
          'tags', 'updated_at', 'virtual_size', 'visibility')


def _image_record(image):
    fields = {k: image.get(k) for k in _SHOWN}
    fields['properties'] = {k: v for k, v in image.items() if k not in _SHOWN and k != 'self'}
    return Record(fields)


def _key_value(text):
    """``key=value`` of ``--property``, as a pair."""
    key, sep, value = text.partition('=')
    if not sep or not key:
        raise argparse.ArgumentTypeError(f'expected key=value, got {text!r}')
    return key, value


class _ProgressBar:
    """Draws ``[=====     ]  50%`` on a terminal stream, as transfers report progress."""

    WIDTH = 40

    def __init__(self, stream):
        self._stream = stream

    def __call__(self, done, total):
        if total:
            filled = self.WIDTH * done // total
            text = f'[{"=" * filled}{" " * (self.WIDTH - filled)}] {100 * done // total:3d}%'
        else:
            text = f'{done} bytes'
        self._stream.write(f'\r{text}')
        self._stream.flush()

    def end(self):
        self._stream.write('\n')
        self._stream.flush()


def _transfer(args, call, **kwargs):
    """Run ``call(**kwargs, progress=…)`` with a progress bar on stderr if ``--progress``."""
    bar = _ProgressBar(sys.stderr) if args.progress else None
    try:
        return call(**kwargs, progress=bar)
    finally:
        if bar is not None:
            bar.end()


def _attributes(args):
    """The image attributes given by the options shared by ``create`` and ``set``."""
    attrs = dict(args.properties)
    for name in ('visibility', 'min_disk', 'min_ram', 'protected'):
        if getattr(args, name) is not None:
            attrs[name] = getattr(args, name)
    return attrs


def _project_id(conn, name_or_id, domain):
    """The id of a project, or as the openstack CLI does the value itself when the lookup
    is forbidden (members may not look projects up)."""
    try:
        domain_id = conn.identity.find_domain(domain).id if domain else None
        return conn.identity.find_project(name_or_id, domain_id=domain_id).id
    except exceptions.Forbidden:
        return name_or_id


# --- images ------------------------------------------------------------------------

def image_list(conn, args):
    filters = dict(args.properties)
    filters.update(name=args.name, status=args.status, visibility=args.visibility,
                   tag=args.tags or None)
    images = conn.image.images(**filters)
    if args.long:
        columns = ['ID', 'Name', 'Disk Format', 'Container Format', 'Size', 'Checksum',
                   'Status', 'Visibility', 'Protected', 'Project', 'Tags']
        rows = [[i.id, i.name, i.disk_format, i.container_format, i.size, i.checksum,
                 i.status, i.visibility, i.protected, i.owner, i.tags] for i in images]
        return Listing(columns, rows)
    return Listing(['ID', 'Name', 'Status'], [[i.id, i.name, i.status] for i in images])


def image_show(conn, args):
    return _image_record(conn.image.find_image(args.image))


def _open_source(path):
    """The file to upload from (``-``: standard input), opened before anything is created."""
    if path == '-':
        return contextlib.nullcontext(sys.stdin.buffer)
    try:
        return open(path, 'rb')
    except OSError as exc:
        raise exceptions.SDKError(f'Cannot read {path}: {exc.strerror}.') from None


def image_create(conn, args):
    opened = _open_source(args.file) if args.file else contextlib.nullcontext()
    with opened as source:
        image = conn.image.create_image(name=args.name, disk_format=args.disk_format,
                                        container_format=args.container_format,
                                        tags=args.tags or None, **_attributes(args))
        if source is not None:
            try:
                _transfer(args, conn.image.upload_image_data, image=image, source=source)
            except BaseException:
                with contextlib.suppress(exceptions.SDKError):
                    conn.image.delete_image(image)
                raise
    return _image_record(conn.image.get_image(image))


def image_set(conn, args):
    image = conn.image.find_image(args.image)
    changes = _attributes(args)
    if args.name is not None:
        changes['name'] = args.name
    if changes:
        conn.image.update_image(image, **changes)
    for tag in args.tags:
        conn.image.add_tag(image, tag)
    if args.membership:
        conn.image.update_member(image, conn.access.project_id, args.membership)


def image_unset(conn, args):
    image = conn.image.find_image(args.image)
    if args.property_names:
        conn.image.remove_image_properties(image, *args.property_names)
    for tag in args.tags:
        conn.image.remove_tag(image, tag)


def image_save(conn, args):
    image = conn.image.find_image(args.image)
    destination = args.file or sys.stdout.buffer
    try:
        _transfer(args, conn.image.download_image_data, image=image, destination=destination)
    except OSError as exc:
        raise exceptions.SDKError(f'Cannot write {args.file or "standard output"}: '
                                  f'{exc.strerror}.') from None


def image_delete(conn, args):
    for name_or_id in args.images:
        conn.image.delete_image(conn.image.find_image(name_or_id), ignore_missing=False)


# --- sharing -------------------------------------------------------------------------

def _member_record(member):
    return Record({k: member.get(k) for k in ('created_at', 'image_id', 'member_id',
                                              'schema', 'status', 'updated_at')})


def image_add_project(conn, args):
    image = conn.image.find_image(args.image)
    member = conn.image.add_member(image, _project_id(conn, args.project,
                                                      args.project_domain))
    return _member_record(member)


def image_remove_project(conn, args):
    image = conn.image.find_image(args.image)
    conn.image.remove_member(image, _project_id(conn, args.project, args.project_domain),
                             ignore_missing=False)


def image_member_list(conn, args):
    members = conn.image.members(conn.image.find_image(args.image))
    return Listing(['Image ID', 'Member ID', 'Status'],
                   [[m.image_id, m.member_id, m.status] for m in members])


# --- the parser ----------------------------------------------------------------------

def _visibility_options(parser, template):
    group = parser.add_mutually_exclusive_group()
    for visibility, who in (('public', 'every project'), ('private', 'its own project only'),
                            ('shared', 'its project and the projects it is shared with'),
                            ('community', 'every project, without being listed')):
        group.add_argument(f'--{visibility}', dest='visibility', action='store_const',
                           const=visibility, help=template.format(who))


def _property_option(parser, help_text):
    parser.add_argument('--property', dest='properties', metavar='<key=value>',
                        type=_key_value, action='append', default=[], help=help_text)


def _attribute_options(parser):
    _property_option(parser, 'Set a property (repeat for more).')
    _visibility_options(parser, 'Make the image visible to {}.')
    parser.add_argument('--tag', dest='tags', metavar='<tag>', action='append', default=[],
                        help='Add a tag (repeat for more).')
    parser.add_argument('--min-disk', type=int, help='Minimum disk size, in GiB.')
    parser.add_argument('--min-ram', type=int, help='Minimum RAM size, in MiB.')
    group = parser.add_mutually_exclusive_group()
    group.add_argument('--protected', dest='protected', action='store_const', const=True,
                       help='Protect the image from deletion.')
    group.add_argument('--unprotected', dest='protected', action='store_const', const=False,
                       help='Allow the image to be deleted.')


def _project_arguments(parser):
    parser.add_argument('image', help='Image (name or ID).')
    parser.add_argument('project', help='Project (name or ID).')
    parser.add_argument('--project-domain', help='Domain of the project, when its name '
                                                 'is not unique.')


def register(add):
    """Add the image commands; ``add(words, fn, help)`` returns the leaf parser."""
    p = add(['image', 'list'], image_list, 'List images.')
    p.add_argument('--name', help='Only images of this name.')
    p.add_argument('--status', help='Only images in this status.')
    _visibility_options(p, 'Only images visible to {}.')
    _property_option(p, 'Only images with this property value (repeat for more).')
    p.add_argument('--tag', dest='tags', metavar='<tag>', action='append', default=[],
                   help='Only images with this tag (repeat for more).')
    p.add_argument('--long', action='store_true', help='More columns.')

    p = add(['image', 'show'], image_show, 'Show an image.')
    p.add_argument('image', help='Image (name or ID).')

    p = add(['image', 'create'], image_create, 'Create an image and upload its data.')
    p.add_argument('name', help='Name of the new image.')
    p.add_argument('--file', help='File of the image data ("-" for standard input).')
    p.add_argument('--disk-format', default='raw',
                   help='Disk format: raw, qcow2, vmdk, iso … (default: raw).')
    p.add_argument('--container-format', default='bare',
                   help='Container format: bare, ovf, ova … (default: bare).')
    p.add_argument('--progress', action='store_true', help='Show upload progress.')
    _attribute_options(p)

    p = add(['image', 'set'], image_set, 'Change an image, or accept or reject a shared one.')
    p.add_argument('image', help='Image (name or ID).')
    p.add_argument('--name', help='New name.')
    _attribute_options(p)
    group = p.add_mutually_exclusive_group()
    for status, flag in (('accepted', 'accept'), ('rejected', 'reject'),
                         ('pending', 'pending')):
        group.add_argument(f'--{flag}', dest='membership', action='store_const', const=status,
                           help=f'Set the membership of your project to {status}.')

    p = add(['image', 'unset'], image_unset, 'Remove properties or tags of an image.')
    p.add_argument('image', help='Image (name or ID).')
    p.add_argument('--property', dest='property_names', metavar='<key>', action='append',
                   default=[], help='Remove this property (repeat for more).')
    p.add_argument('--tag', dest='tags', metavar='<tag>', action='append', default=[],
                   help='Remove this tag (repeat for more).')

    p = add(['image', 'save'], image_save, "Save an image's data, verified, to a file.")
    p.add_argument('image', help='Image (name or ID).')
    p.add_argument('--file', help='File to write (default: standard output).')
    p.add_argument('--progress', action='store_true', help='Show download progress.')

    p = add(['image', 'delete'], image_delete, 'Delete images.')
    p.add_argument('images', nargs='+', metavar='image', help='Image (name or ID).')

    _project_arguments(add(['image', 'add', 'project'], image_add_project,
                           'Share an image with a project.'))
    _project_arguments(add(['image', 'remove', 'project'], image_remove_project,
                           'Stop sharing an image with a project.'))
    p = add(['image', 'member', 'list'], image_member_list,
            'List the projects an image is shared with.')
    p.add_argument('image', help='Image (name or ID).')
