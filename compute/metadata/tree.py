"""Finding a path in an instance's metadata trees, as Nova's metadata API answers it.

``/`` lists the EC2 versions, ``/openstack`` the OpenStack ones (each list
ending in ``latest``); ``/openstack/<version>/<file>`` and
``/<version>/meta-data/…``, ``/<version>/user-data`` (also under ``/ec2``)
are the documents.  A directory is answered with its entries one per line,
subdirectories ending in ``/``; EC2's ``public-keys`` directory lists
``0=<key name>``.  A path that is not in the tree raises ``NotFound``.
"""
import json
import posixpath

from compute.metadata import content

TEXT = 'text/plain'
JSON = 'application/json'


class NotFound(LookupError):
    """No such path in the instance's metadata."""


def resolve(metadata, path):
    """The document at ``path``: ``(body bytes, content type)``.

    :param metadata: a ``content.InstanceMetadata``.
    :raises NotFound: ``path`` names nothing.
    """
    tokens = [t for t in posixpath.normpath('/' + path).split('/') if t]
    if tokens[:1] == ['openstack']:
        return _openstack(metadata, tokens[1:])
    if tokens[:1] == ['ec2']:
        tokens = tokens[1:]
    return _ec2(metadata, tokens)


def _text(value):
    return str(value).encode(), TEXT


def _listing(names):
    return '\n'.join(names).encode(), TEXT


def _json(data):
    return json.dumps(data).encode(), JSON


def _openstack(metadata, tokens):
    if not tokens:
        return _listing([*content.OPENSTACK_VERSIONS, content.LATEST])
    try:
        version = content.openstack_version(tokens[0])
    except content.UnknownVersion as exc:
        raise NotFound(tokens[0]) from exc
    files = metadata.openstack_files(version)
    if len(tokens) == 1:
        return _listing(files)
    if len(tokens) > 2 or tokens[1] not in files:
        raise NotFound('/'.join(tokens))
    name = tokens[1]
    if name == content.META_DATA_JSON:
        return _json(metadata.meta_data(version))
    if name == content.USER_DATA:
        return metadata.user_data, TEXT
    if name == content.NETWORK_DATA_JSON:
        return _json(metadata.network_data())
    return _json(metadata.vendor_data())


def _ec2(metadata, tokens):
    if not tokens:
        return _listing([*content.EC2_VERSIONS, content.LATEST])
    try:
        version = content.ec2_version(tokens[0])
    except content.UnknownVersion as exc:
        raise NotFound(tokens[0]) from exc
    top = {'meta-data': metadata.ec2_meta_data(version)}
    if metadata.user_data is not None:
        top['user-data'] = metadata.user_data
    node = top
    for depth, token in enumerate(tokens[1:]):
        if not isinstance(node, dict) or token not in node:
            raise NotFound('/'.join(tokens[:depth + 2]))
        node = node[token]
    if isinstance(node, dict):
        return _listing(_entries(node, key_name=metadata.instance.get('key_name')
                                 if tokens[1:] == ['meta-data', 'public-keys'] else None))
    if isinstance(node, bytes):
        return node, TEXT
    if isinstance(node, list):
        return _listing(node)
    return _text('' if node is None else node)


def _entries(node, key_name=None):
    """Names of a directory's entries, sorted; a subdirectory's name ends in ``/``.

    ``key_name`` given: ``node`` is EC2's ``public-keys``, whose entries
    are listed ``<index>=<key name>`` (as EC2 and Nova do).
    """
    if key_name is not None:
        return [f'{index}={key_name}' for index in sorted(node)]
    return [f'{name}/' if isinstance(node[name], dict) else name for name in sorted(node)]
