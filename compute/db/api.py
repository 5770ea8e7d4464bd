"""Queries on servers shared by the API and the conductor: store and fetch, no rules."""
import json

import sqlalchemy as sa

from common.db.types import utcnow
from compute.db import models as m

ANY = object()  # "whatever it is" for an expected task_state


def get_instance(session, instance_uuid, *, include_deleted=False):
    """The server, or ``None`` (deleted ones only with ``include_deleted``)."""
    instance = session.execute(sa.select(m.Instance).where(
        m.Instance.uuid == instance_uuid)).scalar_one_or_none()
    if instance is None or (instance.deleted_at is not None and not include_deleted):
        return None
    return instance


def lock_instance(session, instance_uuid):
    """The server (not deleted), row-locked until the transaction ends, or ``None``.

    Two writers that each change one row and read the other's (a port
    reported wired, a guest reported spawned) both lock the server first, so
    that the second sees what the first wrote.
    """
    return session.execute(sa.select(m.Instance).where(
        m.Instance.uuid == instance_uuid, m.Instance.deleted_at.is_(None))
        .with_for_update()).scalar_one_or_none()


def transition(session, instance_uuid, *, vm_states=None, task_states=(None,), where=(),
               **values):
    """Change a server only if it is in one of the expected states, atomically.

    :param vm_states: the ``vm_state`` values it may be in (``None``: any).
    :param task_states: the ``task_state`` values it may be in; ``(None,)``
        (the default) means "no task running"; ``ANY`` means any.
    :param where: further conditions (``models.Instance.host == 'h1'``): the
        conductor only acts on an agent's report while the server is still
        on the reporting host.
    :param values: the columns to set (``task_state=…``, ``vm_state=…`` …).
    :returns: True when this call made the change; False when the server
        was not in an expected state (another request won) or is deleted.
    """
    stmt = (sa.update(m.Instance)
            .where(m.Instance.uuid == instance_uuid, m.Instance.deleted_at.is_(None), *where)
            .values(updated_at=utcnow(), **values)
            .execution_options(synchronize_session=False))
    if vm_states is not None:
        stmt = stmt.where(m.Instance.vm_state.in_(list(vm_states)))
    if task_states is not ANY:
        wanted = [t for t in task_states if t is not None]
        clauses = [m.Instance.task_state.in_(wanted)] if wanted else []
        if None in task_states:
            clauses.append(m.Instance.task_state.is_(None))
        stmt = stmt.where(sa.or_(*clauses))
    changed = session.execute(stmt).rowcount == 1
    if changed:
        session.expire_all()
    return changed


def add_fault(session, instance_uuid, code, message, details=None, host=None):
    session.add(m.InstanceFault(instance_uuid=instance_uuid, code=code,
                                message=message[:255], details=details, host=host))


def latest_faults(session, instance_uuids):
    """``{instance_uuid: newest InstanceFault}`` of the given servers."""
    faults = {}
    if instance_uuids:
        stmt = (sa.select(m.InstanceFault)
                .where(m.InstanceFault.instance_uuid.in_(list(instance_uuids)))
                .order_by(m.InstanceFault.created_at, m.InstanceFault.id))
        for fault in session.execute(stmt).scalars():
            faults[fault.instance_uuid] = fault
    return faults


def start_action(session, ctx, instance_uuid, action):
    """Record that ``ctx``'s request starts ``action`` on a server; returns its row."""
    row = m.InstanceAction(action=action, instance_uuid=instance_uuid,
                           request_id=ctx.request_id or ctx.global_request_id or '-',
                           user_id=ctx.user_id, project_id=ctx.project_id)
    session.add(row)
    session.flush()
    return row


def find_action(session, instance_uuid, request_id):
    return session.execute(sa.select(m.InstanceAction).where(
        m.InstanceAction.instance_uuid == instance_uuid,
        m.InstanceAction.request_id == request_id)).scalars().first()


def start_event(session, action_id, event, host=None):
    row = m.InstanceActionEvent(action_id=action_id, event=event, host=host)
    session.add(row)
    session.flush()
    return row


def finish_event(session, action_id, event, result, traceback=None):
    """End the newest unfinished ``event`` of an action with ``result`` (Success/Error)."""
    row = session.execute(
        sa.select(m.InstanceActionEvent)
        .where(m.InstanceActionEvent.action_id == action_id,
               m.InstanceActionEvent.event == event,
               m.InstanceActionEvent.finish_time.is_(None))
        .order_by(m.InstanceActionEvent.id.desc())).scalars().first()
    now = utcnow()
    if row is not None:
        row.finish_time, row.result, row.traceback = now, result, traceback
    action = session.get(m.InstanceAction, action_id)
    if action is not None:
        action.finish_time = now
        if result == 'Error':
            action.message = 'Error'


def flavor_of(instance):
    """The flavor a server has now, as the dict kept in ``instances.flavor``."""
    return json.loads(instance.flavor)


def count_servers_on_hosts(session, hosts):
    """Servers (not deleted) on any of ``hosts``, or being resized onto one."""
    hosts = list(hosts)
    if not hosts:
        return 0
    return session.execute(
        sa.select(sa.func.count()).select_from(m.Instance).where(
            m.Instance.deleted_at.is_(None),
            sa.or_(m.Instance.host.in_(hosts), m.Instance.migration_host.in_(hosts)))
    ).scalar_one()


def volume_mappings(session, instance_uuid):
    """``[(volume_id, attachment_id, delete_on_termination)]`` of the server's volumes,
    what a delete gives back (``compute.volumes.give_back``)."""
    return [tuple(r) for r in session.execute(
        sa.select(m.BlockDeviceMapping.volume_id, m.BlockDeviceMapping.attachment_id,
                  m.BlockDeviceMapping.delete_on_termination)
        .where(m.BlockDeviceMapping.instance_uuid == instance_uuid,
               m.BlockDeviceMapping.volume_id.is_not(None))
        .order_by(m.BlockDeviceMapping.id)).all()]
