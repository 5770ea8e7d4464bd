"""The qemu-img wrapper: formats always named, time limits, errors that say what failed.

The command lines are recorded at the process boundary (``run``); the
error handling runs real, trivial commands.
"""
import json

import pytest

from volume.agent.drivers import driver
from volume.agent.drivers import qemu_img


@pytest.fixture
def commands(monkeypatch):
    """Every ``(argv, timeout)`` qemu-img is run with; ``info`` answers a 1 GiB disk."""
    ran = []

    def run(argv, what, timeout):
        ran.append((argv, timeout))
        return json.dumps({'virtual-size': 1024 ** 3}) if argv[1] == 'info' else ''
    monkeypatch.setattr(qemu_img, 'run', run)
    return ran


def test_every_file_is_opened_with_its_format_named(commands):
    tool = qemu_img.QemuImg(timeout=300)
    assert tool.virtual_size('/v/a', 'raw') == 1024 ** 3
    tool.create('/v/b', 'qcow2', 1024)
    tool.convert('/v/a', 'raw', '/v/c', 'qcow2')
    tool.convert('/v/a', 'qcow2', '/v/d', 'raw', force_share=True)
    tool.resize('/v/b', 'qcow2', 2048)
    assert [argv for argv, _ in commands] == [
        ['qemu-img', 'info', '--output=json', '--force-share', '-f', 'raw', '/v/a'],
        ['qemu-img', 'create', '-q', '-f', 'qcow2', '/v/b', '1024'],
        ['qemu-img', 'convert', '-q', '-f', 'raw', '-O', 'qcow2', '/v/a', '/v/c'],
        ['qemu-img', 'convert', '-q', '-f', 'qcow2', '-O', 'raw', '-U', '/v/a', '/v/d'],
        ['qemu-img', 'resize', '-q', '-f', 'qcow2', '/v/b', '2048']]


def test_reading_headers_has_a_short_limit(commands):
    qemu_img.QemuImg(timeout=3000).info('/v/a', 'raw')
    qemu_img.QemuImg(timeout=3000).convert('/v/a', 'raw', '/v/b', 'raw')
    assert [timeout for _, timeout in commands] == [qemu_img.INFO_TIMEOUT, 3000]


def test_output_is_returned():
    assert qemu_img.run(['echo', 'hello'], 'Greeting', 10) == 'hello\n'


def test_failure_quotes_the_tool():
    with pytest.raises(driver.CommandFailed, match='^Copying x failed: it broke$') as caught:
        qemu_img.run(['sh', '-c', 'echo it broke >&2; exit 1'], 'Copying x', 10)
    assert not isinstance(caught.value, qemu_img.ImageLocked)


def test_silent_failure_gives_the_exit_status():
    with pytest.raises(driver.CommandFailed, match='exit status 3'):
        qemu_img.run(['sh', '-c', 'exit 3'], 'Copying x', 10)


def test_missing_tool():
    with pytest.raises(driver.CommandFailed, match='cannot run /nonexistent/qemu-img'):
        qemu_img.run(['/nonexistent/qemu-img', 'info'], 'Reading x', 10)


def test_a_command_over_its_time_is_stopped():
    with pytest.raises(driver.CommandTimedOut, match='did not finish within 0.2 seconds'):
        qemu_img.run(['sleep', '30'], 'Copying x', 0.2)


@pytest.mark.parametrize('words', [
    'qemu-img: Could not open \'v\': Failed to get "write" lock',
    'qemu-img: Could not open \'v\': Failed to get shared "write" lock',
    'qemu-img: Could not open \'v\': Failed to get "resize" lock'])
def test_a_lock_held_by_another_process_is_recognised(words):
    script = f'echo {json.dumps(words)} >&2; echo "Is another process using the image?" >&2; ' \
             f'exit 1'
    with pytest.raises(qemu_img.ImageLocked, match='Failed to get'):
        qemu_img.run(['sh', '-c', script], 'Resizing v', 10)
