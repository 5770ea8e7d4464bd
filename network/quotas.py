"""Per-project limits on resources, with the defaults of ``[quotas]``.

A create counts the project's rows in its own transaction, with the
project's ``QuotaLock`` row of the resource locked, and inserts its row in
that same transaction: two concurrent creates of one project run their
check-then-insert one after the other and cannot together exceed a limit
(``tests/functional/network/test_quota_concurrency.py``).  A limit of -1
means no limit.
"""
import sqlalchemy as sa

from common import exceptions
from common.db import quota_locks
from network import exceptions as net_exc
from network.db import api as db_api
from network.db import models as m

# Resource name (as Neutron's quota API spells it) -> the table it counts.
COUNTED = {
    'network': m.Network,
    'subnet': m.Subnet,
    'port': m.Port,
    'router': m.Router,
    'floatingip': m.FloatingIP,
    'security_group': m.SecurityGroup,
    'security_group_rule': m.SecurityGroupRule,
}
# The owner of the ports the service makes for itself (router gateways, floating
# IPs): as in Neutron, they belong to no project and count against no quota.
SERVICE_PROJECT = ''
# The largest limit an INTEGER column holds on every database (Neutron's bound too).
DB_INTEGER_MAX = 2 ** 31 - 1
RESOURCES = ('network', 'subnet', 'port', 'router', 'floatingip', 'security_group',
             'security_group_rule')


def defaults(conf):
    return {name: getattr(conf.quotas, f'quota_{name}') for name in RESOURCES}


def limits(session, conf, project_id):
    """The project's limits: its own where set, the defaults elsewhere."""
    result = defaults(conf)
    rows = session.execute(sa.select(m.Quota).where(m.Quota.project_id == project_id))
    for quota in rows.scalars():
        if quota.resource in result:
            result[quota.resource] = quota.limit
    return result


def usage(session, project_id):
    used = {name: 0 for name in RESOURCES}
    for name, model in COUNTED.items():
        used[name] = db_api.count(session, model, project_id)
    return used


def check(session, conf, project_id, resource, adding=1):
    """Raise ``OverQuota`` when ``adding`` more ``resource`` would exceed the limit."""
    if project_id == SERVICE_PROJECT:
        return
    limit = limits(session, conf, project_id)[resource]
    if limit < 0:
        return
    quota_locks.lock(session, m.QuotaLock, project_id=project_id, resource=resource)
    if db_api.count(session, COUNTED[resource], project_id) + adding > limit:
        raise net_exc.OverQuota(resource=resource)


def projects_with_quotas(session):
    return sorted(set(session.execute(sa.select(m.Quota.project_id)).scalars()))


def check_below_usage(session, project_id, values):
    """Refuse limits below what ``project_id`` already uses (409, Neutron's check_limit)."""
    used = usage(session, project_id)
    unders = [f'{name}: {value} < {used[name]}' for name, value in values.items()
              if name in used and isinstance(value, int) and 0 <= value < used[name]]
    if unders:
        raise net_exc.InvalidQuotaValue(unders=', '.join(sorted(unders)))


def set_limits(session, project_id, values):
    """Store ``{resource: limit}`` for ``project_id`` (unknown resources refused)."""
    for name, value in values.items():
        if name not in RESOURCES:
            raise exceptions.BadRequest(f"Unrecognized attribute(s) '{name}'")
        if not isinstance(value, int) or isinstance(value, bool) or \
                not -1 <= value <= DB_INTEGER_MAX:
            raise net_exc.InvalidInput(detail=f"'{value}' is not a valid quota for {name}")
        row = session.get(m.Quota, (project_id, name))
        if row is None:
            session.add(m.Quota(project_id=project_id, resource=name, limit=value))
        else:
            row.limit = value
    session.flush()


def reset(session, project_id):
    session.execute(sa.delete(m.Quota).where(m.Quota.project_id == project_id))
