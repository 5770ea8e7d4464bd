"""Error bodies in the shapes OpenStack clients parse.

Each service speaks the dialect of the OpenStack service it stands in for:
Keystone ``{"error": {"code", "title", "message"}}``, Nova/Cinder/Glance
``{"<faultName>": {"code", "message"}}``, Neutron
``{"NeutronError": {"type", "message", "detail"}}``.
"""
import json

import flask

NOVA_FAULT_NAMES = {
    400: 'badRequest',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'itemNotFound',
    405: 'badMethod',
    406: 'notAcceptable',
    409: 'conflictingRequest',
    413: 'overLimit',
    415: 'badMediaType',
    416: 'rangeNotSatisfiable',
    429: 'overLimit',
    501: 'notImplemented',
    503: 'serviceUnavailable',
}


def keystone_body(code, title, message, error_type):
    return {'error': {'code': code, 'title': title, 'message': message}}


def openstack_body(code, title, message, error_type):
    name = NOVA_FAULT_NAMES.get(code, 'computeFault' if code >= 500 else 'badRequest')
    return {name: {'code': code, 'message': message}}


def neutron_body(code, title, message, error_type):
    return {'NeutronError': {'type': error_type, 'message': message, 'detail': ''}}


FAULT_STYLES = {
    'keystone': keystone_body,
    'openstack': openstack_body,
    'neutron': neutron_body,
}


def fault_response(style, code, title, message, error_type='Error', headers=None):
    """A Flask response carrying the fault body of ``style``."""
    body = FAULT_STYLES[style](code, title, message, error_type)
    response = flask.Response(json.dumps(body), status=code,
                              content_type='application/json')
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
