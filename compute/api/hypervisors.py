"""``/os-hypervisors``: each agent host's compute node, its resources and its state.

A node is shown only while its host has an agent service record (whose
``state``/``status`` it takes), as Nova does.  Ids are node UUIDs from
2.53 and integers before; 2.53 also replaced the ``/{pattern}/search``
and ``/{pattern}/servers`` routes by the ``hypervisor_hostname_pattern``
and ``with_servers`` query parameters.  Lists page with marker/limit
from 2.33.
"""
import flask
import sqlalchemy as sa
from oslo_utils import uuidutils

from common import exceptions
from common.wsgi import pagination
from common.wsgi import validation
from compute import request_values
from compute import service_names
from compute.api import microversion
from compute.api import support
from compute.api.views import hypervisors as views
from compute.db import models as m

bp = flask.Blueprint('hypervisors', __name__, url_prefix=f'{support.API_PREFIX}/os-hypervisors')


class HypervisorNotFound(exceptions.NotFound):
    msg_fmt = "Hypervisor with ID '%(hypervisor_id)s' could not be found."


class NoHypervisorMatches(exceptions.NotFound):
    msg_fmt = "No hypervisor matching '%(pattern)s' could be found."


class FeatureNotSupported(exceptions.StratusError):
    code = 501
    title = 'Not Implemented'
    msg_fmt = 'Feature not supported.'


def _nodes_with_agents():
    """``(ComputeNode, Service)`` rows of the nodes whose host has an agent record."""
    return (sa.select(m.ComputeNode, m.Service)
            .join(m.Service, sa.and_(m.Service.host == m.ComputeNode.host,
                                     m.Service.binary == service_names.AGENT_BINARY))
            .order_by(m.ComputeNode.id))


def _loads(session, hosts):
    """``{host: HostLoad}``: servers on each host and those with a task running."""
    stmt = (sa.select(m.Instance.host, sa.func.count(), sa.func.count(m.Instance.task_state))
            .where(m.Instance.deleted_at.is_(None), m.Instance.host.in_(list(hosts)))
            .group_by(m.Instance.host))
    return {host: views.HostLoad(running_vms=total, current_workload=busy)
            for host, total, busy in session.execute(stmt)}


def _servers(session, hosts):
    """``{host: [(name, uuid)]}`` of the servers on ``hosts``."""
    stmt = (sa.select(m.Instance.host, m.Instance.display_name, m.Instance.uuid)
            .where(m.Instance.deleted_at.is_(None), m.Instance.host.in_(list(hosts)))
            .order_by(m.Instance.created_at, m.Instance.id))
    servers = {}
    for host, name, server_uuid in session.execute(stmt):
        servers.setdefault(host, []).append((name, server_uuid))
    return servers


def _render_rows(session, rows, *, detail, with_servers=False):
    hosts = [node.host for node, _ in rows]
    loads = _loads(session, hosts) if detail and hosts else {}
    servers = _servers(session, hosts) if with_servers and hosts else {}
    conf = flask.current_app.conf
    return [views.render(node, service, conf, detail=detail,
                         load=loads.get(node.host, views.HostLoad()),
                         servers=servers.get(node.host))
            for node, service in rows]


def _id_column():
    return m.ComputeNode.uuid if microversion.at_least('2.53') else m.ComputeNode.id


def _path_id(value):
    """The node id ``value`` names in this version (a UUID from 2.53), or ``None``.

    ``None``: not an id of this version, or beyond any row's.
    """
    if microversion.at_least('2.53'):
        return value if uuidutils.is_uuid_like(value) else None
    try:
        return request_values.parse_id(value, 'id')
    except request_values.InvalidInteger:
        return None


def _after_marker(session, stmt, marker):
    """``stmt`` restricted to the nodes after ``marker`` (a node id of this version)."""
    value = _path_id(marker)
    node_id = None
    if value is not None:
        node_id = session.execute(sa.select(m.ComputeNode.id).where(
            _id_column() == value)).scalar_one_or_none()
    if node_id is None:
        raise exceptions.BadRequest(f'marker [{marker}] not found')
    return stmt.where(m.ComputeNode.id > node_id)


