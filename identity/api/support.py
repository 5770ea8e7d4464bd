"""What every identity API module needs: the backend, the caller, policy, links."""
import flask

from common.wsgi import app as wsgi_app
from common.wsgi import pagination

# A target value that matches no credential: oslo.policy would find
# "None" equal to "None", and a project-scoped token has domain_id None.
_NO_VALUE = '<none>'


def backend():
    return flask.current_app.backend


def context():
    return wsgi_app.context()


def _flatten(prefix, value, out):
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f'{prefix}.{key}' if prefix else key, inner, out)
    else:
        out[prefix] = _NO_VALUE if value is None else value
    return out


def _admin_domain_id():
    backend_ = backend()
    with backend_.reader() as session:
        return backend_.tokens.admin_domain_id(session)


def authorize(action, **target):
    """Enforce ``identity:<action>`` on ``target`` (nested dicts are flattened).

    A target with a ``domain_id`` also says whether that domain holds the
    cloud's admin project: the domain-admin rules do not apply there, or a
    domain admin could take over the cloud admins' accounts.
    """
    if target.get('domain_id') is not None:
        target['in_admin_domain'] = target['domain_id'] == _admin_domain_id()
    flat = _flatten('target', target, {})
    flask.current_app.enforcer.authorize(context(), f'identity:{action}', flat)


def is_cloud_reader():
    """True for callers who see every domain's data (lists are not narrowed)."""
    return flask.current_app.enforcer.check(context(), 'cloud_reader', {})


def base_url():
    """Where clients reach this API, without a trailing slash."""
    public = flask.current_app.conf.api.public_url
    return (public or flask.request.host_url).rstrip('/')


def link(path):
    return {'self': f'{base_url()}/v3/{path}'}


def max_limit():
    return flask.current_app.conf.api.max_limit


def page():
    return pagination.page_params(max_limit())


def collection(key, items, render, limit=None):
    """A Keystone collection body: ``{key: [...], "links": {self, previous, next}}``."""
    url = f'{base_url()}{flask.request.path}'
    return {key: [render(item) for item in items],
            'links': {'self': pagination.self_link(url), 'previous': None,
                      'next': pagination.next_link(url, items, limit)}}


def arg(name):
    """A query-string filter, ``None`` when absent."""
    return flask.request.args.get(name)


def no_content():
    return flask.Response(status=204)
