"""The agent's options: one [backend] group, directories under state_path by default."""
import pytest

from volume.agent import opts


def test_list_opts_is_the_backend_group():
    [(group, options)] = opts.list_opts()
    assert group == 'backend'
    assert {o.name for o in options} == {
        'volume_driver', 'volume_backend_name', 'storage_availability_zone', 'volumes_dir', 'volume_format',
        'reserved_percentage', 'backup_dir', 'backup_chunk_size_mb', 'image_conversion_dir',
        'qemu_img_timeout'}
    assert all(o.help for o in options)


def test_directories_default_under_state_path(backend_conf, tmp_path):
    backend = backend_conf.backend
    assert backend.volumes_dir == str(tmp_path / 'volumes')
    assert backend.backup_dir == str(tmp_path / 'backups')
    assert backend.image_conversion_dir == str(tmp_path / 'conversion')
    assert backend.volume_format == 'raw'
    assert backend.reserved_percentage == 0


@pytest.mark.parametrize('option, value', [('volume_format', 'vmdk'),
                                           ('reserved_percentage', 101),
                                           ('volume_driver', 'lvm')])
def test_values_out_of_range_are_refused(backend_conf, option, value):
    with pytest.raises(ValueError):
        backend_conf.set_override(option, value, group='backend')