def _list(detail):
    args = flask.request.args
    pattern = with_servers = None
    if microversion.at_least('2.53'):
        pattern = args.get('hypervisor_hostname_pattern')
        with_servers = validation.query_bool('with_servers', False)
    paged = microversion.at_least('2.33') and pattern is None
    if pattern is not None and ('limit' in args or 'marker' in args):
        raise exceptions.BadRequest('Paging over hypervisors with the '
                                    'hypervisor_hostname_pattern query parameter is not '
                                    'supported.')
    stmt = _nodes_with_agents()
    limit = None
    with support.db().reader() as session:
        if pattern is not None:
            stmt = stmt.where(m.ComputeNode.hypervisor_hostname.contains(
                pattern, autoescape=True))
        elif paged:
            max_limit = flask.current_app.conf.api.max_limit
            limit, marker = pagination.page_params(max_limit)
            limit = max_limit if limit is None else limit
            if marker is not None:
                stmt = _after_marker(session, stmt, marker)
            stmt = stmt.limit(limit)
        rows = session.execute(stmt).all()
        if pattern is not None and not rows:
            raise NoHypervisorMatches(pattern=pattern)
        body = {'hypervisors': _render_rows(session, rows, detail=detail,
                                            with_servers=with_servers)}
    if paged:
        path = 'os-hypervisors/detail' if detail else 'os-hypervisors'
        url = f'{support.base_url()}{support.API_PREFIX}/{path}'
        next_url = pagination.next_link(url, body['hypervisors'], limit)
        if next_url:
            body['hypervisors_links'] = [{'rel': 'next', 'href': next_url}]
    return flask.jsonify(body)


@bp.get('')
def index():
    support.authorize('os-hypervisors:list')
    return _list(detail=False)


@bp.get('/detail')
def detail():
    support.authorize('os-hypervisors:list-detail')
    return _list(detail=True)


@bp.get('/statistics')
def statistics():
    support.authorize('os-hypervisors:statistics')
    # Nova sums the nodes of enabled agents only.
    stmt = _nodes_with_agents().where(m.Service.disabled.is_(False))
    with support.db().reader() as session:
        nodes = [node for node, _ in session.execute(stmt)]
        loads = _loads(session, [n.host for n in nodes]) if nodes else {}
    return flask.jsonify(hypervisor_statistics=views.statistics(nodes, loads))


def _node_row(session, hypervisor_id):
    """The ``(node, service)`` of ``hypervisor_id``: 400 for a malformed UUID from 2.53."""
    value = _path_id(hypervisor_id)
    if value is None and microversion.at_least('2.53'):
        raise exceptions.BadRequest(f'Invalid uuid {hypervisor_id}')
    if value is None:
        raise HypervisorNotFound(hypervisor_id=hypervisor_id)
    row = session.execute(_nodes_with_agents().where(_id_column() == value)).first()
    if row is None:
        raise HypervisorNotFound(hypervisor_id=hypervisor_id)
    return row


@bp.get('/<hypervisor_id>')
def show(hypervisor_id):
    support.authorize('os-hypervisors:show')
    with_servers = microversion.at_least('2.53') and validation.query_bool('with_servers',
                                                                           False)
    with support.db().reader() as session:
        row = _node_row(session, hypervisor_id)
        (body,) = _render_rows(session, [row], detail=True, with_servers=with_servers)
    return flask.jsonify(hypervisor=body)


@bp.get('/<hypervisor_id>/uptime')
def uptime(hypervisor_id):
    """501, as Nova answers for a driver that cannot tell (OSC then shows no uptime)."""
    support.authorize('os-hypervisors:uptime')
    with support.db().reader() as session:
        _node_row(session, hypervisor_id)
    raise FeatureNotSupported()


def _removed_at(version):
    """404 for a route that ``version`` removed, as Nova answers."""
    if microversion.at_least(version):
        raise exceptions.NotFound(f'The resource could not be found at version '
                                  f'{microversion.as_string(microversion.current())}.')


def _by_pattern(pattern, with_servers):
    with support.db().reader() as session:
        rows = session.execute(_nodes_with_agents().where(
            m.ComputeNode.hypervisor_hostname.contains(pattern, autoescape=True))).all()
        if not rows:
            raise NoHypervisorMatches(pattern=pattern)
        body = _render_rows(session, rows, detail=False, with_servers=with_servers)
    return flask.jsonify(hypervisors=body)


@bp.get('/<pattern>/search')
def search(pattern):
    _removed_at('2.53')
    support.authorize('os-hypervisors:search')
    return _by_pattern(pattern, with_servers=False)


@bp.get('/<pattern>/servers')
def servers(pattern):
    _removed_at('2.53')
    support.authorize('os-hypervisors:servers')
    return _by_pattern(pattern, with_servers=True)
