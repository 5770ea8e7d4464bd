"""``/v2.1/os-keypairs``: a user's key pairs (import, generate, list, show, delete).

Versions: ``type`` from 2.2 (and 201/204 instead of 200/202), another
user's key pairs for administrators with ``user_id`` from 2.10, paging
with ``limit``/``marker`` from 2.35.
"""
import flask

from common.wsgi import pagination
from common.wsgi import validation
from compute import keypair_types
from compute import keypairs
from compute import quotas
from compute.api import microversion
from compute.api import support
from compute.api.schemas import keypairs as schemas
from compute.api.views import keypairs as views

bp = flask.Blueprint('keypairs', __name__, url_prefix=f'{support.API_PREFIX}/os-keypairs')


def _owner(action, requested=None):
    """The user whose key pairs are acted on, once policy allows the caller."""
    user_id = requested or support.context().user_id
    support.authorize(f'os-keypairs:{action}', user_id=user_id)
    return user_id


def _query_user():
    return flask.request.args.get('user_id') if microversion.at_least('2.10') else None


@bp.post('')
def create_keypair():
    schema = schemas.create(microversion.at_least('2.2'), microversion.at_least('2.10'))
    body = validation.json_body(schema)['keypair']
    user_id = _owner('create', body.get('user_id'))
    with support.db().writer() as session:
        keypair, private_key = keypairs.create(
            session, quotas.Quotas(flask.current_app.conf),
            project_id=support.context().project_id, user_id=user_id, name=body['name'],
            key_type=body.get('type', keypair_types.SSH), public_key=body.get('public_key'))
        rendered = views.created(keypair, private_key)
    support.notify('compute.keypair.create',
                   {'name': keypair.name, 'user_id': user_id, 'type': keypair.type,
                    'fingerprint': keypair.fingerprint})
    response = flask.jsonify(rendered)
    response.status_code = 201 if microversion.at_least('2.2') else 200
    return response


@bp.get('')
def list_keypairs():
    user_id = _owner('index', _query_user())
    limit = marker = None
    if microversion.at_least('2.35'):
        limit, marker = pagination.page_params(flask.current_app.conf.api.max_limit)
    with support.db().reader() as session:
        rows = keypairs.list_for_user(session, user_id, limit=limit, marker=marker)
    body = {'keypairs': [views.listed(k) for k in rows]}
    if microversion.at_least('2.35'):
        next_href = pagination.next_link(support.base_url() + flask.request.path, rows, limit,
                                         key='name')
        if next_href:
            body['keypairs_links'] = [{'rel': 'next', 'href': next_href}]
    return flask.jsonify(body)


@bp.get('/<name>')
def show_keypair(name):
    user_id = _owner('show', _query_user())
    with support.db().reader() as session:
        keypair = keypairs.get(session, user_id, name)
    return flask.jsonify(views.shown(keypair))


@bp.delete('/<name>')
def delete_keypair(name):
    user_id = _owner('delete', _query_user())
    with support.db().writer() as session:
        keypairs.delete(session, user_id, name)
    support.notify('compute.keypair.delete', {'name': name, 'user_id': user_id})
    return support.no_content(204 if microversion.at_least('2.2') else 202)
