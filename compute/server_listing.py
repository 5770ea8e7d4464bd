"""``GET /servers`` filters, sorting and keyset paging, as Nova reads them.

Every project may filter on what Nova lets any user filter on (name and
ip as regular expressions, status, image, flavor, reservation id,
changes-since, tags); cloud administrators on more (host, zone, user,
key name …).  A filter a caller may not use is ignored, as in Nova.
Pages are keyset pages (``marker``), ordered by the requested sort keys
and the server's id last, so that no server is skipped or repeated.
"""
import dataclasses
import datetime
import json
import re

import sqlalchemy as sa
from oslo_utils import timeutils

from common import exceptions
from common.db import pagination
from compute import request_values
from compute import states
from compute.db import models as m

PUBLIC_FILTERS = frozenset(('reservation_id', 'name', 'status', 'image', 'flavor', 'ip',
                            'ip6', 'changes-since', 'tags', 'tags-any', 'not-tags',
                            'not-tags-any'))
_EPOCH = datetime.datetime(1970, 1, 1)
_I = m.Instance
# Nova's sort keys; those with no column here (kernel_id …) sort by nothing.
SORT_COLUMNS = {
    'access_ip_v4': sa.func.coalesce(_I.access_ip_v4, ''),
    'access_ip_v6': sa.func.coalesce(_I.access_ip_v6, ''),
    'auto_disk_config': _I.auto_disk_config,
    'availability_zone': sa.func.coalesce(_I.availability_zone, ''),
    'config_drive': sa.func.coalesce(_I.config_drive, ''),
    'created_at': _I.created_at,
    'display_description': sa.func.coalesce(_I.description, ''),
    'display_name': _I.display_name,
    'host': sa.func.coalesce(_I.host, ''),
    'hostname': sa.func.coalesce(_I.hostname, ''),
    'image_ref': sa.func.coalesce(_I.image_ref, ''),
    'key_name': sa.func.coalesce(_I.key_name, ''),
    'launch_index': _I.launch_index,
    'launched_at': sa.func.coalesce(_I.launched_at, _EPOCH),
    'locked_by': sa.func.coalesce(_I.locked_by, ''),
    'node': sa.func.coalesce(_I.node, ''),
    'power_state': _I.power_state,
    'progress': _I.progress,
    'project_id': _I.project_id,
    'root_device_name': sa.func.coalesce(_I.root_device_name, ''),
    'task_state': sa.func.coalesce(_I.task_state, ''),
    'terminated_at': sa.func.coalesce(_I.terminated_at, _EPOCH),
    'updated_at': _I.updated_at,
    'user_id': _I.user_id,
    'uuid': _I.uuid,
    'vm_state': _I.vm_state,
}
VALID_SORT_KEYS = frozenset(SORT_COLUMNS) | {'instance_type_id', 'kernel_id', 'ramdisk_id'}
ADMIN_SORT_KEYS = frozenset(('host', 'node'))


class MarkerNotFound(exceptions.BadRequest):
    msg_fmt = 'marker [%(marker)s] not found'


@dataclasses.dataclass
class Query:
    """What one list request asks for, once the API has read the query string."""
    filters: dict  # name -> value (str) or list (status, tags …)
    project_id: str | None  # None: every project (all_tenants)
    sort: list  # [(key, 'asc'|'desc')]
    limit: int
    marker: str | None
    deleted: bool | None  # None: both (changes-since)


def _bool(value):
    return str(value).strip().lower() in ('1', 't', 'true', 'on', 'y', 'yes')


def parse_sort(keys, dirs, is_admin):
    """``[(key, dir)]`` of Nova's ``sort_key``/``sort_dir`` (default newest first).

    :raises BadRequest: an unknown key or direction, or more directions than keys.
    """
    for direction in dirs:
        if direction not in ('asc', 'desc'):
            raise exceptions.BadRequest("Unknown sort direction, must be 'desc' or 'asc'")
    for key in keys:
        if key not in VALID_SORT_KEYS:
            raise exceptions.BadRequest(f'Invalid input for query parameters sort_key. '
                                        f"Value: {key}. '{key}' is not a valid sort key.")
    if len(dirs) > len(keys):
        raise exceptions.BadRequest('Sort direction size exceeds sort key size')
    default_dir = dirs[0] if dirs else 'desc'
    pairs = [(key, dirs[i] if i < len(dirs) else default_dir) for i, key in enumerate(keys)]
    pairs = [(k, d) for k, d in pairs
             if k in SORT_COLUMNS and (is_admin or k not in ADMIN_SORT_KEYS)]
    return pairs or [('created_at', 'desc')]


def _regex(value, name):
    try:
        re.compile(value)
    except re.error:
        raise exceptions.BadRequest(f"Invalid regular expression for '{name}': "
                                    f'{value}') from None
    return value


