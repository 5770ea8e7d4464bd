"""What the libvirt driver's tests share besides fixtures: image records, servers, waits."""
import dataclasses
import hashlib
import os
import tempfile
import time
import uuid

from stratus.image import transfer

PREFIX = 'stratus-test-'
BANNER = '=== Stratus guest '
BOOT_TIMEOUT = 90  # seconds to the banner: about 15 s usually, more on a loaded machine
FLAVOR = {'id': 'f-small', 'name': 'stratus-test-small', 'vcpus': 1, 'ram': 256, 'disk': 1,
          'ephemeral': 0, 'swap': 0, 'extra_specs': {}}


def traversable_tempdir(prefix):
    """A new directory under /tmp that QEMU (another user) can reach (mkdtemp makes 0700)."""
    path = tempfile.mkdtemp(prefix=prefix, dir='/tmp')
    os.chmod(path, 0o755)
    return path


@dataclasses.dataclass
class GuestImage:
    """The files ``build-guest-image`` made, and the image ids the tests serve them as."""
    directory: str
    command_line: str
    kernel_id: str = dataclasses.field(default_factory=lambda: str(uuid.uuid4()))
    ramdisk_id: str = dataclasses.field(default_factory=lambda: str(uuid.uuid4()))
    root_id: str = dataclasses.field(default_factory=lambda: str(uuid.uuid4()))

    def files(self):
        """``{image id: path}``."""
        return {self.kernel_id: os.path.join(self.directory, 'vmlinuz'),
                self.ramdisk_id: os.path.join(self.directory, 'initrd'),
                self.root_id: os.path.join(self.directory, 'rootfs.qcow2')}

    def image_meta(self, **changes):
        """The root disk's ``image_meta`` as the conductor sends it."""
        meta = {'id': self.root_id, 'name': 'stratus-test-guest', 'disk_format': 'qcow2',
                'container_format': 'bare',
                'properties': {'kernel_id': self.kernel_id, 'ramdisk_id': self.ramdisk_id,
                               'os_command_line': self.command_line}}
        meta.update(changes)
        return meta


class _FileResponse:
    """A streamed download of a local file, as ``stratus.image.transfer.save`` reads one."""

    def __init__(self, path, altered):
        self.headers = {}
        self._path, self._altered = path, altered

    def iter_content(self, size):
        with open(self._path, 'rb') as f:
            yield from iter(lambda: f.read(size), b'')
        if self._altered:
            yield b'altered on the way'


class LocalImageService:
    """A ``SpawnRequest.fetch_image`` serving local files, verified by their sha512.

    The data goes through the SDK's ``transfer.save``, the code that
    verifies a real download from the image service.

    :ivar fetched: the image ids asked for, in order.
    :ivar corrupt: ids of images whose data arrives altered (a checksum mismatch).
    """

    def __init__(self, files):
        self._files = dict(files)
        self.fetched = []
        self.corrupt = set()

    def add(self, image_id, path):
        self._files[image_id] = path

    def __call__(self, image_id, stream):
        self.fetched.append(image_id)
        source = self._files[image_id]
        with open(source, 'rb') as f:
            digest = hashlib.file_digest(f, 'sha512').hexdigest()
        transfer.save(_FileResponse(source, image_id in self.corrupt), stream,
                      {'id': image_id, 'os_hash_algo': 'sha512', 'os_hash_value': digest})


def make_instance(flavor=None, **fields):
    """The ``InstancePayload`` of a new server."""
    instance_uuid = str(uuid.uuid4())
    instance = {'uuid': instance_uuid, 'name': 'vm-' + instance_uuid[:8],
                'hostname': 'vm-' + instance_uuid[:8], 'project_id': 'p-test',
                'user_id': 'u-test', 'image_ref': None, 'flavor': dict(flavor or FLAVOR),
                'key_name': None, 'key_data': None, 'user_data': None, 'metadata': {},
                'config_drive': True, 'availability_zone': 'nova', 'launch_index': 0,
                'reservation_id': 'r-test', 'created_at': '2026-01-01T00:00:00'}
    instance.update(fields)
    return instance


def make_port():
    """A ``network_info`` entry on a network of its own, so that its bridge is the test's."""
    return {'port_id': str(uuid.uuid4()), 'network_id': str(uuid.uuid4()),
            'network_name': 'stratus-test-net',
            'mac': 'fa:16:3e:%02x:%02x:%02x' % tuple(os.urandom(3)), 'ips': []}


def device_exists(name):
    return os.path.exists(f'/sys/class/net/{name}')


def bridge_of(device):
    """The bridge ``device`` is plugged into, or ``None``."""
    master = f'/sys/class/net/{device}/master'
    return os.path.basename(os.readlink(master)) if os.path.exists(master) else None


def wait_for_console(drv, instance, text, count=1, timeout=BOOT_TIMEOUT):
    """Wait until ``text`` is in the console log ``count`` times; the log."""
    deadline = time.monotonic() + timeout
    while True:
        log = drv.get_console_output(instance)
        if log.count(text) >= count:
            return log
        if time.monotonic() > deadline:
            raise AssertionError(f'{text!r} is in the console {log.count(text)} times, not '
                                 f'{count}, after {timeout} s; it ends with:\n{log[-2000:]}')
        time.sleep(0.5)
