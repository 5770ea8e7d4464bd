"""marker/limit parameters and ``next`` links (``common/wsgi/pagination.py``)."""
import urllib.parse

import flask
import pytest

from common import exceptions
from common.wsgi import pagination


@pytest.fixture
def app():
    return flask.Flask(__name__)


def _in_request(app, query_string, fn, *args):
    with app.test_request_context('/v3/things', query_string=query_string):
        return fn(*args)


@pytest.mark.parametrize('query, expected', [
    ({}, (None, None)),
    ({'limit': '5'}, (5, None)),
    ({'limit': '0'}, (0, None)),
    ({'limit': '5000'}, (100, None)),
    ({'limit': '2', 'marker': 'abc'}, (2, 'abc')),
    ({'marker': ''}, (None, None)),
])
def test_page_params(app, query, expected):
    assert _in_request(app, query, pagination.page_params, 100) == expected


@pytest.mark.parametrize('limit', ['ten', '1.5', '-1'])
def test_bad_limit_is_a_bad_request(app, limit):
    with pytest.raises(exceptions.BadRequest) as caught:
        _in_request(app, {'limit': limit}, pagination.page_params, 100)
    assert caught.value.code == 400
    assert 'limit' in caught.value.message


def test_next_link_when_the_page_is_full(app):
    items = [{'id': 'a'}, {'id': 'b'}]
    link = _in_request(app, {'limit': '2', 'name': 'x', 'marker': 'old'},
                       pagination.next_link, 'http://h/v3/things', items, 2)
    url = urllib.parse.urlsplit(link)
    assert url.path == '/v3/things'
    assert urllib.parse.parse_qs(url.query) == {'name': ['x'], 'marker': ['b'], 'limit': ['2']}


def test_next_link_reads_attributes_of_objects(app):
    class Row:
        def __init__(self, id):
            self.id = id

    link = _in_request(app, {}, pagination.next_link, 'http://h/v3/things',
                       [Row('a'), Row('z')], 2)
    assert 'marker=z' in link


@pytest.mark.parametrize('count, limit', [(1, 2), (0, 2), (3, None), (3, 0)])
def test_no_next_link_on_the_last_page(app, count, limit):
    items = [{'id': str(i)} for i in range(count)]
    assert _in_request(app, {}, pagination.next_link, 'http://h/v3/things', items, limit) is None


def test_self_link_keeps_the_query(app):
    link = _in_request(app, {'name': 'x'}, pagination.self_link, 'http://h/v3/things')
    assert link == 'http://h/v3/things?name=x'
    assert _in_request(app, {}, pagination.self_link, 'http://h/v3/things') == \
        'http://h/v3/things'
