"""``image.store.file.FileStore``: two-phase writes and locations kept inside the store."""
import os

import pytest

from image.store.file import FileStore


@pytest.fixture
def store(tmp_path):
    return FileStore(str(tmp_path / 'store'))


def listing(store):
    return sorted(os.listdir(store.directory))


def test_commit_makes_the_file_appear_only_then(store):
    writer = store.begin_write('image-1')
    writer.write(b'abc')
    writer.write(b'def')
    location = writer.location
    assert location == store.location_of('image-1')
    assert not store.exists(location)
    assert [n for n in listing(store) if not n.startswith('.partial-')] == []
    with open(writer.local_path, 'rb') as partial:
        assert partial.read() == b'abcdef'  # readable for inspection before commit
    writer.commit()
    assert listing(store) == ['image-1']
    assert store.exists(location)
    assert store.size(location) == 6
    with store.open(location) as data:
        assert data.read() == b'abcdef'
    assert list(store.locations()) == [location]


def test_abort_leaves_nothing(store):
    writer = store.begin_write('image-1')
    writer.write(b'abc')
    writer.abort()
    writer.abort()  # idempotent
    assert listing(store) == []


def test_abort_after_commit_keeps_the_data(store):
    writer = store.begin_write('image-1')
    writer.write(b'abc')
    writer.commit()
    writer.abort()
    assert listing(store) == ['image-1']


def test_a_new_write_replaces_committed_data_only_on_commit(store):
    first = store.begin_write('image-1')
    first.write(b'old')
    first.commit()
    second = store.begin_write('image-1')
    second.write(b'new data')
    with store.open(store.location_of('image-1')) as data:
        assert data.read() == b'old'
    second.commit()
    with store.open(store.location_of('image-1')) as data:
        assert data.read() == b'new data'


def test_two_writers_of_one_image_do_not_share_a_partial_file(store):
    a, b = store.begin_write('image-1'), store.begin_write('image-1')
    assert a.local_path != b.local_path
    a.abort()
    b.abort()


def test_delete_and_missing_data(store):
    writer = store.begin_write('image-1')
    writer.write(b'abc')
    writer.commit()
    store.delete(writer.location)
    store.delete(writer.location)  # succeeds if already gone
    assert not store.exists(writer.location)
    with pytest.raises(FileNotFoundError):
        store.open(writer.location)


def test_remove_partials(store):
    writer = store.begin_write('image-1')
    writer.write(b'abc')
    done = store.begin_write('image-2')
    done.commit()
    assert store.remove_partials() == 1
    assert listing(store) == ['image-2']
    assert list(store.locations()) == [store.location_of('image-2')]
    writer.abort()


@pytest.mark.parametrize('location', [
    'file:///etc/passwd',
    'file://{store}/../outside',
    'file://{store}/sub/image',
    'file://{store}',
    'file://{store}/',
    '{store}/image-1',
    'http://example.com/image-1',
    'file://{store}-other/image-1',
])
def test_locations_outside_the_store_are_refused(store, tmp_path, location):
    (tmp_path / 'outside').write_bytes(b'secret')
    location = location.format(store=store.directory)
    for operation in (store.open, store.exists, store.size, store.delete):
        with pytest.raises(ValueError):
            operation(location)
    assert (tmp_path / 'outside').read_bytes() == b'secret'


def test_the_store_directory_is_created_private(tmp_path):
    store = FileStore(str(tmp_path / 'a' / 'b'))
    assert os.path.isdir(store.directory)
    assert os.stat(store.directory).st_mode & 0o007 == 0
