"""A conductor and fake agents in one process, on ``fake://`` RPC and SQLite.

``Cloud`` starts a real ``ConductorService`` (real scheduler, real
database schema) and an ``AgentProcess`` of fake-driver hosts on one
in-process transport; only the network and image services are stand-ins
(``FakeNetwork``, ``FakeImages``), because they are other services.
Tests cast through ``compute.rpcapi.ConductorAPI`` as the API does and
wait for the database to show the outcome.
"""
import json
import threading
import time
import uuid as uuid_mod

import sqlalchemy as sa

from common import rpc
from common.context import RequestContext
from common.db.session import Database
from compute import conf as compute_conf
from compute import rpcapi
from compute import states
from compute.agent.hosts import AgentProcess
from compute.conductor import scheduler
from compute.conductor.deps import Deps
from compute.conductor.manager import ConductorService
from compute.db import api as db_api
from compute.db import models as m
from compute.network import NetworkServiceError
from tests.unit import make_conf

FLAVOR = {'id': '1', 'name': 'm1.tiny', 'vcpus': 1, 'ram': 512, 'disk': 1, 'ephemeral': 0,
          'swap': 0, 'extra_specs': {}}
BIG = {'id': '2', 'name': 'm1.small', 'vcpus': 2, 'ram': 2048, 'disk': 20, 'ephemeral': 0,
       'swap': 0, 'extra_specs': {}}
IMAGE = 'c0ffee00-0000-4000-8000-000000000001'


def wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f'timed out waiting for {predicate}')
        time.sleep(0.01)


class FakeNetwork:
    """Stands in for ``compute.network.NetworkClient``; ``fail`` (an exception) makes
    allocations raise it; ``port_status`` is the status of the ports it makes
    (``DOWN``: not wired yet, the build waits for network-vif-plugged)."""

    def __init__(self):
        self.ports = {}  # port id -> instance uuid, for ports that exist
        self.fail = None
        self.fail_deallocate = False
        self.port_status = 'ACTIVE'

    def allocate_ports(self, ctx, instance_uuid, requested_networks, security_groups, *,
                       zone=None, host=None):
        if self.fail is not None:
            raise self.fail
        ports = []
        for request in requested_networks:
            port_id = str(uuid_mod.uuid4())
            self.ports[port_id] = instance_uuid
            ports.append({'id': port_id, 'network_id': request['uuid'],
                          'mac_address': 'fa:16:3e:00:00:01',
                          'fixed_ips': [{'ip_address': '10.0.0.5'}],
                          'status': self.port_status, 'created_by_compute': True})
        return ports

    def list_networks(self, ctx, network_ids):
        return [{'id': n, 'name': f'net-{n[:4]}'} for n in set(network_ids)]

    def deallocate_ports(self, ctx, ports):
        if self.fail_deallocate:
            raise NetworkServiceError(reason='network down')
        for port in ports:
            self.ports.pop(port['id'], None)


class FakeImages:
    """Stands in for ``compute.images.ImageClient`` (what the conductor reads and deletes);
    ``deleted`` holds ``(user_id, image_id)`` of each delete."""

    def __init__(self):
        self.missing = set()
        self.deleted = []

    def get(self, ctx, image_id):
        if image_id in self.missing:
            raise LookupError(f'Image {image_id} could not be found.')
        return {'id': image_id, 'name': 'cirros', 'disk_format': 'qcow2', 'properties': {}}

    def delete(self, ctx, image_id):
        self.deleted.append((ctx.user_id, image_id))


class FakeSnapshotImages:
    """Stands in for ``compute.agent.images.SnapshotImages`` (what the agent uploads)."""

    def __init__(self):
        self.uploaded = {}
        self.deleted = []
        self.fail = False

    def upload(self, ctx, image_id, source):
        if self.fail:
            raise RuntimeError('image service down')
        self.uploaded[image_id] = source.read()

    def delete(self, ctx, image_id):
        self.deleted.append(image_id)


class RecordingNotifier:
    def __init__(self):
        self.sent = []

    def info(self, ctx, event_type, payload):
        self.sent.append((event_type, payload))

    def events(self, instance_uuid):
        return [e for e, p in self.sent if p.get('instance_id') == instance_uuid]


