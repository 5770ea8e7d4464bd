"""marker/limit pagination parameters and ``next`` links."""
import urllib.parse

import flask

from common import exceptions


def page_params(max_limit):
    """``(limit, marker)`` from the query string; ``limit`` is capped at ``max_limit``."""
    args = flask.request.args
    limit = args.get('limit')
    if limit is not None:
        try:
            limit = int(limit)
        except ValueError:
            raise exceptions.BadRequest(f"Invalid value '{limit}' for 'limit': "
                                        'expected a non-negative integer.') from None
        if limit < 0:
            raise exceptions.BadRequest("'limit' must not be negative.")
        limit = min(limit, max_limit)
    return limit, args.get('marker') or None


def _url_with(base_url, **params):
    query = [(k, v) for k, v in flask.request.args.items(multi=True)
             if k not in params]
    query += [(k, str(v)) for k, v in params.items() if v is not None]
    encoded = urllib.parse.urlencode(query)
    return f'{base_url}?{encoded}' if encoded else base_url


def next_link(base_url, items, limit, key='id'):
    """The URL of the next page, or ``None`` when ``items`` is the last page.

    A page is the last when it holds fewer items than asked for, or when no
    limit was asked for at all.
    """
    if not limit or len(items) < limit:
        return None
    last = items[-1]
    marker = last[key] if isinstance(last, dict) else getattr(last, key)
    return _url_with(base_url, marker=marker, limit=limit)


def self_link(base_url):
    return _url_with(base_url)
