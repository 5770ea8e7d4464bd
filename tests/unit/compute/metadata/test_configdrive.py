"""The config drive: a real ISO made by genisoimage, read back with isoinfo."""
import base64
import json
import os
import shutil
import subprocess
import tempfile

import pytest

from compute.metadata import configdrive
from tests.unit.compute.metadata.test_content import KEY, PORTS, UUID, instance


def isoinfo(*args):
    if shutil.which('isoinfo') is None:
        raise AssertionError('isoinfo (Debian package genisoimage) is not installed')
    return subprocess.run(['isoinfo', *args], check=True, capture_output=True).stdout


def read(iso, path):
    return isoinfo('-R', '-i', iso, '-x', path)


@pytest.fixture(scope='module')
def iso(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('configdrive') / 'disk.config')
    configdrive.build_config_drive(path, instance(security_groups=['default']), PORTS)
    return path


def test_label_and_extensions(iso):
    info = isoinfo('-d', '-i', iso).decode()
    assert 'Volume id: config-2' in info
    assert 'Rock Ridge signatures' in info
    assert 'Joliet' in info


def test_files_are_novas_layout(iso):
    files = set(isoinfo('-R', '-f', '-i', iso).decode().split())
    expected = {'/ec2/2009-04-04/meta-data.json', '/ec2/2009-04-04/user-data',
                '/ec2/latest/meta-data.json', '/ec2/latest/user-data',
                '/openstack/2012-08-10/meta_data.json', '/openstack/2012-08-10/user_data',
                '/openstack/2013-10-17/vendor_data.json',
                '/openstack/2015-10-15/network_data.json',
                '/openstack/2016-10-06/vendor_data2.json'}
    for name in ('meta_data.json', 'user_data', 'vendor_data.json', 'network_data.json',
                 'vendor_data2.json'):
        expected.add(f'/openstack/latest/{name}')
    assert expected <= files
    assert '/openstack/2012-08-10/network_data.json' not in files
    assert not any(f.startswith('/ec2/1.0') or f.startswith('/ec2/2008') for f in files)


def test_documents(iso):
    meta = json.loads(read(iso, '/openstack/latest/meta_data.json'))
    assert meta['uuid'] == UUID and meta['public_keys'] == {'mykey': KEY}
    assert meta['project_id'] == 'project-p' and meta['meta'] == {'role': 'web'}
    assert 'project_id' not in json.loads(read(iso, '/openstack/2012-08-10/meta_data.json'))
    assert read(iso, '/openstack/latest/user_data') == b'#!/bin/sh\necho hello\n'
    assert read(iso, '/ec2/latest/user-data') == b'#!/bin/sh\necho hello\n'
    network = json.loads(read(iso, '/openstack/latest/network_data.json'))
    assert [n['type'] for n in network['networks']] == ['ipv4_dhcp', 'ipv6_dhcp', 'ipv4_dhcp']
    ec2 = json.loads(read(iso, '/ec2/latest/meta-data.json'))
    assert ec2['instance-id'] == 'i-3f1c2b9a'
    assert ec2['public-keys'] == {'0': {'openssh-key': KEY}}
    assert ec2['security-groups'] == ['default']
    assert json.loads(read(iso, '/openstack/latest/vendor_data.json')) == {}


def test_binary_user_data_is_kept_byte_for_byte(tmp_path):
    data = bytes(range(256))
    path = str(tmp_path / 'disk.config')
    configdrive.build_config_drive(
        path, instance(user_data=base64.b64encode(data).decode()), [])
    assert read(path, '/openstack/latest/user_data') == data


def test_no_user_data_file_without_user_data(tmp_path):
    path = str(tmp_path / 'disk.config')
    configdrive.build_config_drive(path, instance(user_data=None), [])
    files = isoinfo('-R', '-f', '-i', path).decode().split()
    assert not [f for f in files if f.endswith('user_data') or f.endswith('user-data')]


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """The directory ``tempfile`` makes its directories in, for this test only."""
    path = tmp_path / 'scratch'
    path.mkdir()
    monkeypatch.setattr(tempfile, 'tempdir', str(path))
    return path


def test_a_failure_raises_and_leaves_nothing(tmp_path, scratch):
    path = str(tmp_path / 'missing-dir' / 'disk.config')
    with pytest.raises(configdrive.ConfigDriveError, match=UUID):
        configdrive.build_config_drive(path, instance(), PORTS)
    assert not os.path.exists(path)
    assert list(scratch.iterdir()) == []


def test_the_temporary_tree_is_removed(tmp_path, scratch):
    configdrive.build_config_drive(str(tmp_path / 'disk.config'), instance(), PORTS)
    assert (tmp_path / 'disk.config').stat().st_size > 0
    assert list(scratch.iterdir()) == []
