"""Private flavors' access lists: ``os-flavor-access`` and the add/remove tenant actions."""
import flask

from common import exceptions
from common.wsgi import validation
from compute import flavors
from compute.api import microversion
from compute.api import support
from compute.api.flavors import caller_flavor
from compute.api.schemas import flavors as schemas
from compute.api.views import flavors as views

bp = flask.Blueprint('flavor_access', __name__,
                     url_prefix=f'{support.API_PREFIX}/flavors/<flavor_id>')


@bp.get('/os-flavor-access')
def list_access(flavor_id):
    support.authorize('os-flavor-access')
    with support.db().reader() as session:
        flavor = caller_flavor(session, flavor_id)
        if flavor.is_public:
            raise exceptions.NotFound('Access list not available for public flavors.')
        projects = flavors.access_list(session, flavor)
    return flask.jsonify(views.access(flavor, projects))


@bp.post('/action')
def flavor_action(flavor_id):
    body = validation.json_body()
    if isinstance(body, dict) and 'addTenantAccess' in body:
        tenant = validation.json_body(schemas.add_tenant_access)['addTenantAccess']['tenant']
        support.authorize('os-flavor-access:add_tenant_access')
        # Only a grant is checked: access of a project deleted since must stay removable.
        support.verify_project(tenant)
        change = _add
    elif isinstance(body, dict) and 'removeTenantAccess' in body:
        tenant = validation.json_body(
            schemas.remove_tenant_access)['removeTenantAccess']['tenant']
        support.authorize('os-flavor-access:remove_tenant_access')
        change = flavors.remove_access
    else:
        raise exceptions.BadRequest('There is no such action: %s'
                                    % (', '.join(body) if isinstance(body, dict) else body))
    with support.db().writer() as session:
        flavor = caller_flavor(session, flavor_id)
        change(session, flavor, tenant)
        projects = flavors.access_list(session, flavor)
    return flask.jsonify(views.access(flavor, projects))


def _add(session, flavor, project_id):
    # Before 2.7 Nova recorded access to a public flavor; since, it refuses.
    if flavor.is_public and microversion.at_least('2.7'):
        raise exceptions.Conflict('Can not add access to a public flavor.')
    flavors.add_access(session, flavor, project_id)
