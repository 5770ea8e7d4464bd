"""``/v2.0/security-group-rules``: create, list, show, delete."""
import flask
import sqlalchemy as sa

from network import security_groups
from network.api import query
from network.api import support
from network.api.schemas import security_groups as schemas
from network.api.views import security_groups as views
from network.db import models as m

bp = flask.Blueprint('security_group_rules', __name__,
                     url_prefix='/v2.0/security-group-rules')

R = m.SecurityGroupRule
COLLECTION = query.Collection('security_group_rules', R, {
    'id': R.id, 'project_id': R.project_id, 'tenant_id': R.project_id,
    'security_group_id': R.security_group_id, 'direction': R.direction,
    'ethertype': R.ethertype, 'protocol': R.protocol, 'port_range_min': R.port_range_min,
    'port_range_max': R.port_range_max, 'remote_ip_prefix': R.remote_ip_prefix,
    'remote_group_id': R.remote_group_id, 'description': R.description,
    'created_at': R.created_at, 'updated_at': R.updated_at,
    'revision_number': R.revision_number,
})


@bp.get('')
def list_rules():
    support.authorize('get_security_group_rule')
    request = support.list_request(COLLECTION)
    with support.backend().db.reader() as session:
        stmt = sa.select(R).where(security_groups.rules_visible(support.caller()))
        rows, more = query.fetch(session, stmt, COLLECTION, request)
        items = [views.render_rule(r) for r in rows]
    return flask.jsonify(query.respond(COLLECTION, items, request, more))


@bp.post('')
def create_rule():
    attrs = support.body('security_group_rule', schemas.create_rule)
    if isinstance(attrs.get('protocol'), int):
        attrs['protocol'] = str(attrs['protocol'])
    backend = support.backend()
    with backend.db.writer() as session:
        group = security_groups.get(session, support.caller(), attrs['security_group_id'])
        support.authorize('create_security_group_rule', {'project_id': group.project_id})
        rule = security_groups.create_rule(session, backend.conf, support.caller(), attrs)
        body = views.render_rule(rule)
    backend.notify(support.context(), 'security_group_rule.create.end',
                   {'security_group_rule': body})
    return support.created('security_group_rule', body)


@bp.get('/<rule_id>')
def get_rule(rule_id):
    with support.backend().db.reader() as session:
        rule = security_groups.get_rule(session, support.caller(), rule_id)
        support.authorize('get_security_group_rule', {'project_id': rule.project_id})
        body = views.render_rule(rule)
    return support.show('security_group_rule', body)


@bp.delete('/<rule_id>')
def delete_rule(rule_id):
    backend = support.backend()
    with backend.db.writer() as session:
        rule = security_groups.get_rule(session, support.caller(), rule_id)
        support.authorize('delete_security_group_rule', {'project_id': rule.project_id})
        security_groups.delete_rule(session, rule)
    backend.notify(support.context(), 'security_group_rule.delete.end',
                   {'security_group_rule_id': rule_id})
    return support.no_content()
