"""``/v3/{project_id}/limits``: the project's absolute limits and usage, as Cinder shows them.

Rate limits are long gone from Cinder (always ``[]``).  From 3.39 a cloud
administrator may ask for another project's (``?project_id=``).
"""
import flask

from volume import quotas
from volume.api import microversion
from volume.api import support

bp = flask.Blueprint('limits', __name__, url_prefix=f'{support.API_PREFIX}/limits')

_LIMITS = (('maxTotalVolumeGigabytes', 'gigabytes'), ('maxTotalBackupGigabytes',
                                                      'backup_gigabytes'),
           ('maxTotalVolumes', 'volumes'), ('maxTotalSnapshots', 'snapshots'),
           ('maxTotalBackups', 'backups'))
_USED = (('totalVolumesUsed', 'volumes'), ('totalGigabytesUsed', 'gigabytes'),
         ('totalSnapshotsUsed', 'snapshots'), ('totalBackupsUsed', 'backups'),
         ('totalBackupGigabytesUsed', 'backup_gigabytes'))


@bp.get('')
def show():
    project_id = support.project_id()
    support.authorize('limits:get', project_id=project_id)
    requested = flask.request.args.get('project_id') or flask.request.args.get('tenant_id')
    if microversion.at_least('3.39') and requested and requested != project_id and \
            support.is_cloud_admin():
        project_id = requested
    engine = quotas.Quotas(support.conf())
    with support.db().reader() as session:
        limits = engine.limits(session, project_id)
        used = engine.usage(session, project_id)
    absolute = {name: limits[resource] for name, resource in _LIMITS}
    absolute.update({name: used[resource] for name, resource in _USED})
    return flask.jsonify(limits={'rate': [], 'absolute': absolute})
