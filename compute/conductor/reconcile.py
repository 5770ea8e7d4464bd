"""What a conductor picks up at start: builds whose message was lost.

The API stores a server (``scheduling``) and then casts ``build_instances``;
if every conductor was down, or the one holding the message died before
claiming, the server would stay in BUILD forever.  At start, a conductor
re-casts the builds that have waited in ``scheduling`` with no claim for
longer than ``service_down_time`` (so that builds still in flight to a
live conductor are left to it).  Two conductors starting at once may both
re-cast one server: the build's first transition lets only one proceed,
and the loser gives its claim back.

The re-cast carries a context of the conductor itself with the request id
of the server's ``create`` action, so its events join that action; it has
no user token, so a server that asked for networks fails to get ports and
goes to ERROR with the reason, rather than waiting forever.
"""
import datetime
import logging

import sqlalchemy as sa

from compute import states
from compute.conductor import events
from compute.db import models as m

LOG = logging.getLogger(__name__)


def lost_builds(deps):
    """``[(context, uuid)]`` of the builds to start again."""
    cutoff = deps.now() - datetime.timedelta(seconds=deps.conf.service_down_time)
    with deps.db.reader() as session:
        claimed = sa.select(m.Allocation.instance_uuid).where(
            m.Allocation.instance_uuid == m.Instance.uuid).exists()
        uuids = session.execute(sa.select(m.Instance.uuid).where(
            m.Instance.vm_state == states.BUILDING, m.Instance.task_state == states.SCHEDULING,
            m.Instance.deleted_at.is_(None), m.Instance.updated_at < cutoff,
            ~claimed)).scalars().all()
        return [(events.context_of_last_action(session, uuid, 'create'), uuid)
                for uuid in uuids]


def resume_lost_builds(deps, conductor_api):
    """Re-cast the lost builds, one message each (any conductor may take it)."""
    for ctx, uuid in lost_builds(deps):
        LOG.warning('Server %s has waited to be scheduled since before this conductor '
                    'started; building it again', uuid)
        conductor_api.build_instances(ctx, [uuid])
