"""The metadata API (port 8775): an instance's own metadata, for the instance.

Every path is answered for the instance the network's metadata proxy
vouches for (``auth``); there is no Keystone token.  Only ``GET`` (and
``HEAD``) are served.  Refusals are plain text, as Nova's metadata API
answers them: 403 when the request does not prove its instance (or the
proxy's project is not the instance's), 404 for an unknown or deleted
instance and for paths that are not in its tree.
"""
import json
import logging

import flask

from common.wsgi.app import create_base_app, public
from compute import zones
from compute.backend import open_database
from compute.conductor import payloads
from compute.db import api as db_api
from compute.metadata import auth
from compute.metadata import content
from compute.metadata import tree

LOG = logging.getLogger(__name__)


def create_app(conf, *, db=None):
    """The metadata WSGI app.

    :param db: the compute database (default: the configured one).
    """
    # Every route is public: the proxy's signature, checked in the view,
    # stands in for a token, so no ``authenticate`` is ever called.
    app = create_base_app(__name__, service='compute-metadata', conf=conf,
                          fault_style='openstack', authenticate=None,
                          health_check=lambda: flask.current_app.db.ping())
    app.db = db or open_database(conf)
    for rule, defaults in (('/', {'path': ''}), ('/<path:path>', None)):
        app.add_url_rule(rule, 'metadata', serve, defaults=defaults, methods=['GET'],
                         provide_automatic_options=False)
    return app


def _plain(status, message):
    return flask.Response(message + '\n', status=status, mimetype='text/plain')


def _instance_metadata(requester):
    """The ``InstanceMetadata`` of the requesting instance, or ``None`` if there is none."""
    with flask.current_app.db.reader() as session:
        row = db_api.get_instance(session, requester.instance_id)
        if row is None:
            return None
        instance = payloads.instance(session, row)
        instance['security_groups'] = json.loads(row.security_groups or '[]')
        instance['root_device_name'] = row.root_device_name
        if not instance['availability_zone'] and row.host:
            # Nova's rule: an instance built without a zone is in its host's.
            instance['availability_zone'] = zones.zone_of_host(
                session, flask.current_app.conf, row.host)
        network_info = json.loads(row.network_info or '[]')
    return content.InstanceMetadata(instance, network_info, address=requester.address)


@public
def serve(path):
    """The document or directory listing at ``path`` for the requesting instance."""
    headers = flask.request.headers
    secret = flask.current_app.conf.metadata.metadata_proxy_shared_secret
    try:
        requester = auth.authenticate(headers, secret)
    except auth.Forbidden as exc:
        LOG.warning('Refused metadata request for instance %s from %s: %s',
                    headers.get(auth.INSTANCE_ID) or '-',
                    headers.get(auth.FORWARDED_FOR) or flask.request.remote_addr, exc)
        return _plain(403, str(exc))
    metadata = _instance_metadata(requester)
    if metadata is None:
        LOG.warning('Metadata requested for instance %s, which does not exist',
                    requester.instance_id)
        return _plain(404, f'Instance {requester.instance_id} could not be found.')
    if metadata.instance['project_id'] != requester.project_id:
        LOG.warning('Refused metadata request for instance %s: the proxy says project %s, '
                    'the instance is in another', requester.instance_id,
                    requester.project_id)
        return _plain(403, f'Instance {requester.instance_id} is not in project '
                           f'{requester.project_id}.')
    try:
        body, mimetype = tree.resolve(metadata, path)
    except tree.NotFound:
        return _plain(404, f'/{path} is not in the metadata of instance '
                           f'{requester.instance_id}.')
    LOG.debug('Served /%s to instance %s', path, requester.instance_id)
    return flask.Response(body, mimetype=mimetype)
