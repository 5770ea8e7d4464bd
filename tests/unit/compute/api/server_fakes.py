"""What server API tests need besides the app: a fake image service, flavors, a catalog.

``prepare(env)`` gives a compute test env an image service holding
``IMAGE_ID`` (active, 1 MiB), a volume service (``env.storage``, a
``FakeBlockStorage`` behind the real ``VolumeClient``), the flavors ``1``
(m1.tiny) and ``2`` (m1.small), and a token catalog with no network or
volume service (a cloud without them); ``with_catalog(env, 'network')``
adds services.
``make_server`` stores a server as the conductor would have left it.
"""
import json

from compute import images as compute_images
from compute import states
from compute import volumes as volumes_mod
from compute.db import models
from tests.unit.compute.fake_block_storage import FakeBlockStorage

IMAGE_ID = '70a599e0-31e7-49b7-b260-868f441e862b'
OTHER_IMAGE_ID = '155d900f-4e14-4e4c-a73d-069cbf4541e6'
NETWORK_ID = '3cb9bc59-5699-4588-a4b1-b87f96708bc6'
PROJECT = 'project-p'
OTHER_PROJECT = 'project-q'


class FakeImages:
    """Stands in for ``compute.images.ImageClient``: ``images`` by id, ``snapshots`` made,
    ids ``deleted``."""

    def __init__(self):
        self.images = {IMAGE_ID: self.image(IMAGE_ID)}
        self.snapshots = []
        self.deleted = []

    @staticmethod
    def image(image_id, **attrs):
        meta = {'id': image_id, 'name': 'cirros', 'status': 'active', 'min_disk': 0,
                'min_ram': 0, 'size': 1024 * 1024, 'disk_format': 'qcow2',
                'container_format': 'bare', 'properties': {'hw_disk_bus': 'virtio'}}
        meta.update(attrs)
        return meta

    def get(self, ctx, image_id):
        if image_id not in self.images:
            raise compute_images.ImageNotFound(image_id=image_id)
        return dict(self.images[image_id])

    def create_snapshot(self, ctx, name, properties):
        image_id = f'00000000-0000-4000-8000-{len(self.snapshots):012d}'
        self.snapshots.append({'id': image_id, 'name': name, 'properties': properties})
        return image_id

    def delete(self, ctx, image_id):
        self.deleted.append(image_id)


def with_catalog(env, *service_types):
    """Make the tokens of ``env`` list ``service_types`` in their catalog."""
    authenticate = env.app.authenticate

    def with_services(request):
        ctx = authenticate(request)
        ctx.service_catalog = [{'type': t, 'name': t, 'endpoints': []} for t in service_types]
        return ctx
    env.app.authenticate = with_services


def add_flavor(env, flavorid, name, *, ram=512, vcpus=1, disk=1, ephemeral=0, swap=0,
               is_public=True):
    with env.db.writer() as session:
        session.add(models.Flavor(flavorid=flavorid, name=name, memory_mb=ram, vcpus=vcpus,
                                  root_gb=disk, ephemeral_gb=ephemeral, swap=swap,
                                  is_public=is_public))


def prepare(env):
    env.app.images = FakeImages()
    env.storage = FakeBlockStorage()
    env.app.volumes = volumes_mod.VolumeClient(env.conf, connect=env.storage.connect)
    add_flavor(env, '1', 'm1.tiny', ram=512, vcpus=1, disk=1)
    add_flavor(env, '2', 'm1.small', ram=2048, vcpus=2, disk=20, ephemeral=2, swap=512)
    return env


def server_body(**overrides):
    """A create body booting ``IMAGE_ID`` with flavor 1 and no network."""
    server = {'name': 'vm1', 'imageRef': IMAGE_ID, 'flavorRef': '1', 'networks': 'none'}
    server.update(overrides)
    return {'server': {k: v for k, v in server.items() if v is not None}}


def make_server(env, *, project_id=PROJECT, user_id='user-member', name='vm', **columns):
    """Store a server directly (as a build would leave it: active, on ``host1``)."""
    flavor = {'id': '1', 'name': 'm1.tiny', 'vcpus': 1, 'ram': 512, 'disk': 1,
              'ephemeral': 0, 'swap': 0, 'extra_specs': {}}
    values = dict(display_name=name, hostname=name, project_id=project_id, user_id=user_id,
                  image_ref=IMAGE_ID, flavor=json.dumps(flavor), vcpus=1, memory_mb=512,
                  root_gb=1, vm_state=states.ACTIVE, task_state=None,
                  power_state=states.RUNNING, host='host1', node='host1',
                  availability_zone='nova', security_groups='["default"]')
    values.update(columns)
    with env.db.writer() as session:
        instance = models.Instance(**values)
        session.add(instance)
        session.flush()
        return instance.uuid
