"""Pushing each host's state to its agent, after changes and periodically.

The API casts ``resources_changed`` after every change, and an agent that
turns up (new, or back from the dead) counts as one too: both only mark
the states dirty.  ``tick`` runs every ``manager.PUSH_POLL_INTERVAL`` seconds in the
conductor and, when they are dirty or ``state_push_interval`` has passed,
makes one push: schedule (``scheduling``), refresh the floating IPs'
status, then build the state of every host with an alive agent and cast it
there.  Changes that arrive during a push mark the states dirty again, so
a burst of them costs one more push, not one each.  A state equal to the
last one sent to that host is not sent again except by the periodic push.
"""
import hashlib
import json
import logging
import threading
import time

import sqlalchemy as sa

from common.context import RequestContext
from network import agents as agent_rules
from network import rpcapi
from network.conductor import floating_ip_status
from network.conductor import host_state
from network.conductor import scheduling
from network.db import models as m
from network.db import retry

LOG = logging.getLogger(__name__)


def _digest(state):
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def agent_hosts(session, conf):
    """The hosts with an alive network agent, sorted."""
    rows = session.execute(sa.select(m.Agent).where(m.Agent.topic == rpcapi.AGENT_TOPIC))
    return sorted({a.host for a in rows.scalars()
                   if agent_rules.is_alive(a, conf.agent_down_time)})


class StatePusher:
    """:param agent_api: a ``network.rpcapi.AgentAPI``."""

    def __init__(self, conf, db, agent_api):
        self._conf = conf
        self._db = db
        self._agent_api = agent_api
        self._dirty = threading.Event()
        self._last_full = None  # monotonic time of the last periodic push
        self._sent = {}  # host -> digest of the state last sent there

    def mark_dirty(self):
        self._dirty.set()

    def tick(self):
        """Push if the states are dirty or the periodic push is due."""
        now = time.monotonic()
        full = self._last_full is None or \
            now - self._last_full >= self._conf.state_push_interval
        if not (full or self._dirty.is_set()):
            return
        self._dirty.clear()
        if full:
            self._last_full = now
        try:
            self.push(full)
        except Exception:
            self._dirty.set()  # the database was away: try again at the next tick
            raise

    def push(self, full=True):
        """Schedule, then send every alive agent's host its state.

        :param full: send even the states that did not change since last sent.
        """
        scheduling.schedule(self._db, self._conf)
        retry.in_writer(self._db, lambda s: floating_ip_status.refresh(s, self._conf))
        with self._db.reader() as session:
            hosts = agent_hosts(session, self._conf)
        self._sent = {h: d for h, d in self._sent.items() if h in hosts}
        for host in hosts:
            try:
                with self._db.reader() as session:
                    state = host_state.build(session, self._conf, host)
                digest = _digest(state)
                if not full and self._sent.get(host) == digest:
                    continue
                self._agent_api.sync_state(RequestContext.admin(), host, state)
                self._sent[host] = digest
            except Exception:  # one host must not keep the others from their state
                LOG.exception('Could not push the state of host %s', host)
