"""The conductor's RPC endpoints and its process.

The methods of ``ConductorManager`` have the names of
``compute.rpcapi.ConductorAPI``'s and hand the work to one module each:
``build`` (build_instances, and the agents' ``instance_event``),
``actions`` (run_action), ``agent_reports`` (report_state),
``power_sync`` (sync_power_states), ``vif_plugging``
(external_instance_event), ``volume_attach`` (attach_volume,
detach_volume).  The conductor is the only writer of
what agents report.

Casts have no caller to tell about a failure, so every cast endpoint
logs its exception instead of letting oslo.messaging swallow it.
"""
import functools
import logging

from common import exceptions
from common import service
from compute import rpcapi
from compute.conductor import actions
from compute.conductor import agent_reports
from compute.conductor import build
from compute.conductor import payloads
from compute.conductor import power_sync
from compute.conductor import reconcile
from compute.conductor import vif_plugging
from compute.conductor import volume_attach
from compute.db import api as db_api

LOG = logging.getLogger(__name__)
BINARY = 'stratus-compute-conductor'


def _logged(method):
    @functools.wraps(method)
    def wrapper(self, ctxt, **kwargs):
        try:
            return method(self, ctxt, **kwargs)
        except Exception:
            LOG.exception('%s(%s) failed', method.__name__, kwargs)
            raise
    return wrapper


class ConductorManager:

    def __init__(self, deps):
        self._deps = deps

    @_logged
    def build_instances(self, ctxt, instance_uuids):
        build.build_instances(self._deps, ctxt, instance_uuids)

    @_logged
    def run_action(self, ctxt, instance_uuid, action, params):
        actions.run_action(self._deps, ctxt, instance_uuid, action, params or {})

    def get_console_output(self, ctxt, instance_uuid, length=None):
        """:raises NotFound: no such server.  :raises Conflict: it has no host
        or its host has no guest.  :raises ServiceUnavailable: the host did
        not answer."""
        with self._deps.db.reader() as session:
            row = db_api.get_instance(session, instance_uuid)
            if row is None:
                raise exceptions.NotFound(f'Instance {instance_uuid} could not be found.')
            if not row.host:
                raise exceptions.Conflict(f'Instance {instance_uuid} is not ready: it has '
                                          f'no host yet.')
            host, instance = row.host, payloads.instance(session, row)
        try:
            return self._deps.agents.get_console_output(ctxt, host, instance, length)
        except rpcapi.Timeout:
            raise exceptions.ServiceUnavailable(
                f'Host {host} did not answer for the console of {instance_uuid}.') from None
        except Exception as exc:  # the guest is missing on its host
            raise exceptions.Conflict(f'The console of instance {instance_uuid} is not '
                                      f'available: {exc}') from None

    @_logged
    def report_state(self, ctxt, host, resources):
        agent_reports.report_state(self._deps, host, resources)

    @_logged
    def instance_event(self, ctxt, instance_uuid, host, event, ok, power_state=None,
                       error=None):
        if event != 'spawn':
            LOG.error('Unknown event %r from %s for server %s ignored', event, host,
                      instance_uuid)
            return
        build.spawned(self._deps, ctxt, instance_uuid, host, ok, power_state, error)

    @_logged
    def sync_power_states(self, ctxt, host, power_states, startup=False):
        power_sync.sync_power_states(self._deps, host, power_states, startup=startup)

    @_logged
    def external_instance_event(self, ctxt, events):
        vif_plugging.external_instance_event(self._deps, events)

    @_logged
    def attach_volume(self, ctxt, instance_uuid, volume_id, mountpoint=None):
        volume_attach.attach_volume(self._deps, ctxt, instance_uuid, volume_id, mountpoint)

    @_logged
    def detach_volume(self, ctxt, instance_uuid, volume_id):
        volume_attach.detach_volume(self._deps, ctxt, instance_uuid, volume_id)


class ConductorService(service.Service):
    """A conductor process: the endpoints, its heartbeat, build and vif plugging
    timeouts, lost builds and abandoned tasks."""

    def __init__(self, conf, deps, transport=None):
        self._deps = deps
        tasks = []
        if conf.conductor.build_timeout:
            interval = max(1, min(60, conf.conductor.build_timeout // 4))
            tasks.append(service.PeriodicTask('build_timeouts', interval,
                                              functools.partial(build.fail_stuck_builds, deps),
                                              initial_delay=interval))
        if conf.compute.vif_plugging_timeout:
            interval = max(1, min(60, conf.compute.vif_plugging_timeout // 4))
            tasks.append(service.PeriodicTask(
                'vif_plugging_timeouts', interval,
                functools.partial(vif_plugging.fail_timeouts, deps), initial_delay=interval))
        interval = conf.conductor.agent_timeout * reconcile.ABANDONED_AFTER
        tasks.append(service.PeriodicTask(
            'abandoned_tasks', interval, functools.partial(reconcile.reset_abandoned_tasks, deps),
            initial_delay=interval))
        super().__init__(conf, binary=BINARY, topic=rpcapi.CONDUCTOR_TOPIC,
                         endpoints=[ConductorManager(deps)],
                         rpc_version=rpcapi.CONDUCTOR_VERSION,
                         heartbeat=functools.partial(agent_reports.conductor_heartbeat, deps),
                         periodic_tasks=tasks, transport=transport)
        self._conductor_api = rpcapi.ConductorAPI(conf, transport=transport)

    def start(self):
        super().start()
        try:
            reconcile.resume_lost_builds(self._deps, self._conductor_api)
            reconcile.reset_abandoned_tasks(self._deps)
        except Exception:  # the database or the bus may be down at start
            LOG.exception('Could not look for lost builds and abandoned tasks')
