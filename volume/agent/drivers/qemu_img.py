"""Running ``qemu-img``, the one tool the file driver uses on volume data.

Every call names the format of each file it opens (``-f``/``-O``): a
guest can write any bytes into a raw volume, including a qcow2 header
naming a backing file on the host, so qemu-img must never probe a
format from the data.

Commands run without a shell, with the umask 077 (the files made are
readable by root only; libvirt's ``dynamic_ownership`` hands a volume to
QEMU while a guest uses it), and under a timeout: a hung NFS mount or a
runaway copy fails the operation instead of blocking the agent for ever.
A failure becomes a :class:`~volume.agent.drivers.driver.CommandFailed`
that names the step and quotes the tool's own words.

Compute's ``compute/agent/drivers/libvirt/commands.py`` is the same idea
without a timeout and with compute's exception; this module adds both
rather than depending on another service's agent.
"""
import json
import logging
import re
import subprocess

from volume.agent.drivers import driver

LOG = logging.getLogger(__name__)
_PRIVATE_UMASK = 0o077
# Reading a header takes milliseconds; longer means the storage is stuck.
INFO_TIMEOUT = 60
# qemu-img's words when another process (a guest's QEMU) holds the image's lock.
_LOCKED = re.compile(r'Failed to get (shared )?"[a-z ]+" lock')


class ImageLocked(driver.CommandFailed):
    """Another process, normally a running guest's QEMU, has the file open for writing."""


class QemuImg:
    """``qemu-img`` with a time limit on copies and resizes.

    :param timeout: seconds a copy or resize may take.
    """

    def __init__(self, timeout):
        self.timeout = timeout

    def check_installed(self):
        """:raises CommandFailed: qemu-img cannot be run."""
        run(['qemu-img', '--version'], 'Checking qemu-img', INFO_TIMEOUT)

    def info(self, path, fmt):
        """``qemu-img info`` of ``path`` opened as ``fmt``, as a dict (``virtual-size`` …).

        Opens the file with ``--force-share``: reading the header of a
        volume a guest is using must not fail on QEMU's lock.
        """
        out = run(['qemu-img', 'info', '--output=json', '--force-share', '-f', fmt, path],
                  f'Reading {path}', INFO_TIMEOUT)
        return json.loads(out)

    def virtual_size(self, path, fmt):
        """The size in bytes the guest sees of the disk ``path``."""
        return self.info(path, fmt)['virtual-size']

    def create(self, path, fmt, size):
        """A new empty disk ``path`` of ``size`` bytes (a sparse raw file, or a bare qcow2)."""
        run(['qemu-img', 'create', '-q', '-f', fmt, path, str(size)], f'Creating {path}',
            self.timeout)

    def convert(self, source, source_fmt, dest, dest_fmt, force_share=False):
        """Copy the data of ``source`` into a new file ``dest`` in ``dest_fmt``.

        :param force_share: read ``source`` even if a running guest has it
            open (``-U``); the copy then sees whatever the guest had written
            to the file at the moment each part of it was read.
        """
        argv = ['qemu-img', 'convert', '-q', '-f', source_fmt, '-O', dest_fmt]
        if force_share:
            argv.append('-U')
        run(argv + [source, dest], f'Copying {source}', self.timeout)

    def resize(self, path, fmt, size):
        """Grow the disk ``path`` to ``size`` bytes (never called to shrink).

        :raises ImageLocked: a running guest has the file open.
        """
        run(['qemu-img', 'resize', '-q', '-f', fmt, path, str(size)], f'Resizing {path}',
            self.timeout)


def run(argv, what, timeout):
    """Run ``argv`` and return its standard output.

    :param what: the step, for the error message ("Copying …").
    :raises CommandTimedOut: it ran longer than ``timeout`` seconds (it is killed).
    :raises ImageLocked: qemu-img could not lock a file another process uses.
    :raises CommandFailed: the tool is missing or exited with an error.
    """
    LOG.debug('Running %s', argv)
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False,
                              timeout=timeout, umask=_PRIVATE_UMASK)
    except subprocess.TimeoutExpired as exc:
        raise driver.CommandTimedOut(f'{what} failed: {argv[0]} did not finish within '
                                     f'{timeout} seconds and was stopped.') from exc
    except OSError as exc:
        raise driver.CommandFailed(f'{what} failed: cannot run {argv[0]}: '
                                   f'{exc.strerror}.') from exc
    if done.returncode != 0:
        detail = done.stderr.strip() or done.stdout.strip() or f'exit status {done.returncode}'
        error = ImageLocked if _LOCKED.search(detail) else driver.CommandFailed
        raise error(f'{what} failed: {detail}')
    return done.stdout
