"""Request body and query-string validation.

Bodies are checked against JSON Schema (Draft 2020-12).  A violation is a
400 whose message names the offending field, as in
``Invalid input for field 'project.name': 5 is not of type 'string'``.
"""
import json

import flask
import jsonschema

from common import exceptions

_FORMAT_CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER
_validators = {}

MAX_DETAIL = 200
TRUE_STRINGS = frozenset(('1', 't', 'true', 'on', 'y', 'yes'))
FALSE_STRINGS = frozenset(('0', 'f', 'false', 'off', 'n', 'no'))


def _validator(schema):
    """The compiled validator of ``schema`` (schemas are module constants)."""
    cached = _validators.get(id(schema))
    if cached is None or cached[0] is not schema:
        jsonschema.Draft202012Validator.check_schema(schema)
        cached = (schema, jsonschema.Draft202012Validator(
            schema, format_checker=_FORMAT_CHECKER))
        _validators[id(schema)] = cached
    return cached[1]


def _field_name(error):
    path = [str(p) for p in error.absolute_path]
    if error.validator == 'required':
        missing = error.message.split("'")[1] if "'" in error.message else ''
        path.append(missing)
    return "'%s'" % '.'.join(path) if path else 'the request body'


def validate(instance, schema):
    """Raise ``ValidationError`` when ``instance`` does not match ``schema``."""
    validator = _validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        detail = error.message
        if len(detail) > MAX_DETAIL:
            # The message quotes the offending value, which may be huge.
            detail = detail[:MAX_DETAIL] + '…'
        raise exceptions.ValidationError(field=_field_name(error), detail=detail)


def json_body(schema=None):
    """The request's JSON body, checked against ``schema`` when given."""
    raw = flask.request.get_data(cache=True)
    if not raw:
        raise exceptions.BadRequest('The request body is empty; a JSON object is required.')
    try:
        body = json.loads(raw)
        # JSON may spell lone UTF-16 surrogates ("\\ud800"), which no
        # database or log can store: refuse them here.
        json.dumps(body, ensure_ascii=False).encode('utf-8')
    except (ValueError, UnicodeError) as exc:
        raise exceptions.BadRequest(f'Malformed request body: {exc}.') from None
    if schema is not None:
        validate(body, schema)
    return body


def _holds_nul(value):
    if isinstance(value, str):
        return '\x00' in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def nul_character_refusal(invalid_input):
    """A ``before_request`` hook: 400 for a NUL character in the path, query or JSON body.

    PostgreSQL cannot store or even compare text holding one (the driver
    raises), so it must not reach a query; no OpenStack API attribute
    contains one.

    :param invalid_input: builds the service's own error from the reason,
        e.g. ``lambda reason: InvalidInput(detail=reason)``: its message
        is what the service's clients expect.
    """
    def refuse_nul_characters():
        request = flask.request
        try:
            data = json.loads(request.get_data(cache=True) or 'null')
        except ValueError:
            data = None  # a malformed body is refused where the view reads it
        query = [item for pair in request.args.items(multi=True) for item in pair]
        if _holds_nul(request.path) or _holds_nul(query) or _holds_nul(data):
            raise invalid_input('Null character (\\x00) not allowed')
    return refuse_nul_characters


def query_bool(name, default=None):
    """A boolean query parameter; clients write ``True``, ``true``, ``1`` …"""
    value = flask.request.args.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in TRUE_STRINGS:
        return True
    if lowered in FALSE_STRINGS:
        return False
    if lowered in ('', 'none'):
        return default
    raise exceptions.BadRequest(
        f"Invalid value '{value}' for query parameter '{name}': expected a boolean.")


def query_flag(name):
    """A query parameter that counts as set when present without a value (``?nocatalog``)."""
    if name not in flask.request.args:
        return False
    value = flask.request.args.get(name, '')
    return value == '' or query_bool(name, default=True)
