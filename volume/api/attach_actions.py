"""The older attach actions of ``POST /volumes/{id}/action`` (``volume.legacy_attach``).

``volume.api.volume_actions`` dispatches them from its ``ACTIONS``.  All
answer 202 but ``os-initialize_connection``, which answers 200 with the
backend's ``connection_info``, asked of the volume's agent as the
attachments API asks it (``volume.api.attachments.connect``).
"""
import flask

from volume import attachments
from volume import legacy_attach
from volume.api import attachments as attachments_api
from volume.api import support
from volume.api.schemas import attachments as schemas
from volume.api.volumes import volume_for


def _change(volume_id, action, change):
    with support.db().writer() as session:
        change(session, volume_for(session, volume_id, action))
    return support.accepted()


def reserve(volume_id, _args):
    return _change(volume_id, 'volumes:reserve', legacy_attach.reserve)


def unreserve(volume_id, _args):
    return _change(volume_id, 'volumes:unreserve', legacy_attach.unreserve)


def begin_detaching(volume_id, _args):
    return _change(volume_id, 'volumes:begin_detaching', legacy_attach.begin_detaching)


def roll_detaching(volume_id, _args):
    return _change(volume_id, 'volumes:roll_detaching', legacy_attach.roll_detaching)


def attach(volume_id, args):
    def record(session, volume):
        legacy_attach.attach(session, volume, instance_uuid=args.get('instance_uuid'),
                             host_name=args.get('host_name'), mountpoint=args['mountpoint'],
                             mode=args.get('mode'))
    return _change(volume_id, 'volumes:attach', record)


def detach(volume_id, args):
    def record(session, volume):
        legacy_attach.detach(session, volume, args.get('attachment_id'))
    return _change(volume_id, 'volumes:detach', record)


def initialize_connection(volume_id, args):
    with support.db().reader() as session:
        volume = volume_for(session, volume_id, 'volumes:initialize_connection')
        legacy_attach.check_connectable(volume)
        target = attachments.target(volume, args['connector'])
        mode = legacy_attach.access_mode(session, volume)
    info = attachments_api.connect(target)
    return flask.jsonify(connection_info=attachments.with_access_mode(info, mode))


def terminate_connection(volume_id, args):
    with support.db().reader() as session:
        volume = volume_for(session, volume_id, 'volumes:terminate_connection')
        target = attachments.target(volume, args['connector'])
    attachments_api.disconnect(target)
    return support.accepted()


ACTIONS = {
    'os-reserve': (schemas.reserve, reserve),
    'os-unreserve': (schemas.unreserve, unreserve),
    'os-begin_detaching': (schemas.begin_detaching, begin_detaching),
    'os-roll_detaching': (schemas.roll_detaching, roll_detaching),
    'os-attach': (schemas.attach, attach),
    'os-detach': (schemas.detach, detach),
    'os-initialize_connection': (schemas.initialize_connection, initialize_connection),
    'os-terminate_connection': (schemas.terminate_connection, terminate_connection),
}
