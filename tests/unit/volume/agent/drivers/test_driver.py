"""Loading a backend driver by name, and the errors the contract names."""
import uuid

import pytest

from volume.agent.drivers import driver
from volume.agent.drivers import file


def test_load_file_driver(backend_conf):
    loaded = driver.load_driver('file', backend_conf, 'host-1')
    assert isinstance(loaded, file.FileDriver)
    assert isinstance(loaded, driver.VolumeDriver)


def test_unknown_driver_is_named(backend_conf):
    with pytest.raises(ValueError, match="volume_driver = 'lvm' is not available"):
        driver.load_driver('lvm', backend_conf, 'host-1')


class NotADriver:
    def __init__(self, conf, host):
        pass


def test_a_class_that_is_not_a_volume_driver_is_refused(backend_conf, monkeypatch):
    monkeypatch.setitem(driver.DRIVERS, 'odd', f'{__name__}:NotADriver')
    with pytest.raises(ValueError, match='which is not a VolumeDriver'):
        driver.load_driver('odd', backend_conf, 'host-1')


def test_an_incomplete_driver_cannot_be_made():
    class Partial(driver.VolumeDriver):
        def setup(self):
            pass

    with pytest.raises(TypeError, match='abstract'):
        Partial()


@pytest.mark.parametrize('error, noun', [(driver.VolumeNotFound, 'Volume'),
                                         (driver.SnapshotNotFound, 'Snapshot'),
                                         (driver.BackupNotFound, 'Backup')])
def test_not_found_errors_name_the_resource(error, noun):
    resource_id = str(uuid.uuid4())
    exc = error(resource_id)
    assert isinstance(exc, driver.DriverError)
    assert str(exc).startswith(f'{noun} {resource_id} does not exist')
