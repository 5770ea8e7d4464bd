"""Builders of the volume conductor's unit tests: backends as they report, a recording
agent API, and volumes the API created."""
import datetime

import sqlalchemy as sa

from common.db.types import utcnow
from volume import rpcapi
from volume import service_names
from volume.conductor import backend_reports
from volume.db import models as m


def report_backend(env, host='node-1@file', zone='nova', name='file', free=100.0, total=200.0,
                   reserved=0, multiattach=True):
    """The agent of ``host`` reports itself (alive now)."""
    backend_reports.report_state(env.db, rpcapi.BackendState(
        host=host, availability_zone=zone,
        capabilities={'volume_backend_name': name, 'driver': 'file',
                      'storage_protocol': 'file', 'total_capacity_gb': total,
                      'free_capacity_gb': free, 'reserved_percentage': reserved,
                      'multiattach': multiattach, 'formats': ['raw', 'qcow2'],
                      'default_format': 'raw'}))


def silence(env, host, seconds=3600):
    """The agent of ``host`` fell silent ``seconds`` ago."""
    with env.db.writer() as session:
        session.execute(sa.update(m.Service).where(
            m.Service.host == host, m.Service.binary == service_names.AGENT_BINARY)
            .values(last_seen_up=utcnow() - datetime.timedelta(seconds=seconds)))


def disable(env, host):
    with env.db.writer() as session:
        session.execute(sa.update(m.Service).where(m.Service.host == host)
                        .values(disabled=True))


def created(env, as_='member', **attrs):
    """A volume the API stored, and the request spec it cast."""
    volume = env.api.volume(as_=as_, **attrs)
    [spec] = [c['request_spec'] for c in env.conductor.named('create_volume')
              if c['volume_id'] == volume['id']]
    return volume, spec


class RecordingAgents:
    """Stands in for ``rpcapi.AgentAPI``: records the casts; ``fail`` makes them raise."""

    def __init__(self):
        self.calls = []
        self.fail = False

    def _record(self, method, backend, **kwargs):
        if self.fail:
            raise ConnectionError('AMQP server on 127.0.0.1:5672 is unreachable')
        self.calls.append((method, backend, kwargs))

    def create_volume(self, ctx, backend, volume, snapshot=None, source_volume=None,
                      image=None):
        made_from = {'image': image} if image is not None else {}
        self._record('create_volume', backend, volume=volume, snapshot=snapshot,
                     source_volume=source_volume, **made_from)

    def copy_volume_to_image(self, ctx, backend, volume, image):
        self._record('copy_volume_to_image', backend, volume=volume, image=image)

    def delete_volume(self, ctx, backend, volume, snapshots=()):
        self._record('delete_volume', backend, volume=volume, snapshots=list(snapshots))

    def extend_volume(self, ctx, backend, volume, new_size):
        self._record('extend_volume', backend, volume=volume, new_size=new_size)
