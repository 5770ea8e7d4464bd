"""Paths of the metadata trees, answered as Nova's metadata API answers them."""
import json

import pytest

from compute.metadata import content
from compute.metadata import tree
from tests.unit.compute.metadata.test_content import KEY, PORTS, UUID, instance


@pytest.fixture
def metadata():
    return content.InstanceMetadata(instance(security_groups=['default', 'web']), PORTS)


def text(metadata, path):
    body, mimetype = tree.resolve(metadata, path)
    assert mimetype == 'text/plain'
    return body.decode()


def test_root_lists_the_ec2_versions(metadata):
    assert text(metadata, '/').split('\n') == [*content.EC2_VERSIONS, 'latest']


def test_openstack_lists_its_versions(metadata):
    assert text(metadata, '/openstack') == '\n'.join([*content.OPENSTACK_VERSIONS, 'latest'])
    assert text(metadata, '/openstack/') == text(metadata, '/openstack')


def test_openstack_version_lists_its_files(metadata):
    assert text(metadata, '/openstack/2012-08-10') == 'meta_data.json\nuser_data'
    assert text(metadata, '/openstack/latest/').split('\n') == [
        'meta_data.json', 'user_data', 'vendor_data.json', 'network_data.json',
        'vendor_data2.json']


def test_meta_data_json(metadata):
    body, mimetype = tree.resolve(metadata, '/openstack/latest/meta_data.json')
    assert mimetype == 'application/json'
    data = json.loads(body)
    assert data['uuid'] == UUID and data['public_keys'] == {'mykey': KEY}


def test_user_data_is_served_raw(metadata):
    assert tree.resolve(metadata, '/openstack/2012-08-10/user_data') == (
        b'#!/bin/sh\necho hello\n', 'text/plain')
    assert tree.resolve(metadata, '/latest/user-data')[0] == b'#!/bin/sh\necho hello\n'


def test_network_and_vendor_data(metadata):
    body, mimetype = tree.resolve(metadata, '/openstack/latest/network_data.json')
    assert mimetype == 'application/json'
    assert [link['ethernet_mac_address'] for link in json.loads(body)['links']] == [
        'fa:16:3e:11:22:33', 'fa:16:3e:44:55:66']
    assert tree.resolve(metadata, '/openstack/latest/vendor_data.json') == (
        b'{}', 'application/json')
    assert tree.resolve(metadata, '/openstack/latest/vendor_data2.json')[0] == b'{}'


def test_ec2_version_lists_meta_data_and_user_data(metadata):
    assert text(metadata, '/latest') == 'meta-data/\nuser-data'
    assert text(metadata, '/ec2/2009-04-04/') == 'meta-data/\nuser-data'


def test_ec2_meta_data_listing(metadata):
    assert text(metadata, '/latest/meta-data/').split('\n') == [
        'ami-id', 'ami-launch-index', 'ami-manifest-path', 'block-device-mapping/',
        'hostname', 'instance-action', 'instance-id', 'instance-type', 'local-hostname',
        'local-ipv4', 'placement/', 'public-hostname', 'public-ipv4', 'public-keys/',
        'reservation-id', 'security-groups']


@pytest.mark.parametrize('path, expected', [
    ('/latest/meta-data/instance-id', 'i-3f1c2b9a'),
    ('/latest/meta-data/ami-launch-index', '2'),
    ('/latest/meta-data/local-ipv4', '10.0.0.5'),
    ('/latest/meta-data/public-ipv4', '172.24.4.10'),
    ('/latest/meta-data/hostname', 'web-1'),
    ('/latest/meta-data/security-groups', 'default\nweb'),
    ('/latest/meta-data/placement/', 'availability-zone'),
    ('/latest/meta-data/placement/availability-zone', 'zone-a'),
    ('/latest/meta-data/block-device-mapping', 'ami\nroot'),
    ('/latest/meta-data/block-device-mapping/root', '/dev/vda'),
    ('/latest/meta-data/public-keys/', '0=mykey'),
    ('/latest/meta-data/public-keys/0', 'openssh-key'),
    ('/latest/meta-data/public-keys/0/openssh-key', KEY),
    ('/2009-04-04/meta-data/instance-action', 'none'),
    ('/ec2/latest/meta-data/instance-type', 'm1.tiny'),
])
def test_ec2_documents(metadata, path, expected):
    assert text(metadata, path) == expected


@pytest.mark.parametrize('path', [
    '/openstack/2011-01-01', '/openstack/2011-01-01/meta_data.json',
    '/openstack/2012-08-10/network_data.json', '/openstack/latest/nothing',
    '/openstack/latest/meta_data.json/uuid', '/2010-01-01/meta-data',
    '/latest/meta-data/nothing', '/latest/meta-data/hostname/more',
    '/1.0/meta-data/placement', '/latest/meta-data/public-keys/1',
])
def test_unknown_paths(metadata, path):
    with pytest.raises(tree.NotFound):
        tree.resolve(metadata, path)


def test_without_user_data_or_key():
    metadata = content.InstanceMetadata(instance(user_data=None, key_name=None, key_data=None),
                                        [])
    assert text(metadata, '/latest') == 'meta-data/'
    assert 'public-keys/' not in text(metadata, '/latest/meta-data').split('\n')
    for path in ('/latest/user-data', '/openstack/latest/user_data',
                 '/latest/meta-data/public-keys'):
        with pytest.raises(tree.NotFound):
            tree.resolve(metadata, path)
