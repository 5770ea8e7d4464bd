"""``GET /v3/role_assignments`` with Keystone's filters, ``effective`` and ``include_names``."""
import flask

from common import exceptions as common_exc
from common.wsgi import validation
from identity.api import support
from identity.api.views import role_assignments as views
from identity.db import models as m

bp = flask.Blueprint('role_assignments', __name__, url_prefix='/v3')


def _names(session, grants):
    """``{kind: {id: (name, domain row)}}`` for include_names."""
    wanted = {'role': m.Role, 'user': m.User, 'group': m.Group, 'project': m.Project,
              'domain': m.Domain}
    ids = {kind: set() for kind in wanted}
    for grant in grants:
        ids['role'].add(grant.role_id)
        for kind, value in (('user', grant.user_id), ('group', grant.group_id),
                            ('project', grant.project_id), ('domain', grant.domain_id)):
            if value:
                ids[kind].add(value)
    names = {}
    for kind, model in wanted.items():
        names[kind] = {}
        for obj_id in ids[kind]:
            row = session.get(model, obj_id)
            if row is None:
                continue
            domain = None
            if kind in ('user', 'group', 'project'):
                domain = session.get(m.Domain, row.domain_id)
            names[kind][obj_id] = (row.name, domain)
    return names


def _visible_domains(session, grants):
    """Domains of the targets, so that a domain reader sees only their own."""
    result = {}
    for grant in grants:
        if grant.project_id and grant.project_id not in result:
            project = session.get(m.Project, grant.project_id)
            result[grant.project_id] = project.domain_id if project else None
    return result


@bp.get('/role_assignments')
def list_role_assignments():
    args = flask.request.args
    user_id = args.get('user.id')
    group_id = args.get('group.id')
    effective = validation.query_flag('effective')
    if effective and group_id:
        raise common_exc.BadRequest('effective cannot be combined with group.id: '
                                    'effective assignments are listed per user.')
    system = args.get('scope.system')
    if system is not None and system != 'all':
        raise common_exc.BadRequest("scope.system must be 'all'.")
    ctx = support.context()
    cloud_reader = support.is_cloud_reader()
    # Without cloud-wide read access: a domain reader sees their domain, anyone
    # may list their own assignments.
    support.authorize('list_role_assignments', domain_id=ctx.domain_id, user_id=user_id)
    backend = support.backend()
    with backend.reader() as session:
        grants = backend.assignment.list_grants(
            session, user_id=user_id, group_id=group_id, role_id=args.get('role.id'),
            project_id=args.get('scope.project.id'), domain_id=args.get('scope.domain.id'),
            system=system == 'all', effective=effective)
        if not cloud_reader and user_id != ctx.user_id:
            domains = _visible_domains(session, grants)
            grants = [g for g in grants if (g.domain_id or domains.get(g.project_id))
                      == ctx.domain_id]
        names = _names(session, grants) if validation.query_flag('include_names') else None
    return flask.jsonify(support.collection('role_assignments', grants,
                                            lambda g: views.render(g, names)))
