"""Parsing ``PATCH /v2/images/{id}`` bodies in both dialects clients send.

* RFC 6902 with ``Content-Type: application/openstack-images-v2.1-json-patch``
  (openstacksdk): ``[{"op": "replace", "path": "/name", "value": "x"}]``;
* Glance's older dialect with ``…-v2.0-json-patch`` (Tempest):
  ``[{"replace": "/name", "value": "x"}]``.

Paths name one attribute (``/name``, ``/os_distro``); ``~1`` and ``~0``
are unescaped as RFC 6901 says.  Values are checked against the image
schema of the attribute.
"""
import dataclasses

from common import exceptions as common_exc
from common.wsgi import validation
from image.api.schemas import images as schemas

MEDIA_TYPES = ('application/openstack-images-v2.1-json-patch',
               'application/openstack-images-v2.0-json-patch')
OPS = ('add', 'replace', 'remove')


@dataclasses.dataclass(frozen=True)
class Change:
    op: str
    path: str
    value: object = None


def _attribute(path):
    if not isinstance(path, str) or not path.startswith('/') or path.count('/') != 1 \
            or len(path) < 2:
        raise common_exc.BadRequest(f"Invalid JSON pointer '{path}': use '/<attribute>'.")
    return path[1:].replace('~1', '/').replace('~0', '~')


def _parse_one(item):
    if not isinstance(item, dict):
        raise common_exc.BadRequest('Each change must be a JSON object.')
    if 'op' in item:
        op, path = item['op'], item.get('path')
    else:
        ops = [k for k in item if k in OPS]
        if len(ops) != 1:
            raise common_exc.BadRequest(f'A change needs exactly one of {", ".join(OPS)}.')
        op, path = ops[0], item[ops[0]]
    if op not in OPS:
        raise common_exc.BadRequest(f"Unsupported patch operation '{op}'.")
    name = _attribute(path)
    if op == 'remove':
        return Change(op, name)
    if 'value' not in item:
        raise common_exc.BadRequest(f"Operation '{op}' on '{path}' needs a value.")
    value = item['value']
    validation.validate({name: value}, schemas.attribute_schema(name))
    return Change(op, name, value)


def parse(request):
    """The list of ``Change`` objects of a PATCH request (415 for other media types)."""
    content_type = (request.mimetype or '').lower()
    if content_type not in MEDIA_TYPES:
        raise common_exc.UnsupportedMediaType(content_type=content_type or '(none)')
    body = validation.json_body()
    if not isinstance(body, list):
        raise common_exc.BadRequest('A JSON Patch body is a list of changes.')
    return [_parse_one(item) for item in body]
