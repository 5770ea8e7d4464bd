"""``conn.image`` against the real image API (and identity) on every database backend."""
import hashlib
import os
import threading

import pytest

import stratus
from stratus import exceptions
from stratus.image import transfer
from stratus.image.exceptions import ChecksumMismatch
from tests.functional.sdk.conftest import unique

DATA_SIZE = 3 * transfer.CHUNK_SIZE + 1234


@pytest.fixture
def connect_as(identity, image, make_account):
    """``connect_as(account=None)``: a ``Connection`` of ``account`` (default: a member of a
    new project), whose catalog must lead to the ``image`` fixture's server."""
    opened = []

    def connect(account=None):
        account = account or make_account()
        conn = stratus.connect(auth_url=f'{identity.url}/v3', username=account.name,
                               password=account.password, project_id=account.project_id,
                               user_domain_name='Default', region_name='RegionOne')
        opened.append(conn)
        assert conn.image.base_url().rstrip('/') == image.url, \
            'the catalog no longer lists the session image API'
        return conn

    yield connect
    for conn in opened:
        conn.close()


@pytest.fixture
def disk(tmp_path):
    """A raw disk image file of ``DATA_SIZE`` random bytes."""
    path = tmp_path / 'disk.raw'
    path.write_bytes(os.urandom(DATA_SIZE))
    return path


def _new_image(conn, **attrs):
    return conn.image.create_image(name=unique('image'), disk_format='raw',
                                   container_format='bare', **attrs)


def _uploaded(conn, path, **attrs):
    created = _new_image(conn, **attrs)
    conn.image.upload_image_data(created, path)
    return conn.image.get_image(created)


def test_create_upload_download_update_delete(connect_as, disk, tmp_path):
    conn = connect_as()
    data = disk.read_bytes()
    created = _new_image(conn, os_distro='cirros', tags=['base'])
    assert (created.status, created.visibility, created.os_distro) == ('queued', 'shared',
                                                                       'cirros')
    sent = []
    conn.image.upload_image_data(created, str(disk), progress=lambda *a: sent.append(a))
    assert sent[-1] == (DATA_SIZE, DATA_SIZE)
    assert len(sent) == 4 and all(total == DATA_SIZE for _, total in sent)
    assert [done for done, _ in sent] == sorted(done for done, _ in sent)

    active = conn.image.get_image(created.id)
    assert (active.status, active.size) == ('active', DATA_SIZE)
    assert active.checksum == hashlib.md5(data).hexdigest()
    assert (active.os_hash_algo, active.os_hash_value) == ('sha512',
                                                           hashlib.sha512(data).hexdigest())

    received = []
    target = tmp_path / 'copy.raw'
    conn.image.download_image_data(active, target,
                                   progress=lambda *a: received.append(a))
    assert target.read_bytes() == data
    assert received[-1] == (DATA_SIZE, DATA_SIZE)

    updated = conn.image.update_image(active, name='renamed', os_distro='ubuntu',
                                      hw_disk_bus='scsi', min_ram=64)
    assert (updated.name, updated.os_distro, updated.hw_disk_bus, updated.min_ram) == (
        'renamed', 'ubuntu', 'scsi', 64)
    conn.image.add_tag(updated, 'extra')
    conn.image.remove_tag(updated, 'base')
    remaining = conn.image.remove_image_properties(updated.id, 'os_distro')
    assert 'os_distro' not in remaining and remaining.hw_disk_bus == 'scsi'
    assert remaining.tags == ['extra']
    with pytest.raises(exceptions.Conflict):
        conn.image.remove_image_properties(updated.id, 'os_distro')
    assert conn.image.find_image('renamed').id == created.id

    conn.image.delete_image(created)
    assert conn.image.find_image(created.id, ignore_missing=True) is None
    conn.image.delete_image(created)  # already gone: ignored
    with pytest.raises(exceptions.NotFound):
        conn.image.delete_image(created, ignore_missing=False)


def test_upload_from_a_pipe_is_chunked(connect_as):
    """A stream of unknown length (here a pipe) is sent with chunked transfer encoding."""
    conn = connect_as()
    data = os.urandom(DATA_SIZE)
    created = _new_image(conn)
    read_end, write_end = os.pipe()

    def feed():
        with open(write_end, 'wb') as stream:
            stream.write(data)
    writer = threading.Thread(target=feed)
    writer.start()
    sent = []
    with open(read_end, 'rb', buffering=0) as stream:
        conn.image.upload_image_data(created, stream, progress=lambda *a: sent.append(a))
    writer.join()
    assert sent[-1] == (DATA_SIZE, None)
    active = conn.image.get_image(created)
    assert (active.status, active.size) == ('active', DATA_SIZE)
    assert active.os_hash_value == hashlib.sha512(data).hexdigest()


