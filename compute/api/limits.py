"""``/v2.1/limits``: the caller's project's absolute limits and usage, as Nova shows them.

Rate limits are long gone from Nova (always ``[]``).  Below 2.36 the
nova-network limits appear (unlimited, nothing used); below 2.39
``maxImageMeta`` (the image-metadata proxy went then); below 2.57 the
injected-file ones.
"""
import flask

from compute import quotas
from compute.api import microversion
from compute.api import support

bp = flask.Blueprint('limits', __name__, url_prefix=f'{support.API_PREFIX}/limits')

_LIMITS = (('maxTotalInstances', 'instances'), ('maxTotalCores', 'cores'),
           ('maxTotalRAMSize', 'ram'), ('maxTotalKeypairs', 'key_pairs'),
           ('maxServerMeta', 'metadata_items'), ('maxServerGroups', 'server_groups'),
           ('maxServerGroupMembers', 'server_group_members'))
_IMAGE_META = (('maxImageMeta', 'metadata_items'),)
_INJECTED = (('maxPersonality', 'injected_files'),
             ('maxPersonalitySize', 'injected_file_content_bytes'))
_USED = (('totalInstancesUsed', 'instances'), ('totalCoresUsed', 'cores'),
         ('totalRAMUsed', 'ram'), ('totalServerGroupsUsed', 'server_groups'))
_NETWORK = {'maxTotalFloatingIps': quotas.UNLIMITED, 'maxSecurityGroups': quotas.UNLIMITED,
            'maxSecurityGroupRules': quotas.UNLIMITED, 'totalFloatingIpsUsed': 0,
            'totalSecurityGroupsUsed': 0}


def _absolute(limits, used):
    names = _LIMITS
    if not microversion.at_least('2.39'):
        names += _IMAGE_META
    if not microversion.at_least('2.57'):
        names += _INJECTED
    body = {name: limits[resource] for name, resource in names}
    body.update({name: used[resource] for name, resource in _USED})
    if not microversion.at_least('2.36'):
        body.update(_NETWORK)
    return body


@bp.get('')
def show_limits():
    support.authorize('limits')
    project_id = support.context().project_id
    requested = flask.request.args.get('tenant_id')
    if requested and requested != project_id:
        support.authorize('limits:other_project', project_id=requested)
        project_id = requested
    engine = quotas.Quotas(flask.current_app.conf)
    with support.db().reader() as session:
        limits = engine.limits(session, project_id)
        used = engine.usage(session, project_id)
    return flask.jsonify(limits={'rate': [], 'absolute': _absolute(limits, used)})
