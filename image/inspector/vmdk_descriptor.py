"""The VMDK text descriptor, and what makes one self-contained.

A descriptor lists the disk's *extents*: the files that hold its data.
qemu opens whatever they name, so a descriptor naming ``/etc/hosts`` or
another host file leaks it into the guest (OSSA-2023-002), and a
``parentFileNameHint`` makes qemu open a parent disk like a qcow2 backing
file.  Only a sparse file whose embedded descriptor describes that one
file is accepted.

The parser is deliberately strict (as oslo.utils' is): every line must
be a comment, a ``ddb.*`` entry, a known ``key=value`` or an extent, and
anything else is refused, because qemu's own parser looks for substrings
and can be steered by text we would otherwise skip.
"""
import dataclasses
import re

from image.inspector.errors import ImageRejected

SELF_CONTAINED_TYPES = ('monolithicSparse', 'streamOptimized')
NO_PARENT_CID = 'ffffffff'

# Keys of the descriptor header that carry no reference to another file.
_SAFE_KEYS = ('version', 'encoding', 'cid', 'parentcid', 'isnativesnapshot', 'createtype')
# Keys that name another file: a parent disk or a change-tracking file.
_REFERENCE_KEYS = ('parentfilenamehint', 'changetrackpath')

# ASCII semantics, so that only the separators qemu knows separate.
_KEY_VALUE = re.compile(r'^([A-Za-z][A-Za-z0-9_.]*)\s*=\s*(.*)$', re.ASCII)
_EXTENT = re.compile(r'^(RW|RDONLY|NOACCESS)\s+(\d+)\s+([A-Za-z]+)'
                     r'(?:\s+"([^"]*)"(?:\s+(\d+))?)?$', re.IGNORECASE | re.ASCII)
_QUOTED_NAME = re.compile(r'"([^"\n]*)"')
_UNSAFE_NAME = re.compile(r'[/\\:\x00-\x1f\x7f]')


@dataclasses.dataclass(frozen=True)
class Extent:
    """One extent line: ``ACCESS SECTORS TYPE "FILE" [OFFSET]``."""
    access: str
    sectors: int
    kind: str
    filename: str
    offset: int


@dataclasses.dataclass(frozen=True)
class Descriptor:
    """The parts of a descriptor the safety rules look at."""
    create_type: str
    parent_cid: str
    extents: tuple


def looks_like_descriptor(head):
    """True when ``head`` (the first 2 KiB) reads as a descriptor file.

    qemu probes a text VMDK by skipping comment and blank lines and
    finding ``version=``; this is a superset of that rule, so that
    anything qemu would open as VMDK is detected as VMDK here.
    """
    for line in head.split(b'\n'):
        stripped = line.strip()
        if not stripped or stripped.startswith(b'#'):
            continue
        return stripped.replace(b' ', b'').lower().startswith(b'version=')
    return False


def parse(text):
    """Parse an embedded descriptor, refusing anything unrecognised.

    :param text: the descriptor, already cut at its terminating NUL
    :raises ImageRejected: for a reference to another file or a line or
        key the inspector does not know
    """
    lowered = text.lower()
    for key in _REFERENCE_KEYS:
        # Searched in the whole text, comments included, as qemu does.
        if key in lowered:
            raise ImageRejected(f'the VMDK descriptor references another file ({key})')
    if lowered.count('createtype') > 1:
        raise ImageRejected('the VMDK descriptor names its createType more than once')
    values, extents = {}, []
    for raw_line in text.split('\n'):
        line = raw_line.strip()
        if not line or line.startswith('#') or line.lower().startswith('ddb.'):
            continue
        extent = _EXTENT.match(line)
        if extent:
            access, sectors, kind, filename, offset = extent.groups()
            extents.append(Extent(access.upper(), int(sectors), kind.upper(),
                                  filename or '', int(offset or 0)))
            continue
        _add_key_value(values, line)
    return Descriptor(create_type=values.get('createtype', ''),
                      parent_cid=values.get('parentcid', NO_PARENT_CID).lower(),
                      extents=tuple(extents))


def _add_key_value(values, line):
    pair = _KEY_VALUE.match(line)
    if not pair:
        raise ImageRejected(f'the VMDK descriptor has a line the inspector does not recognise '
                            f'({line[:60]!r})')
    key = pair.group(1).lower()
    if key not in _SAFE_KEYS:
        raise ImageRejected(f'the VMDK descriptor has an unknown key ({pair.group(1)[:40]!r})')
    if key in values:
        raise ImageRejected(f'the VMDK descriptor sets {pair.group(1)} more than once')
    values[key] = pair.group(2).strip().strip('"')


def check_self_contained(descriptor, capacity_sectors):
    """Accept only one sparse extent that is the file itself.

    :param capacity_sectors: the capacity from the sparse header, which
        the extent must match
    :raises ImageRejected: naming the first rule broken
    """
    create_type = descriptor.create_type
    if create_type.lower() not in (t.lower() for t in SELF_CONTAINED_TYPES):
        raise ImageRejected(f'VMDK subformat {create_type!r} is not supported; only '
                            f'{" and ".join(SELF_CONTAINED_TYPES)} VMDK images are allowed')
    if descriptor.parent_cid != NO_PARENT_CID:
        raise ImageRejected('the VMDK is a delta disk that needs a parent disk '
                            f'(parentCID {descriptor.parent_cid})')
    for extent in descriptor.extents:
        if extent.filename and not is_local_name(extent.filename):
            raise ImageRejected(outside_reference(extent.filename))
    if len(descriptor.extents) != 1:
        raise ImageRejected(f'the VMDK descriptor lists {len(descriptor.extents)} extents; a '
                            'single-file VMDK has exactly one')
    extent = descriptor.extents[0]
    if extent.kind != 'SPARSE' or not extent.filename or extent.offset \
            or extent.access == 'NOACCESS':
        raise ImageRejected(f'the VMDK extent ({extent.access} {extent.kind} {extent.filename!r}) '
                            'is not a readable SPARSE extent stored in the image itself')
    if extent.sectors != capacity_sectors:
        raise ImageRejected(f'the VMDK descriptor declares {extent.sectors} sectors but its '
                            f'header declares {capacity_sectors}')


def is_local_name(filename):
    """True for a bare file name: no directory, drive, URL or control bytes.

    An embedded extent names the file it was created as; that name is
    meaningless once uploaded, so only its form can be checked.
    """
    return bool(filename) and not filename.startswith('.') and not _UNSAFE_NAME.search(filename)


def outside_reference(filename):
    """The rejection reason for an extent that names another file."""
    return f'the VMDK descriptor references a file outside the image (extent {filename!r})'


def describe_descriptor_file(text):
    """The rejection reason for a descriptor-only VMDK.

    Such a file holds no data at all: every extent is another file.  The
    reason names the first extent file, when one can be found, so the
    user sees what the image tried to reach.
    """
    extent_names = (_QUOTED_NAME.search(line) for line in text.split('\n')
                    if _EXTENT.match(line.strip()))
    for found in extent_names:
        if found:
            return (f'{outside_reference(found.group(1))}; only single-file '
                    f'{" and ".join(SELF_CONTAINED_TYPES)} VMDK images are allowed')
    return ('the data is a VMDK descriptor without embedded data; only single-file '
            f'{" and ".join(SELF_CONTAINED_TYPES)} VMDK images are allowed')
