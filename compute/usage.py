"""Usage accounting: how long each server ran in a period, and what it held.

This is what ``os-simple-tenant-usage`` reports and what operators bill
from, so it follows Nova's arithmetic exactly:

* a server counts from ``launched_at`` (it never ran, it costs nothing)
  until ``terminated_at`` (or, for a server still running, the end of
  the period), clipped to the period;
* ``hours`` is that overlap in hours (a float); vCPU, RAM (MiB) and disk
  (GiB, root plus ephemeral) hours are the flavor's amounts times
  ``hours``, summed per project;
* servers are taken in (project, server id) order, so a page of usage
  (2.40's ``marker``/``limit``) continues exactly where the last ended.

The caller caps the period's end at the present (Nova's API does), so a
running server is never charged for time that has not happened yet.
A deleted server whose ``terminated_at`` was never set is taken to end
at ``deleted_at``, so that it cannot run up hours forever.
"""
import dataclasses
import datetime
import json

import sqlalchemy as sa

from common import exceptions
from compute.db import models as m

SECONDS_PER_HOUR = 3600.0


class MarkerNotFound(exceptions.BadRequest):
    msg_fmt = 'Marker %(marker)s could not be found.'


@dataclasses.dataclass(frozen=True)
class Period:
    """A half-open accounting period ``[start, stop)`` in naive UTC."""
    start: datetime.datetime
    stop: datetime.datetime


def _ended_at(instance):
    return instance.terminated_at or instance.deleted_at


def hours_in_period(launched_at, ended_at, period):
    """Hours of ``[launched_at, ended_at or period.stop]`` that fall in ``period``."""
    if launched_at is None or launched_at > period.stop:
        return 0
    if ended_at is not None and ended_at < period.start:
        return 0
    start = max(launched_at, period.start)
    stop = min(period.stop, ended_at) if ended_at is not None else period.stop
    return (stop - start).total_seconds() / SECONDS_PER_HOUR


def servers_in_period(session, period, *, project_id=None, limit=None, marker=None):
    """The servers (deleted ones too) that ran at some time during ``period``.

    :param marker: the id of the last server of the previous page.
    :raises MarkerNotFound: when no server has the id ``marker``.
    """
    ended = sa.func.coalesce(m.Instance.terminated_at, m.Instance.deleted_at)
    stmt = sa.select(m.Instance).where(
        sa.or_(ended.is_(None), ended > period.start),
        m.Instance.launched_at < period.stop)
    if project_id is not None:
        stmt = stmt.where(m.Instance.project_id == project_id)
    if marker is not None:
        row = session.execute(sa.select(m.Instance.project_id, m.Instance.uuid).where(
            m.Instance.uuid == marker)).first()
        if row is None:
            raise MarkerNotFound(marker=marker)
        stmt = stmt.where(sa.tuple_(m.Instance.project_id, m.Instance.uuid) > tuple(row))
    stmt = stmt.order_by(m.Instance.project_id, m.Instance.uuid)
    if limit is not None:
        stmt = stmt.limit(limit)
    return session.execute(stmt).scalars().all()


def _flavor_name(instance):
    try:
        return json.loads(instance.flavor or '{}').get('name') or ''
    except ValueError:
        return ''


def server_usage(instance, period, now):
    """One entry of ``server_usages``, with datetimes still as datetimes."""
    ended_at = _ended_at(instance)
    hours = hours_in_period(instance.launched_at, ended_at, period)
    uptime = (ended_at or now) - instance.launched_at
    return {'hours': hours, 'flavor': _flavor_name(instance),
            'instance_id': instance.uuid, 'name': instance.display_name,
            'tenant_id': instance.project_id, 'memory_mb': instance.memory_mb,
            'local_gb': instance.root_gb + (instance.ephemeral_gb or 0),
            'vcpus': instance.vcpus, 'started_at': instance.launched_at,
            'ended_at': ended_at,
            'state': 'terminated' if ended_at is not None else instance.vm_state,
            'uptime': int(uptime.total_seconds())}


def tenant_usages(instances, period, now, *, detailed):
    """Per-project sums over ``instances``, in the order projects first appear.

    :returns: ``(summaries, server_usages)``: the per-project dicts (with
        their ``server_usages`` when ``detailed``) and every server's usage,
        in order (its last entry is the next page's marker).
    """
    summaries = {}
    servers = []
    for instance in instances:
        usage = server_usage(instance, period, now)
        summary = summaries.get(usage['tenant_id'])
        if summary is None:
            summary = {'tenant_id': usage['tenant_id'], 'total_local_gb_usage': 0,
                       'total_vcpus_usage': 0, 'total_memory_mb_usage': 0,
                       'total_hours': 0, 'start': period.start, 'stop': period.stop}
            if detailed:
                summary['server_usages'] = []
            summaries[usage['tenant_id']] = summary
        summary['total_local_gb_usage'] += usage['local_gb'] * usage['hours']
        summary['total_vcpus_usage'] += usage['vcpus'] * usage['hours']
        summary['total_memory_mb_usage'] += usage['memory_mb'] * usage['hours']
        summary['total_hours'] += usage['hours']
        if detailed:
            summary['server_usages'].append(usage)
        servers.append(usage)
    return list(summaries.values()), servers
