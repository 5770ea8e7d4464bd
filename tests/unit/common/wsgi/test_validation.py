"""JSON bodies and query strings (``common/wsgi/validation.py``)."""
import flask
import pytest

from common import exceptions
from common.wsgi import validation

PROJECT = {
    'type': 'object', 'required': ['project'],
    'properties': {'project': {
        'type': 'object', 'required': ['name'], 'additionalProperties': False,
        'properties': {'name': {'type': 'string', 'minLength': 1},
                       'tags': {'type': 'array', 'items': {'type': 'string'}},
                       'enabled': {'type': 'boolean'}}}},
}


@pytest.fixture
def app():
    return flask.Flask(__name__)


def _body(app, data, schema=PROJECT):
    with app.test_request_context('/', method='POST', data=data,
                                  content_type='application/json'):
        return validation.json_body(schema)


def _query(app, query_string, fn, *args, **kwargs):
    with app.test_request_context('/', query_string=query_string):
        return fn(*args, **kwargs)


def test_valid_body_is_returned(app):
    assert _body(app, '{"project": {"name": "p"}}') == {'project': {'name': 'p'}}


def test_body_without_schema_is_only_parsed(app):
    assert _body(app, '[1, 2]', schema=None) == [1, 2]


@pytest.mark.parametrize('data, message', [
    ('{"project": {"name": 5}}',
     "Invalid input for field 'project.name': 5 is not of type 'string'"),
    ('{"project": {}}', "Invalid input for field 'project.name': 'name' is a required property"),
    ('{}', "Invalid input for field 'project': 'project' is a required property"),
    ('{"project": {"name": "p", "tags": ["a", 7]}}',
     "Invalid input for field 'project.tags.1': 7 is not of type 'string'"),
    ('{"project": {"name": "p", "color": "red"}}',
     "Invalid input for field 'project': Additional properties are not allowed "
     "('color' was unexpected)"),
    ('[]', "Invalid input for field the request body: [] is not of type 'object'"),
])
def test_schema_violation_names_the_field(app, data, message):
    with pytest.raises(exceptions.ValidationError) as caught:
        _body(app, data)
    assert caught.value.code == 400
    assert caught.value.message == message


@pytest.mark.parametrize('data', ['{"project": ', 'not json', b'\xff\xfe{}'])
def test_malformed_json_is_a_bad_request(app, data):
    with pytest.raises(exceptions.BadRequest, match='Malformed request body'):
        _body(app, data)


def test_empty_body_is_a_bad_request(app):
    with pytest.raises(exceptions.BadRequest, match='body is empty'):
        _body(app, '')


def test_invalid_schema_is_a_programming_error(app):
    with pytest.raises(Exception, match='is not valid'):
        _body(app, '{}', schema={'type': 'no-such-type'})


@pytest.mark.parametrize('value, expected', [
    ('True', True), ('true', True), ('1', True), ('yes', True), ('on', True), (' TRUE ', True),
    ('False', False), ('false', False), ('0', False), ('no', False), ('off', False),
])
def test_query_bool_reads_what_clients_write(app, value, expected):
    assert _query(app, {'is_public': value}, validation.query_bool, 'is_public') is expected


@pytest.mark.parametrize('query', [{}, {'is_public': 'None'}, {'is_public': 'none'},
                                   {'is_public': ''}])
def test_query_bool_absent_or_none_is_the_default(app, query):
    assert _query(app, query, validation.query_bool, 'is_public') is None
    assert _query(app, query, validation.query_bool, 'is_public', default=True) is True


def test_query_bool_refuses_other_values(app):
    with pytest.raises(exceptions.BadRequest) as caught:
        _query(app, {'enabled': 'maybe'}, validation.query_bool, 'enabled')
    assert caught.value.code == 400
    assert "'maybe'" in caught.value.message and "'enabled'" in caught.value.message


@pytest.mark.parametrize('query_string, expected', [
    ('nocatalog', True), ('nocatalog=', True), ('nocatalog=1', True), ('nocatalog=True', True),
    ('nocatalog=false', False), ('other=1', False), ('', False),
])
def test_query_flag(app, query_string, expected):
    assert _query(app, query_string, validation.query_flag, 'nocatalog') is expected


@pytest.mark.parametrize('path, query_string, data', [
    ('/items/a%00b', '', ''),
    ('/items', 'name=a%00b', ''),
    ('/items', 'a%00b=1', ''),
    ('/items', '', '{"item": {"tags": ["a\\u0000"]}}'),
    ('/items', '', '{"item\\u0000": 1}'),
])
def test_nul_character_refusal_raises_the_services_error(app, path, query_string, data):
    refuse = validation.nul_character_refusal(lambda reason: exceptions.Conflict(reason))
    with app.test_request_context(path, method='POST', query_string=query_string, data=data,
                                  content_type='application/json'):
        with pytest.raises(exceptions.Conflict, match=r'Null character \(\\x00\) not allowed'):
            refuse()


@pytest.mark.parametrize('data', ['{"item": {"name": "a\\\\u0000"}}', '{"malformed'])
def test_nul_character_refusal_lets_other_requests_through(app, data):
    refuse = validation.nul_character_refusal(lambda reason: exceptions.Conflict(reason))
    with app.test_request_context('/items', method='POST', query_string='name=a',
                                  data=data, content_type='application/json'):
        refuse()
