"""Key pair bodies as Nova shows them: ``type`` from 2.2; list items without ``user_id``."""
from common.wsgi.timestamps import microsecond_time
from compute.api import microversion


def _base(keypair):
    body = {'name': keypair.name, 'public_key': keypair.public_key,
            'fingerprint': keypair.fingerprint}
    if microversion.at_least('2.2'):
        body['type'] = keypair.type
    return body


def created(keypair, private_key=None):
    body = _base(keypair)
    body['user_id'] = keypair.user_id
    if private_key is not None:
        body['private_key'] = private_key
    return {'keypair': body}


def shown(keypair):
    body = _base(keypair)
    body.update({'user_id': keypair.user_id, 'id': keypair.id,
                 'created_at': microsecond_time(keypair.created_at), 'updated_at': None,
                 'deleted': False, 'deleted_at': None})
    return {'keypair': body}


def listed(keypair):
    return {'keypair': _base(keypair)}
