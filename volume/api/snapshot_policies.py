"""``/v3/{project_id}/snapshot-policies``: recurring snapshots of a volume (a Stratus
extension: CloudStack's snapshot policies, which Cinder lacks).

``GET`` lists the caller's policies (``?volume_id=`` those of one volume;
a cloud admin with ``all_tenants`` every project's), ``POST`` creates one,
``PUT …/{id}`` changes its schedule, time zone, ``max_snaps`` or
``enabled``, ``DELETE`` removes it (the snapshots it took stay).  The
conductor runs them (``volume.conductor.snapshot_policies``).
"""
import datetime

import flask
import sqlalchemy as sa

from volume import listing
from volume import snapshot_policies as policies
from volume import volumes
from volume.api import support
from volume.api.schemas import snapshot_policies as schemas
from volume.api.views import snapshot_policies as views
from volume.db import models as m

bp = flask.Blueprint('snapshot_policies', __name__,
                     url_prefix=f'{support.API_PREFIX}/snapshot-policies')


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def policy_for(session, policy_id, action):
    policy = policies.get(session, support.caller(), policy_id)
    support.authorize(action, project_id=policy.project_id)
    return policy


@bp.get('')
def index():
    support.authorize('snapshot_policies:get_all')
    args, caller = flask.request.args, support.caller()
    stmt = sa.select(m.SnapshotPolicy).where(policies.visible(caller))
    if not (caller.is_admin and listing.parse_bool(
            'all_tenants', args.get('all_tenants', 'false'), strict=False)):
        stmt = stmt.where(m.SnapshotPolicy.project_id == caller.project_id)
    if args.get('volume_id'):
        stmt = stmt.where(m.SnapshotPolicy.volume_id == args['volume_id'])
    with support.db().reader() as session:
        rows = session.execute(stmt.order_by(m.SnapshotPolicy.created_at,
                                             m.SnapshotPolicy.id)).scalars()
        return flask.jsonify(snapshot_policies=[views.detail(p) for p in rows])


@bp.post('')
def create():
    fields = support.body(schemas.create)['snapshot_policy']
    support.authorize('snapshot_policies:create')
    with support.db().writer() as session:
        volume = volumes.get(session, support.caller(), fields['volume_id'])
        support.authorize('snapshot_policies:create', project_id=volume.project_id)
        policy = policies.create(session, volume, fields, _now())
        return flask.jsonify(snapshot_policy=views.detail(policy))


@bp.get('/<policy_id>')
def show(policy_id):
    with support.db().reader() as session:
        return flask.jsonify(snapshot_policy=views.detail(
            policy_for(session, policy_id, 'snapshot_policies:get')))


@bp.put('/<policy_id>')
def update(policy_id):
    changes = support.body(schemas.update)['snapshot_policy']
    with support.db().writer() as session:
        policy = policy_for(session, policy_id, 'snapshot_policies:update')
        policies.update(session, policy, changes, _now())
        return flask.jsonify(snapshot_policy=views.detail(policy))


@bp.delete('/<policy_id>')
def delete(policy_id):
    with support.db().writer() as session:
        session.delete(policy_for(session, policy_id, 'snapshot_policies:delete'))
    return support.accepted()
