"""Test data of the image service: images made through the API, and disk bytes.

Images are made the way clients make them (``POST /v2/images``, ``PUT
…/file``), so a factory exercises the same code as a user.  The one
exception is ``force_state``, which puts an image in the state a crash
would have left (for ``image.reconcile``); it writes the columns in one
place instead of each test building ORM rows.
"""
import itertools
import struct
import threading

import sqlalchemy as sa

from image.db import models

_counter = itertools.count()

KIB = 1024
MIB = 1024 * KIB


def unique(prefix='image'):
    return f'{prefix}-{next(_counter)}'


# --- disk bytes --------------------------------------------------------------

def raw_data(size=3000):
    """``size`` bytes no format inspector recognises (a raw disk)."""
    pattern = b'stratus raw disk data. '
    return (pattern * (size // len(pattern) + 1))[:size]


def qcow2_data(virtual_size=MIB, backing_file=None):
    """A small valid qcow2 (version 3, 512-byte clusters), as qemu-img lays it out.

    Layout: header, refcount table (cluster 1), L1 table (cluster 2).

    :param backing_file: a backing file name to write after the header,
        which the inspector must refuse.
    """
    cluster_bits = 9
    cluster = 1 << cluster_bits
    l1_size = -(-virtual_size // ((cluster // 8) * cluster))
    l1_offset, refcount_offset = 2 * cluster, cluster
    header_length = 112
    backing_offset = backing_size = 0
    name = (backing_file or '').encode()
    if name:
        backing_offset, backing_size = header_length + 8, len(name)
    header = struct.pack('>4sIQIIQIIQQIIQ', b'QFI\xfb', 3, backing_offset, backing_size,
                         cluster_bits, virtual_size, 0, l1_size, l1_offset, refcount_offset,
                         1, 0, 0)
    header += struct.pack('>QQQII', 0, 0, 0, 4, header_length)
    header += bytes(8)  # end of header extensions
    header += name
    size = max(l1_offset + l1_size * 8, refcount_offset + cluster)
    size = -(-size // cluster) * cluster
    return header + bytes(size - len(header))


# --- images through the API --------------------------------------------------

def make_image(api, as_='member', expect=201, **attrs):
    """Create an image (raw/bare unless told otherwise); returns its JSON."""
    body = {'name': unique(), 'disk_format': 'raw', 'container_format': 'bare', **attrs}
    body = {k: v for k, v in body.items() if v is not None}
    response = api.post('/v2/images', json=body, as_=as_)
    assert response.status_code == expect, response.json
    return response.json


def upload(api, image_id, data, as_='member', **kwargs):
    return api.put(f'/v2/images/{image_id}/file', data=data, as_=as_,
                   content_type='application/octet-stream', **kwargs)


def make_active_image(api, data=None, as_='member', **attrs):
    """An image with uploaded data; returns its JSON after the upload."""
    image = make_image(api, as_=as_, **attrs)
    response = upload(api, image['id'], raw_data() if data is None else data, as_=as_)
    assert response.status_code == 204, response.json
    return show(api, image['id'])


def show(api, image_id, as_='cloud_admin'):
    response = api.get(f'/v2/images/{image_id}', as_=as_)
    assert response.status_code == 200, response.json
    return response.json


def share(api, image_id, project, status='accepted', as_='member', member_as=None):
    """Share ``image_id`` with ``project``; the member accepts (or not) as ``member_as``."""
    response = api.post(f'/v2/images/{image_id}/members', json={'member': project}, as_=as_)
    assert response.status_code == 200, response.json
    if status != 'pending':
        response = api.put(f'/v2/images/{image_id}/members/{project}',
                           json={'status': status}, as_=member_as or 'cloud_admin')
        assert response.status_code == 200, response.json
    return response.json


def join_import(image_id):
    """Wait for the import thread of ``image_id`` (named ``import-<id>``) to end."""
    for thread in threading.enumerate():
        if thread.name == f'import-{image_id}':
            thread.join(timeout=30)
            assert not thread.is_alive()


def force_state(backend, image_id, **columns):
    """Set columns of an image directly, as a crash would have left them."""
    with backend.db.writer() as session:
        session.execute(sa.update(models.Image).where(models.Image.id == image_id)
                        .values(**columns))


def row(backend, image_id):
    """The image row as stored (deleted ones included)."""
    with backend.db.reader() as session:
        return session.get(models.Image, image_id)
