"""Formats qemu can open but this cloud does not accept.

They are recognised only so that they cannot pass as ``raw``: qemu
probes these signatures when it is not told the format, and several of
them (QED backing files, LUKS key slots, Parallels/ploop extents) carry
features the other inspectors exist to keep out.  None of them is a
valid ``disk_format`` here, so the dispatcher never inspects them
further: detecting one always ends in a format mismatch.
"""
import typing


class Signature(typing.NamedTuple):
    """A format name and the magic bytes at the start of its files."""
    name: str
    magic: bytes


SIGNATURES = (
    Signature('qed', b'QED\0'),
    Signature('luks', b'LUKS\xba\xbe'),
    Signature('ploop', b'WithoutFreeSpace'),
    Signature('ploop', b'WithouFreSpacExt'),
    Signature('bochs', b'Bochs Virtual HD Image'),
    Signature('cloop', b'#!/bin/sh\n#V2.0 Format\nmodprobe cloop file=$0'),
)

_LONGEST = max(len(signature.magic) for signature in SIGNATURES)


def detect(reader):
    """Return the names of the foreign formats whose magic starts the file."""
    head = reader.peek(0, _LONGEST)
    return sorted({signature.name for signature in SIGNATURES if head.startswith(signature.magic)})
