"""Reading and writing disk files as a guest would, with qemu-io and qemu-img.

Markers are runs of one byte value at an offset (``qemu-io write -P``):
a test writes them into a volume in its format, and checks them (or
zeros) in whatever the driver made from it.  Nothing here uses the
driver's own code, so a test checks the driver against the tools.
"""
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

MIB = 1024 ** 2
GIB = 1024 ** 3


def run(argv):
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def write(path, fmt, offset, length, byte):
    """Write ``length`` bytes of value ``byte`` at ``offset`` of the disk ``path``."""
    done = run(['qemu-io', '-f', fmt, '-c', f'write -P {byte} {offset} {length}', path])
    assert done.returncode == 0, done.stderr + done.stdout


def holds(path, fmt, offset, length, byte):
    """Whether the disk reads ``length`` bytes of value ``byte`` at ``offset``."""
    done = run(['qemu-io', '-r', '-U', '-f', fmt, '-c', f'read -P {byte} {offset} {length}',
                 path])
    assert 'read' in done.stdout, done.stderr + done.stdout
    return done.returncode == 0 and 'Pattern verification failed' not in done.stdout


def info(path, fmt=None):
    """``qemu-img info`` of ``path`` (probed when ``fmt`` is None: the test's own files)."""
    argv = ['qemu-img', 'info', '-U', '--output=json'] + (['-f', fmt] if fmt else []) + [path]
    done = run(argv)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def make(path, fmt, size, markers=(), backing=None):
    """A disk made by qemu-img with ``(offset, length, byte)`` markers written into it."""
    argv = ['qemu-img', 'create', '-q', '-f', fmt]
    if backing:
        argv += ['-b', backing, '-F', 'raw']
    done = run(argv + [path, str(size)])
    assert done.returncode == 0, done.stderr
    for offset, length, byte in markers:
        write(path, fmt, offset, length, byte)
    return path


@contextlib.contextmanager
def opened_by_guest(path, fmt):
    """Hold the disk open for writing as a running guest's QEMU does (locks included).

    qemu-storage-daemon exports it over NBD, writable, which takes the
    same image locks as a guest's disk.  With ``--daemonize`` it returns
    once the disk is open; it is stopped (by its pid) when the block ends.
    """
    socket_dir = tempfile.mkdtemp(prefix='nbd-')  # short: socket paths are limited
    pidfile = os.path.join(socket_dir, 'pid')
    started = run(['qemu-storage-daemon', '--daemonize', '--pidfile', pidfile,
                    '--nbd-server', f'addr.type=unix,addr.path={socket_dir}/disk.sock',
                    '--blockdev', f'driver=file,filename={path},node-name=file0',
                    '--blockdev', f'driver={fmt},file=file0,node-name=disk0',
                    '--export', 'type=nbd,id=export0,node-name=disk0,writable=on'])
    try:
        assert started.returncode == 0, started.stderr
        with open(pidfile) as f:
            pid = int(f.read())
        try:
            probe = run(['qemu-img', 'convert', '-f', fmt, '-O', 'raw', path,
                          os.path.join(socket_dir, 'probe')])
            assert 'lock' in probe.stderr, 'the disk is not locked as a guest locks it'
            yield
        finally:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 20
            while os.path.exists(f'/proc/{pid}') and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        shutil.rmtree(socket_dir, ignore_errors=True)


def guest_bytes(path, fmt, length, workdir):
    """The first ``length`` bytes the guest sees of the disk (a raw copy, read back)."""
    copy = os.path.join(workdir, 'guest-view.raw')
    done = run(['qemu-img', 'convert', '-U', '-f', fmt, '-O', 'raw', path, copy])
    assert done.returncode == 0, done.stderr
    try:
        with open(copy, 'rb') as f:
            return f.read(length)
    finally:
        os.remove(copy)