def parse_changes_since(value):
    """A ``changes-since`` query value as naive UTC; 400 with Nova's message otherwise."""
    try:
        parsed = timeutils.parse_isotime(value)
    except ValueError:
        raise exceptions.BadRequest(f'Invalid input for query parameters changes-since. '
                                    f"Value: {value}. '{value}' is not a 'date-time'") from None
    return timeutils.normalize_time(parsed)


def _like_escape(text):
    return text.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_')


def _tags_clause(tags, match_all):
    tagged = sa.select(m.InstanceTag.instance_uuid).where(m.InstanceTag.tag.in_(tags))
    if match_all:
        tagged = (tagged.group_by(m.InstanceTag.instance_uuid)
                  .having(sa.func.count(sa.distinct(m.InstanceTag.tag)) == len(set(tags))))
    return _I.uuid.in_(tagged)


def _split_tags(values):
    return [t for value in values for t in value.split(',') if t]


def _status_clause(statuses):
    """Servers whose ``status`` is one of ``statuses`` (an unknown status matches none)."""
    alternatives = []
    for vm_state, (default, shown, not_shown) in states.states_for_statuses(statuses).items():
        task = [_I.task_state.in_(sorted(shown))] if shown else []
        if default:
            task.append(_I.task_state.is_(None))
            if not_shown:
                task.append(_I.task_state.not_in(sorted(not_shown)))
        alternatives.append(sa.and_(_I.vm_state == vm_state, sa.or_(*task)))
    return sa.or_(sa.false(), *alternatives)


def _where(query):
    """The WHERE clauses of a query (besides the ip filters and paging)."""
    f = query.filters
    clauses = []
    if query.project_id is not None:
        clauses.append(_I.project_id == query.project_id)
    if query.deleted is True:
        clauses.append(_I.deleted_at.is_not(None))
    elif query.deleted is False:
        clauses.append(_I.deleted_at.is_(None))
    if 'changes-since' in f:
        clauses.append(_I.updated_at >= parse_changes_since(f['changes-since']))
    if 'name' in f:
        clauses.append(_I.display_name.regexp_match(_regex(f['name'], 'name')))
    if 'status' in f:
        clauses.append(_status_clause(f['status']))
    if 'image' in f:
        clauses.append(_I.image_ref == request_values.id_from_href(f['image']))
    if 'flavor' in f:
        flavor_id = request_values.id_from_href(f['flavor'])
        # instances.flavor is JSON that starts with the flavor's id.
        prefix = json.dumps({'id': flavor_id})[:-1] + ','
        clauses.append(_I.flavor.like(_like_escape(prefix) + '%', escape='\\'))
    for name, column in (('reservation_id', _I.reservation_id), ('host', _I.host),
                         ('node', _I.node), ('availability_zone', _I.availability_zone),
                         ('key_name', _I.key_name), ('user_id', _I.user_id),
                         ('uuid', _I.uuid), ('vm_state', _I.vm_state)):
        if name in f:
            clauses.append(column == f[name])
    if 'locked' in f:
        clauses.append(_I.locked.is_(_bool(f['locked'])))
    for name, match_all, negate in (('tags', True, False), ('tags-any', False, False),
                                    ('not-tags', True, True), ('not-tags-any', False, True)):
        if name in f:
            clause = _tags_clause(_split_tags(f[name]), match_all)
            clauses.append(sa.not_(clause) if negate else clause)
    return clauses


def _ip_matches(network_info, pattern, version):
    for port in json.loads(network_info or '[]'):
        for ip in port.get('ips', []):
            if (version is None or ip.get('version') == version) \
                    and re.search(pattern, ip.get('addr', '')):
                return True
    return False


def _ip_clause(session, clauses, filters):
    """Servers whose addresses match the ``ip``/``ip6`` regular expressions.

    Addresses are JSON in ``network_info``, so they are matched here, on the
    candidates the other filters leave, and the list is narrowed to them.
    """
    wanted = [(_regex(filters[name], name), version)
              for name, version in (('ip', None), ('ip6', 6)) if name in filters]
    if not wanted:
        return None
    rows = session.execute(sa.select(_I.uuid, _I.network_info).where(*clauses))
    matching = [uuid for uuid, info in rows
                if all(_ip_matches(info, pattern, version) for pattern, version in wanted)]
    return _I.uuid.in_(matching)


def list_servers(session, query):
    """One page of the servers ``query`` selects, in order."""
    clauses = _where(query)
    ip_clause = _ip_clause(session, clauses, query.filters)
    if ip_clause is not None:
        clauses.append(ip_clause)
    columns = [SORT_COLUMNS[key] for key, _ in query.sort] + [_I.id]
    directions = [d for _, d in query.sort] + [query.sort[-1][1]]
    marker = None
    if query.marker is not None:
        marker = session.execute(sa.select(*columns).where(_I.uuid == query.marker)).first()
        if marker is None:
            raise MarkerNotFound(marker=query.marker)
    stmt = pagination.paginate(sa.select(_I).where(*clauses), columns, limit=query.limit,
                               marker=tuple(marker) if marker else None,
                               directions=directions)
    return list(session.execute(stmt).scalars())
