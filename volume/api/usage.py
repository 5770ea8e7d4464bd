"""``GET /v3/{project_id}/os-usage/{target_project_id}?start=&end=``: a project's GB-hours.

A project's readers see their own project's usage; cloud administrators
any project's (policy ``volume:usage:show``, on the target project).
"""
import flask

from volume import usage
from volume.api import support

bp = flask.Blueprint('usage', __name__, url_prefix=f'{support.API_PREFIX}/os-usage')


@bp.get('/<target_project_id>')
def show(target_project_id):
    support.authorize('usage:show', project_id=target_project_id)
    period = usage.period(flask.request.args.get('start'), flask.request.args.get('end'))
    with support.db().reader() as session:
        return flask.jsonify(usage=usage.usage(session, target_project_id, period))
