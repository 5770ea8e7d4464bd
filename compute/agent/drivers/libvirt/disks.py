"""Disk files, made and inspected with ``qemu-img`` (and ``mkswap`` for swap).

Instance disks are qcow2.  A root disk is an overlay whose backing file is
the cached image, named with its real format (``-F``) so that QEMU never
probes a format from the data.  A snapshot is flattened into a standalone
qcow2 file with no backing file, ready for upload.
"""
import json
import os
import tempfile

from compute.agent.drivers.driver import DriverError
from compute.agent.drivers.libvirt import commands

GiB = 1024 ** 3
MiB = 1024 ** 2


def info(path, disk_format=None):
    """``qemu-img info`` of ``path`` as a dict (``format``, ``virtual-size``, …).

    :param disk_format: the format to open it as; ``None`` lets qemu-img
        probe it (only for files whose format is then checked).
    """
    argv = ['qemu-img', 'info', '--output=json']
    if disk_format:
        argv += ['-f', disk_format]
    return json.loads(commands.run(argv + [path], f'Reading disk {path}'))


def create_overlay(path, backing_file, backing_format, size=None):
    """A qcow2 file at ``path`` over ``backing_file``, ``size`` bytes (default: the backing's)."""
    argv = ['qemu-img', 'create', '-q', '-f', 'qcow2', '-F', backing_format, '-b', backing_file,
            path]
    if size is not None:
        argv.append(str(size))
    commands.run(argv, f'Creating disk {path}')


def create_blank(path, size):
    """An empty qcow2 file of ``size`` bytes (an ephemeral disk: unformatted)."""
    commands.run(['qemu-img', 'create', '-q', '-f', 'qcow2', path, str(size)],
                 f'Creating disk {path}')


def create_swap(path, size):
    """A qcow2 file of ``size`` bytes holding a formatted swap area.

    ``mkswap`` writes a sparse raw file beside ``path`` (it only writes a
    header), which is then converted: the qcow2 file stays small.
    """
    directory = os.path.dirname(path)
    with tempfile.NamedTemporaryFile(dir=directory, prefix='.swap-', suffix='.raw') as raw:
        raw.truncate(size)
        raw.flush()
        commands.run(['mkswap', raw.name], f'Formatting swap disk {path}')
        convert(raw.name, 'raw', path)


def convert(source, source_format, dest):
    """Copy ``source`` (and its backing chain) into a standalone qcow2 file ``dest``."""
    commands.run(['qemu-img', 'convert', '-f', source_format, '-O', 'qcow2', source, dest],
                 f'Copying disk {source}')


def grow(path, size):
    """Make the qcow2 disk ``path`` ``size`` bytes large, never smaller.

    :raises DriverError: the disk is already larger (shrinking would lose
        data; Nova refuses it as well).
    """
    current = info(path, 'qcow2')['virtual-size']
    if size < current:
        raise DriverError(f'Disk {os.path.basename(path)} cannot shrink from {current} to '
                          f'{size} bytes.')
    if size > current:
        commands.run(['qemu-img', 'resize', '-q', '-f', 'qcow2', path, str(size)],
                     f'Resizing disk {path}')
