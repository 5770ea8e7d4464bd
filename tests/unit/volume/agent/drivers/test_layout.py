"""File names of the file backend, and files that appear whole or not at all."""
import os
import pathlib
import stat
import uuid

import pytest

from volume.agent.drivers import driver
from volume.agent.drivers import layout

ID = str(uuid.uuid4())


@pytest.fixture
def paths(tmp_path):
    made = layout.Layout(str(tmp_path / 'volumes'), str(tmp_path / 'backups'),
                         str(tmp_path / 'conversion'), 'host-1')
    made.make_directories()
    return made


def test_canonical_uuid_is_accepted():
    assert layout.checked_id(ID, 'volume') == ID


@pytest.mark.parametrize('value', ['../../etc/passwd', ID.upper(), ID.replace('-', ''),
                                   f'{{{ID}}}', f'{ID}/x', '', None, 42, ID + '\n'])
def test_anything_else_is_refused(value):
    with pytest.raises(driver.InvalidResource, match='The volume id .* is not a UUID'):
        layout.checked_id(value, 'volume')


def test_paths(paths, tmp_path):
    assert paths.volume(ID) == str(tmp_path / 'volumes' / f'volume-{ID}')
    assert paths.snapshot(ID) == str(tmp_path / 'volumes' / f'snapshot-{ID}')
    assert paths.backup(ID) == str(tmp_path / 'backups' / f'backup-{ID}')


@pytest.mark.parametrize('method', ['volume', 'snapshot', 'backup'])
def test_paths_refuse_traversal(paths, method):
    with pytest.raises(driver.InvalidResource):
        getattr(paths, method)('../volume-' + ID)


@pytest.mark.parametrize('host', ['a/b', 'a@b', '', '.hidden'])
def test_host_names_that_cannot_name_files_are_refused(tmp_path, host):
    with pytest.raises(ValueError):
        layout.Layout(str(tmp_path), str(tmp_path), str(tmp_path), host)


def test_directories_are_made_private(paths):
    assert stat.S_IMODE(os.stat(paths.volumes_dir).st_mode) & 0o077 == 0o011
    for directory in (paths.backup_dir, paths.conversion_dir):
        assert stat.S_IMODE(os.stat(directory).st_mode) & 0o077 == 0


def test_temporary_is_beside_and_removed_on_failure(paths):
    final = paths.volume(ID)
    with pytest.raises(RuntimeError):
        with paths.temporary(final) as temporary:
            assert os.path.dirname(temporary) == paths.volumes_dir
            assert temporary.startswith(final + '.') and temporary.endswith('@host-1.part')
            with open(temporary, 'wb') as f:
                f.write(b'half')
            raise RuntimeError('copy failed')
    assert os.listdir(paths.volumes_dir) == []


def test_temporary_directory_is_removed(paths):
    with paths.temporary(paths.backup(ID)) as temporary:
        os.mkdir(temporary)
        open(os.path.join(temporary, 'chunk'), 'wb').close()
    assert os.listdir(paths.backup_dir) == []


def test_publish_makes_the_final_file(paths):
    final = paths.volume(ID)
    with paths.temporary(final) as temporary:
        with open(temporary, 'wb') as f:
            f.write(b'new')
        assert layout.publish(temporary, final) is True
    assert pathlib.Path(final).read_bytes() == b'new'
    assert os.listdir(paths.volumes_dir) == [os.path.basename(final)]


def test_publish_never_replaces(paths):
    final = paths.volume(ID)
    with open(final, 'wb') as f:
        f.write(b'user data')
    with paths.temporary(final) as temporary:
        with open(temporary, 'wb') as f:
            f.write(b'new')
        assert layout.publish(temporary, final) is False
    assert pathlib.Path(final).read_bytes() == b'user data'
    assert os.listdir(paths.volumes_dir) == [os.path.basename(final)]


def test_replace_replaces(paths):
    final = paths.volume(ID)
    with open(final, 'wb') as f:
        f.write(b'old')
    with paths.temporary(final) as temporary:
        with open(temporary, 'wb') as f:
            f.write(b'restored')
        layout.replace(temporary, final)
    assert pathlib.Path(final).read_bytes() == b'restored'


def test_publish_directory_keeps_an_existing_one(paths):
    final = paths.backup(ID)
    for content in (b'first', b'second'):
        with paths.temporary(final) as temporary:
            os.mkdir(temporary)
            with open(os.path.join(temporary, 'manifest.json'), 'wb') as f:
                f.write(content)
            layout.publish_directory(temporary, final)
    assert pathlib.Path(os.path.join(final, 'manifest.json')).read_bytes() == b'first'
    assert os.listdir(paths.backup_dir) == [os.path.basename(final)]


def test_remove_leftovers_spares_other_hosts_and_finished_files(paths):
    mine = [os.path.join(paths.volumes_dir, f'volume-{ID}.abc@host-1.part'),
            os.path.join(paths.conversion_dir, 'image.abc@host-1.part')]
    theirs = os.path.join(paths.volumes_dir, f'volume-{ID}.abc@host-2.part')
    finished = paths.volume(ID)
    for path in mine + [theirs, finished]:
        open(path, 'wb').close()
    my_backup = paths.backup(ID) + '.abc@host-1.part'
    os.mkdir(my_backup)
    open(os.path.join(my_backup, 'chunk-00000000'), 'wb').close()

    paths.remove_leftovers()

    assert sorted(os.listdir(paths.volumes_dir)) == sorted(
        [os.path.basename(theirs), os.path.basename(finished)])
    assert os.listdir(paths.conversion_dir) == []
    assert os.listdir(paths.backup_dir) == []


def test_remove_file_succeeds_when_gone(paths):
    layout.remove_file(paths.volume(ID))
