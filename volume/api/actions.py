"""The ``POST .../<id>/action`` dispatch shared by volumes, snapshots and backups.

Cinder's action bodies name one action (``{"os-reset_status": {...}}``); each
resource maps the names it accepts to a body schema and a handler, and the
body is read, checked and dispatched the same way for all of them, so the
400s a client sees for a malformed body or an unknown action are the same.
"""
from common import exceptions
from common.wsgi import validation


def dispatch(actions, resource_id):
    """Run the action the request body names on ``resource_id``.

    :param actions: ``{name: (schema, handler)}``; ``handler(resource_id, args)``
        returns the response.
    :raises BadRequest: (400) a body that is not an object, or names no known action.
    """
    body = validation.json_body()
    if not isinstance(body, dict):
        raise exceptions.BadRequest('Malformed request body: an object naming one action '
                                    'is required.')
    name = next((key for key in body if key in actions), None)
    if name is None:
        named = ', '.join(body) or 'none'
        raise exceptions.BadRequest(f'There is no such action: {named}. Verify the request '
                                    'body and Content-Type header and try again.')
    schema, handler = actions[name]
    validation.validate(body, schema)
    return handler(resource_id, body[name] or {})
