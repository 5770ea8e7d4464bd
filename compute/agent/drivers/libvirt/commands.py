"""Running the host tools the driver needs (``qemu-img``, ``ip``, ``mkswap``).

Every command runs without a shell, with the umask 077 (the files a tool
makes, disks and snapshots, are readable by root only: ``layout``
explains who else may read them), and a failure becomes a ``DriverError``
that names the step and quotes the tool's own words: that message is what
an operator reads as the server's fault.
"""
import logging
import subprocess

from compute.agent.drivers.driver import DriverError

LOG = logging.getLogger(__name__)
_PRIVATE_UMASK = 0o077


def run(argv, what):
    """Run ``argv`` and return its standard output.

    :param what: the step, for the error message ("Creating disk …").
    :raises DriverError: the tool is missing or exited with an error.
    """
    LOG.debug('Running %s', argv)
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False,
                              umask=_PRIVATE_UMASK)
    except OSError as exc:
        raise DriverError(f'{what} failed: cannot run {argv[0]}: {exc.strerror}.') from exc
    if done.returncode != 0:
        detail = done.stderr.strip() or done.stdout.strip() or f'exit status {done.returncode}'
        raise DriverError(f'{what} failed: {detail}')
    return done.stdout
