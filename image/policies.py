"""Default policy of the image API (override in /etc/stratus/policy.yaml).

Which images a project sees is decided by visibility and membership (see
``image.visibility``), not here; these rules decide who may act at all.
Changing an image needs the ``member`` role in its owning project (the
code checks ownership); ``reader`` only reads.  Making an image public,
deactivating one and setting quotas are for cloud admins.
"""
from oslo_policy import policy

SCOPES = ['project']
READER = 'rule:cloud_reader or role:reader'
MEMBER = 'rule:cloud_admin or role:member'


def _rule(name, check, description, method, path):
    return policy.DocumentedRuleDefault(
        name=f'image:{name}', check_str=check, description=description,
        operations=[{'method': m, 'path': path} for m in method.split('|')],
        scope_types=SCOPES)


_RULES = [
    _rule('get_images', READER, 'List images.', 'GET', '/v2/images'),
    _rule('get_image', READER, 'Show an image.', 'GET', '/v2/images/{id}'),
    _rule('add_image', MEMBER, 'Create an image.', 'POST', '/v2/images'),
    _rule('modify_image', MEMBER, 'Update an image.', 'PATCH', '/v2/images/{id}'),
    _rule('delete_image', MEMBER, 'Delete an image.', 'DELETE', '/v2/images/{id}'),
    _rule('publicize_image', 'rule:cloud_admin', 'Make an image public.',
          'POST|PATCH', '/v2/images'),
    _rule('communitize_image', MEMBER, 'Make an image community.', 'POST|PATCH',
          '/v2/images'),
    _rule('upload_image', MEMBER, 'Upload image data.', 'PUT', '/v2/images/{id}/file'),
    _rule('download_image', READER, 'Download image data.', 'GET', '/v2/images/{id}/file'),
    _rule('stage_image', MEMBER, 'Stage image data for import.', 'PUT',
          '/v2/images/{id}/stage'),
    _rule('import_image', MEMBER, 'Import staged data.', 'POST', '/v2/images/{id}/import'),
    _rule('deactivate', 'rule:cloud_admin', 'Deactivate an image.', 'POST',
          '/v2/images/{id}/actions/deactivate'),
    _rule('reactivate', 'rule:cloud_admin', 'Reactivate an image.', 'POST',
          '/v2/images/{id}/actions/reactivate'),
    _rule('modify_tag', MEMBER, 'Add or remove an image tag.', 'PUT|DELETE',
          '/v2/images/{id}/tags/{tag}'),
    _rule('get_members', READER, 'List image members.', 'GET', '/v2/images/{id}/members'),
    _rule('get_member', READER, 'Show an image member.', 'GET',
          '/v2/images/{id}/members/{member}'),
    _rule('add_member', MEMBER, 'Share an image with a project.', 'POST',
          '/v2/images/{id}/members'),
    _rule('modify_member', MEMBER, 'Accept or reject a shared image.', 'PUT',
          '/v2/images/{id}/members/{member}'),
    _rule('delete_member', MEMBER, 'Stop sharing an image with a project.', 'DELETE',
          '/v2/images/{id}/members/{member}'),
    _rule('get_info', READER, 'Import methods, stores and the project\'s usage.', 'GET',
          '/v2/info/*'),
    _rule('get_schemas', READER, 'JSON schemas of image resources.', 'GET', '/v2/schemas/*'),
]


def list_rules():
    return _RULES
