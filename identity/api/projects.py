"""``/v3/projects``."""
import flask

from common.wsgi import validation
from identity.api import support
from identity.api.schemas import projects as schemas
from identity.api.views import projects as views

bp = flask.Blueprint('projects', __name__, url_prefix='/v3/projects')

_KNOWN = ('name', 'description', 'enabled', 'domain_id', 'parent_id', 'is_domain', 'tags',
          'options', 'id')


def _split_extra(attrs):
    """Known attributes, plus the rest under ``extra`` (Keystone keeps unknown keys)."""
    known = {k: v for k, v in attrs.items() if k in _KNOWN}
    extra = {k: v for k, v in attrs.items() if k not in _KNOWN}
    if extra:
        known['extra'] = extra
    return known


def _tag_filter(name):
    value = support.arg(name)
    return value.split(',') if value else None


@bp.get('')
def list_projects():
    ctx = support.context()
    domain_id = support.arg('domain_id')
    support.authorize('list_projects', domain_id=domain_id or ctx.domain_id)
    if not support.is_cloud_reader():
        # A domain reader sees only the projects of their domain.
        domain_id = ctx.domain_id
    if validation.query_bool('is_domain') is True:
        return flask.jsonify(support.collection('projects', [], views.render))
    limit, marker = support.page()
    backend = support.backend()
    with backend.reader() as session:
        found = backend.resource.list_projects(
            session, name=support.arg('name'), domain_id=domain_id,
            enabled=validation.query_bool('enabled'), parent_id=support.arg('parent_id'),
            tags=_tag_filter('tags'), tags_any=_tag_filter('tags-any'),
            not_tags=_tag_filter('not-tags'), not_tags_any=_tag_filter('not-tags-any'),
            limit=limit, marker=marker)
    return flask.jsonify(support.collection('projects', found, views.render, limit))


@bp.post('')
def create_project():
    attrs = _split_extra(validation.json_body(schemas.create)['project'])
    backend = support.backend()
    ctx = support.context()
    domain_id = attrs.get('domain_id') or (ctx.domain_id if ctx.domain_id else
                                           backend.conf.identity.default_domain_id)
    attrs['domain_id'] = domain_id
    support.authorize('create_project', domain_id=domain_id)
    with backend.writer(ctx) as session:
        project = backend.resource.create_project(session, attrs)
    return flask.jsonify(project=views.render(project)), 201


def _load(project_id):
    backend = support.backend()
    with backend.reader() as session:
        return backend.resource.get_project(session, project_id)


@bp.get('/<project_id>')
def get_project(project_id):
    project = _load(project_id)
    support.authorize('get_project', domain_id=project.domain_id, project_id=project.id)
    return flask.jsonify(project=views.render(project))


@bp.patch('/<project_id>')
def update_project(project_id):
    attrs = _split_extra(validation.json_body(schemas.update)['project'])
    project = _load(project_id)
    support.authorize('update_project', domain_id=project.domain_id, project_id=project.id)
    backend = support.backend()
    with backend.writer(support.context()) as session:
        project = backend.resource.update_project(session, project_id, attrs)
    return flask.jsonify(project=views.render(project))


@bp.delete('/<project_id>')
def delete_project(project_id):
    project = _load(project_id)
    support.authorize('delete_project', domain_id=project.domain_id, project_id=project.id)
    backend = support.backend()
    with backend.writer(support.context()) as session:
        backend.resource.delete_project(session, project_id)
    return support.no_content()