class Cloud:
    """A conductor and ``hosts`` fake agent hosts; ``start()`` them, ``stop()`` after."""

    def __init__(self, state_path, hosts=2, **overrides):
        settings = dict(host='node', report_interval=1,
                        control_exchange=f'test-{uuid_mod.uuid4().hex}',
                        oslo_messaging_notifications__driver=['noop'],
                        fake_driver__host_count=hosts, fake_driver__vcpus=4,
                        fake_driver__memory_mb=4096, fake_driver__local_gb=40,
                        scheduler__ram_allocation_ratio=1.0,
                        scheduler__cpu_allocation_ratio=1.0,
                        conductor__power_sync_interval=0, conductor__agent_timeout=3,
                        conductor__build_timeout=0)
        settings.update(overrides)
        state_path.mkdir(parents=True, exist_ok=True)
        self.conf = make_conf(state_path, register=compute_conf.register_opts, **settings)
        # A file, not ``sqlite://``: in-memory SQLite is one connection, which
        # the conductor's threads cannot share.
        self.db = Database(f'sqlite:///{state_path}/compute.sqlite')
        m.Base.metadata.create_all(self.db.engine)
        self.transport = rpc.get_transport(self.conf)
        self.network = FakeNetwork()
        self.images = FakeImages()
        self.snapshots = FakeSnapshotImages()
        self.notifier = RecordingNotifier()
        self.deps = Deps(conf=self.conf, db=self.db,
                         agents=rpcapi.AgentAPI(self.conf, transport=self.transport),
                         notifier=self.notifier, scheduler=scheduler, network=self.network,
                         images=self.images)
        self.conductor = ConductorService(self.conf, self.deps, transport=self.transport)
        self.agents = AgentProcess(self.conf, transport=self.transport,
                                   snapshot_images=self.snapshots)
        self.api = rpcapi.ConductorAPI(self.conf, transport=self.transport)
        self.host_names = [h.host for h in self.agents.hosts]

    def start(self, agents=True):
        self.conductor.start()
        if agents:
            self.agents.start()
            wait_until(lambda: self.node_count() == len(self.host_names))
        return self

    def stop(self):
        stopping = threading.Thread(target=self.conductor.stop, args=(5,))
        stopping.start()
        if not self.agents.stopped:
            self.agents.stop(timeout=5)
        stopping.join()
        self.db.dispose()

    def driver(self, host):
        return next(h.driver for h in self.agents.hosts if h.host == host)

    def node_count(self):
        with self.db.reader() as session:
            return session.execute(sa.select(sa.func.count()).select_from(m.ComputeNode)
                                   ).scalar_one()

    # --- servers ---------------------------------------------------------------

    def create_server(self, *, flavor=FLAVOR, networks='none', image=IMAGE, request_id=None,
                      **values):
        """A server as the API stores it (building/scheduling) with its ``create`` action.

        :returns: ``(uuid, ctx)``; ``ctx`` carries the action's request id.
        """
        ctx = RequestContext(request_id=request_id or f'req-{uuid_mod.uuid4()}',
                             user_id='u1', project_id='p1', roles=['member'])
        with self.db.writer() as session:
            row = m.Instance(display_name='vm', project_id='p1', user_id='u1', image_ref=image,
                             flavor=json.dumps(flavor), vcpus=flavor['vcpus'],
                             memory_mb=flavor['ram'], root_gb=flavor['disk'],
                             vm_state=states.BUILDING, task_state=states.SCHEDULING,
                             request_spec=json.dumps({'ignore_hosts': [], 'num_attempts': 0}),
                             requested_networks=json.dumps(networks), **values)
            session.add(row)
            session.flush()
            db_api.start_action(session, ctx, row.uuid, 'create')
            return row.uuid, ctx

    def boot(self, **kwargs):
        """Create a server, cast its build and wait until it is ACTIVE."""
        uuid, ctx = self.create_server(**kwargs)
        self.api.build_instances(ctx, [uuid])
        self.wait_for(uuid, vm_state=states.ACTIVE)
        return uuid

    def server(self, uuid):
        with self.db.reader() as session:
            return db_api.get_instance(session, uuid, include_deleted=True)

    def wait_for(self, uuid, timeout=10.0, **expected):
        def matches():
            row = self.server(uuid)
            return row if all(getattr(row, k) == v for k, v in expected.items()) else None
        return wait_until(matches, timeout)

    def start_action(self, uuid, action, task_state, params=None, vm_states=None):
        """Do what the API does for an action: set the task, record it, cast it."""
        ctx = RequestContext(request_id=f'req-{uuid_mod.uuid4()}', user_id='u1',
                             project_id='p1', roles=['member'])
        with self.db.writer() as session:
            assert db_api.transition(session, uuid, vm_states=vm_states,
                                     task_states=db_api.ANY, task_state=task_state)
            db_api.start_action(session, ctx, uuid, action)
        self.api.run_action(ctx, uuid, action, params)
        return ctx

    def allocations(self, uuid=None):
        with self.db.reader() as session:
            stmt = sa.select(m.Allocation.instance_uuid, m.ComputeNode.host).join(
                m.ComputeNode, m.ComputeNode.id == m.Allocation.node_id)
            if uuid is not None:
                stmt = stmt.where(m.Allocation.instance_uuid == uuid)
            return [tuple(r) for r in session.execute(stmt).all()]

    def used(self, host):
        with self.db.reader() as session:
            node = session.execute(sa.select(m.ComputeNode).where(
                m.ComputeNode.host == host)).scalar_one()
            return node.vcpus_used, node.memory_mb_used, node.local_gb_used

    def fault(self, uuid):
        with self.db.reader() as session:
            return db_api.latest_faults(session, [uuid]).get(uuid)

    def events(self, ctx, uuid):
        with self.db.reader() as session:
            action = db_api.find_action(session, uuid, ctx.request_id)
            return [(e.event, e.result) for e in session.execute(
                sa.select(m.InstanceActionEvent)
                .where(m.InstanceActionEvent.action_id == action.id)
                .order_by(m.InstanceActionEvent.id)).scalars()]
