"""``/os-simple-tenant-usage``: server, vCPU, RAM and disk hours per project.

The arithmetic is ``compute.usage``'s.  ``start`` and ``end`` default to
now (as in Nova: a client names its period); ``end`` is capped at now, so
nothing is charged ahead of time.  Lists hold at most ``[api] max_limit``
servers; from 2.40 ``limit``/``marker`` page over servers and the reply
links to the next page.
"""
import datetime

import flask

from common import exceptions
from common.db.types import utcnow
from common.wsgi import pagination
from common.wsgi import validation
from compute import usage
from compute.api import microversion
from compute.api import support
from compute.api.views import simple_tenant_usage as views

bp = flask.Blueprint('simple_tenant_usage', __name__,
                     url_prefix=f'{support.API_PREFIX}/os-simple-tenant-usage')

_FORMATS = ('%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%d %H:%M:%S.%f')


def _parse_time(text, now):
    """A query time in naive UTC: Nova's three formats, or ISO 8601 with an offset."""
    if not text:
        return now
    for fmt in _FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt)
        except ValueError:
            pass
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise exceptions.BadRequest('Datetime is in invalid format') from None
    if value.utcoffset() is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


def _period():
    now = utcnow()
    start = _parse_time(flask.request.args.get('start'), now)
    stop = _parse_time(flask.request.args.get('end'), now)
    if start > stop:
        raise exceptions.BadRequest('Invalid start time. The start time cannot occur after '
                                    'the end time.')
    # Nothing is charged beyond the present; a period wholly ahead is empty.
    stop = max(min(stop, now), start)
    return usage.Period(start=start, stop=stop), now


def _page():
    """``(limit, marker)``: at most ``max_limit`` servers; a client's page from 2.40."""
    max_limit = flask.current_app.conf.api.max_limit
    if not microversion.at_least('2.40'):
        return max_limit, None
    limit, marker = pagination.page_params(max_limit)
    return (max_limit if limit is None else limit), marker


def _links(path, servers, limit):
    if not microversion.at_least('2.40'):
        return None
    url = f'{support.base_url()}{support.API_PREFIX}/{path}'
    next_url = pagination.next_link(url, servers, limit, key='instance_id')
    return [{'rel': 'next', 'href': next_url}] if next_url else None


@bp.get('')
def index():
    support.authorize('os-simple-tenant-usage:list')
    period, now = _period()
    detailed = flask.request.args.get('detailed', '').strip().lower() in \
        validation.TRUE_STRINGS
    limit, marker = _page()
    with support.db().reader() as session:
        instances = usage.servers_in_period(session, period, limit=limit, marker=marker)
        summaries, servers = usage.tenant_usages(instances, period, now, detailed=detailed)
    body = {'tenant_usages': [views.render(s) for s in summaries]}
    links = _links('os-simple-tenant-usage', servers, limit)
    if links:
        body['tenant_usages_links'] = links
    return flask.jsonify(body)


@bp.get('/<tenant_id>')
def show(tenant_id):
    support.authorize('os-simple-tenant-usage:show', project_id=tenant_id)
    period, now = _period()
    limit, marker = _page()
    with support.db().reader() as session:
        instances = usage.servers_in_period(session, period, project_id=tenant_id,
                                            limit=limit, marker=marker)
        summaries, servers = usage.tenant_usages(instances, period, now, detailed=True)
    body = {'tenant_usage': views.render(summaries[0]) if summaries else {}}
    links = _links(f'os-simple-tenant-usage/{tenant_id}', servers, limit)
    if links:
        body['tenant_usage_links'] = links
    return flask.jsonify(body)