def test_corrupted_download_is_refused(connect_as, disk, tmp_path, monkeypatch):
    """The data of another image, served in place of the right one, is not accepted."""
    conn = connect_as()
    wanted = _uploaded(conn, disk)
    other = tmp_path / 'other.raw'
    other.write_bytes(os.urandom(DATA_SIZE))
    impostor = _uploaded(conn, other)
    real_request = conn.image.request

    def swapped(method, url, **kwargs):
        if url.endswith('/file'):
            url = url.replace(wanted.id, impostor.id)
        return real_request(method, url, **kwargs)

    target = tmp_path / 'download.raw'
    monkeypatch.setattr(conn.image, 'request', swapped)
    with pytest.raises(ChecksumMismatch, match=f'image {wanted.id} does not match its sha512'):
        conn.image.download_image_data(wanted, target)
    assert sorted(os.listdir(tmp_path)) == ['disk.raw', 'other.raw']
    monkeypatch.undo()
    conn.image.download_image_data(wanted, target)
    assert target.read_bytes() == disk.read_bytes()


def test_listing_follows_next_links(connect_as, monkeypatch):
    conn = connect_as()
    batch = unique('batch')
    made = {_new_image(conn, batch=batch).id for _ in range(7)}
    _new_image(conn, batch='another')
    pages = []
    real_request = conn.image.request

    def counting(method, url, **kwargs):
        pages.append(url)
        return real_request(method, url, **kwargs)
    monkeypatch.setattr(conn.image, 'request', counting)
    assert {i.id for i in conn.image.images(limit=3, batch=batch)} == made
    assert len(pages) == 3 and all('marker=' in url for url in pages[1:])
    monkeypatch.undo()
    assert {i.id for i in conn.image.images(batch=batch, sort='name:asc')} == made


def test_find_image_by_name(connect_as):
    conn = connect_as()
    name = unique('image')
    first = conn.image.create_image(name=name)
    assert conn.image.find_image(name).id == first.id
    conn.image.create_image(name=name)
    with pytest.raises(exceptions.DuplicateResource):
        conn.image.find_image(name)
    assert conn.image.find_image(unique('none'), ignore_missing=True) is None


def test_sharing_between_two_projects(connect_as, make_account, disk, tmp_path):
    owner, other = make_account(), make_account()
    owner_conn, other_conn = connect_as(owner), connect_as(other)
    shared = _uploaded(owner_conn, disk)
    with pytest.raises(exceptions.NotFound):
        other_conn.image.get_image(shared.id)

    member = owner_conn.image.add_member(shared, other.project_id)
    assert (member.image_id, member.member_id, member.status) == (
        shared.id, other.project_id, 'pending')
    assert other_conn.image.get_image(shared.id).id == shared.id
    assert shared.id not in {i.id for i in other_conn.image.images()}
    with pytest.raises(exceptions.Forbidden):
        other_conn.image.update_image(shared, name='taken')

    accepted = other_conn.image.update_member(shared, other.project_id, 'accepted')
    assert accepted.status == 'accepted'
    assert shared.id in {i.id for i in other_conn.image.images()}
    assert [(m.member_id, m.status) for m in owner_conn.image.members(shared)] == [
        (other.project_id, 'accepted')]
    assert owner_conn.image.get_member(shared, other.project_id).status == 'accepted'
    target = tmp_path / 'shared.raw'
    other_conn.image.download_image_data(shared.id, target)
    assert target.read_bytes() == disk.read_bytes()

    owner_conn.image.remove_member(shared, other.project_id)
    with pytest.raises(exceptions.NotFound):
        other_conn.image.get_image(shared.id)
    with pytest.raises(exceptions.NotFound):
        owner_conn.image.remove_member(shared, other.project_id, ignore_missing=False)


def test_stage_and_import(connect_as, disk, tmp_path):
    conn = connect_as()
    assert 'glance-direct' in conn.image.import_info()['import-methods']['value']
    created = _new_image(conn)
    staged = []
    with open(disk, 'rb') as stream:
        conn.image.stage_image_data(created, stream, progress=lambda *a: staged.append(a))
    assert staged[-1] == (DATA_SIZE, DATA_SIZE)
    assert conn.image.get_image(created).status == 'uploading'
    conn.image.import_image(created)
    active = conn.image.wait_for_status(created, 'active', timeout=60, interval=0.2)
    assert active.size == DATA_SIZE
    target = tmp_path / 'imported.raw'
    conn.image.download_image_data(created, target)
    assert target.read_bytes() == disk.read_bytes()


def test_deactivate_and_reactivate(conn, connect_as, disk, tmp_path):
    """An admin takes an image out of use; its owner can no longer download it."""
    owner = connect_as()
    made = _uploaded(owner, disk)
    conn.image.deactivate_image(made)
    assert owner.image.get_image(made).status == 'deactivated'
    with pytest.raises(exceptions.Forbidden):
        owner.image.download_image_data(made, tmp_path / 'x')
    assert os.listdir(tmp_path) == ['disk.raw']
    conn.image.reactivate_image(made)
    assert owner.image.get_image(made).status == 'active'


def test_usage(connect_as, disk):
    conn = connect_as()
    _uploaded(conn, disk)
    usage = conn.image.usage()
    assert usage.image_count_total['usage'] == 1
    assert usage.image_size_total['usage'] == DATA_SIZE
