"""Error responses become HttpErrors carrying the server's message."""
import json

import pytest
import requests

from stratus import exceptions


def _response(status, body, content_type='application/json', headers=None):
    response = requests.Response()
    response.status_code = status
    response.reason = 'Reason'
    response._content = (json.dumps(body) if not isinstance(body, str) else body).encode()
    response.headers['Content-Type'] = content_type
    response.headers.update(headers or {})
    response.url = 'http://h/v3/projects/x'
    response.request = requests.Request('GET', response.url).prepare()
    return response


@pytest.mark.parametrize('body, message', [
    ({'error': {'code': 404, 'title': 'Not Found', 'message': 'Could not find project: x.'}},
     'Could not find project: x.'),
    ({'itemNotFound': {'code': 404, 'message': 'Flavor m1 could not be found.'}},
     'Flavor m1 could not be found.'),
    ({'NeutronError': {'type': 'NetworkNotFound', 'message': 'Network n could not be found.',
                       'detail': ''}}, 'Network n could not be found.'),
    ({'NeutronError': {'type': 'X', 'message': 'Bad.', 'detail': 'Because.'}}, 'Bad.: Because.'),
    ({'message': 'Plain.'}, 'Plain.'),
])
def test_fault_dialects(body, message):
    error = exceptions.from_response(_response(404, body))
    assert isinstance(error, exceptions.NotFound)
    assert error.message == message


@pytest.mark.parametrize('status, cls', [
    (400, exceptions.BadRequest), (401, exceptions.Unauthorized), (403, exceptions.Forbidden),
    (404, exceptions.NotFound), (405, exceptions.MethodNotAllowed), (409, exceptions.Conflict),
    (413, exceptions.PayloadTooLarge), (500, exceptions.ServerError),
    (503, exceptions.ServerError), (418, exceptions.HttpError)])
def test_status_classes(status, cls):
    error = exceptions.from_response(_response(status, {'error': {'message': 'm'}}))
    assert type(error) is cls
    assert error.status_code == status
    assert isinstance(error, exceptions.SDKError)


def test_request_id_method_and_url_are_kept():
    error = exceptions.from_response(_response(
        409, {'error': {'message': 'Duplicate.'}},
        headers={'X-Openstack-Request-Id': 'req-1234'}))
    assert (error.request_id, error.method, error.url) == ('req-1234', 'GET',
                                                           'http://h/v3/projects/x')
    assert str(error) == 'Duplicate. (HTTP 409) (Request-ID: req-1234)'


def test_nova_request_id_header():
    error = exceptions.from_response(_response(
        404, {}, headers={'X-Compute-Request-Id': 'req-5678'}))
    assert error.request_id == 'req-5678'


def test_html_and_text_bodies_are_shown_as_text():
    error = exceptions.from_response(_response(
        404, '<html><body><h1>404 Not Found</h1>\n\nThe resource could not be found.'
        '</body></html>', content_type='text/html'))
    assert error.message == '404 Not Found The resource could not be found.'


def test_empty_or_unparsable_body_falls_back_to_the_reason():
    assert exceptions.from_response(_response(502, '')).message == 'Reason'
    error = exceptions.from_response(_response(400, '{not json'))
    assert error.message == '{not json'


def test_client_side_not_found_has_no_status():
    assert str(exceptions.NotFound('No project x.')) == 'No project x.'
