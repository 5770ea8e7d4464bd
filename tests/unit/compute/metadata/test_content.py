"""What an instance's metadata holds, version by version (Nova's layout)."""
import base64

import pytest

from compute.metadata import content

UUID = '3f1c2b9a-77aa-4d5e-9f00-0123456789ab'
IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b'
KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBoJ test@stratus'


def instance(**overrides):
    values = {'uuid': UUID, 'name': 'web 1', 'hostname': 'web-1', 'project_id': 'project-p',
              'user_id': 'user-u', 'image_ref': IMAGE,
              'flavor': {'id': '1', 'name': 'm1.tiny', 'vcpus': 1, 'ram': 512, 'disk': 1},
              'vcpus': 1, 'memory_mb': 512, 'root_gb': 1, 'ephemeral_gb': 0,
              'key_name': 'mykey', 'key_data': KEY,
              'user_data': base64.b64encode(b'#!/bin/sh\necho hello\n').decode(),
              'metadata': {'role': 'web'}, 'config_drive': False,
              'availability_zone': 'zone-a', 'launch_index': 2, 'reservation_id': 'r-1a2b3c4d',
              'created_at': '2024-01-01T00:00:00+00:00'}
    values.update(overrides)
    return values


PORTS = [{'port_id': 'a1b2c3d4-e5f6-4789-8abc-def012345678', 'network_id': 'net-1',
          'network_name': 'private', 'mac': 'fa:16:3e:11:22:33',
          'ips': [{'addr': '10.0.0.5', 'version': 4, 'type': 'fixed'},
                  {'addr': 'fd00::5', 'version': 6, 'type': 'fixed'},
                  {'addr': '172.24.4.10', 'version': 4, 'type': 'floating'}]},
         {'port_id': 'b1b2c3d4-e5f6-4789-8abc-def012345678', 'network_id': 'net-2',
          'network_name': 'other', 'mac': 'fa:16:3e:44:55:66', 'mtu': 1450,
          'dns': ['10.0.0.2'],
          'ips': [{'addr': '10.1.0.7', 'version': 4, 'type': 'fixed'}]}]


def test_versions_are_novas_and_latest_is_the_newest():
    assert content.OPENSTACK_VERSIONS == ('2012-08-10', '2013-04-04', '2013-10-17',
                                          '2015-10-15', '2016-06-30', '2016-10-06',
                                          '2017-02-22', '2018-08-27')
    assert content.openstack_version('latest') == '2018-08-27'
    assert content.ec2_version('latest') == '2009-04-04'
    with pytest.raises(content.UnknownVersion):
        content.openstack_version('2011-01-01')
    with pytest.raises(content.UnknownVersion):
        content.ec2_version('2012-08-10')


@pytest.mark.parametrize('version, extra', [
    ('2012-08-10', set()),
    ('2013-04-04', {'random_seed'}),
    ('2015-10-15', {'random_seed', 'project_id'}),
    ('2016-06-30', {'random_seed', 'project_id', 'devices'}),
    ('latest', {'random_seed', 'project_id', 'devices'}),
])
def test_meta_data_has_the_keys_of_its_version(version, extra):
    data = content.InstanceMetadata(instance(), []).meta_data(version)
    base = {'uuid', 'meta', 'public_keys', 'keys', 'hostname', 'name', 'launch_index',
            'availability_zone'}
    assert set(data) == base | extra


def test_meta_data_values():
    data = content.InstanceMetadata(instance(), []).meta_data('latest')
    assert data['uuid'] == UUID
    assert data['name'] == 'web 1'
    assert data['hostname'] == 'web-1'
    assert data['launch_index'] == 2
    assert data['availability_zone'] == 'zone-a'
    assert data['project_id'] == 'project-p'
    assert data['meta'] == {'role': 'web'}
    assert data['public_keys'] == {'mykey': KEY}
    assert data['keys'] == [{'name': 'mykey', 'type': 'ssh', 'data': KEY}]
    assert data['devices'] == []
    assert len(base64.b64decode(data['random_seed'])) == 512


def test_a_fresh_random_seed_each_time():
    metadata = content.InstanceMetadata(instance(), [])
    assert metadata.meta_data('latest')['random_seed'] != \
        metadata.meta_data('latest')['random_seed']


def test_no_key_and_no_metadata_leave_their_keys_out():
    data = content.InstanceMetadata(instance(key_name=None, key_data=None, metadata={}),
                                    []).meta_data('latest')
    assert not {'public_keys', 'keys', 'meta'} & set(data)


def test_a_certificate_key_is_x509():
    cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
    data = content.InstanceMetadata(instance(key_data=cert), []).meta_data('latest')
    assert data['keys'][0]['type'] == 'x509'


def test_user_data_is_decoded_and_absent_when_not_given():
    assert content.InstanceMetadata(instance(), []).user_data == b'#!/bin/sh\necho hello\n'
    assert content.InstanceMetadata(instance(user_data=None), []).user_data is None


@pytest.mark.parametrize('version, files', [
    ('2012-08-10', ['meta_data.json', 'user_data']),
    ('2013-10-17', ['meta_data.json', 'user_data', 'vendor_data.json']),
    ('2015-10-15', ['meta_data.json', 'user_data', 'vendor_data.json', 'network_data.json']),
    ('latest', ['meta_data.json', 'user_data', 'vendor_data.json', 'network_data.json',
                'vendor_data2.json']),
])
def test_openstack_files_per_version(version, files):
    assert content.InstanceMetadata(instance(), []).openstack_files(version) == files


def test_no_user_data_file_without_user_data():
    metadata = content.InstanceMetadata(instance(user_data=None), [])
    assert 'user_data' not in metadata.openstack_files('latest')


def test_network_data_has_a_link_per_port_and_a_network_per_fixed_ip():
    data = content.InstanceMetadata(instance(), PORTS).network_data()
    assert data['links'] == [
        {'id': 'tapa1b2c3d4-e5', 'vif_id': PORTS[0]['port_id'], 'type': 'bridge', 'mtu': None,
         'ethernet_mac_address': 'fa:16:3e:11:22:33'},
        {'id': 'tapb1b2c3d4-e5', 'vif_id': PORTS[1]['port_id'], 'type': 'bridge', 'mtu': 1450,
         'ethernet_mac_address': 'fa:16:3e:44:55:66'}]
    assert data['networks'] == [
        {'id': 'network0', 'type': 'ipv4_dhcp', 'link': 'tapa1b2c3d4-e5', 'network_id': 'net-1'},
        {'id': 'network1', 'type': 'ipv6_dhcp', 'link': 'tapa1b2c3d4-e5', 'network_id': 'net-1'},
        {'id': 'network2', 'type': 'ipv4_dhcp', 'link': 'tapb1b2c3d4-e5', 'network_id': 'net-2'}]
    assert data['services'] == [{'type': 'dns', 'address': '10.0.0.2'}]


def test_network_data_without_ports_is_empty():
    assert content.InstanceMetadata(instance(), []).network_data() == \
        {'links': [], 'networks': [], 'services': []}


def test_ec2_meta_data_latest():
    data = content.InstanceMetadata(instance(security_groups=['default', 'web']),
                                    PORTS).ec2_meta_data('latest')
    assert data == {
        'ami-id': 'ami-70a599e0', 'ami-launch-index': 2, 'ami-manifest-path': 'FIXME',
        'instance-id': 'i-3f1c2b9a', 'hostname': 'web-1', 'local-ipv4': '10.0.0.5',
        'reservation-id': 'r-1a2b3c4d', 'security-groups': ['default', 'web'],
        'public-keys': {'0': {'openssh-key': KEY}},
        'local-hostname': 'web-1', 'public-hostname': 'web-1', 'public-ipv4': '172.24.4.10',
        'instance-type': 'm1.tiny',
        'block-device-mapping': {'ami': 'vda', 'root': '/dev/vda'},
        'placement': {'availability-zone': 'zone-a'}, 'instance-action': 'none'}


def test_ec2_meta_data_of_the_first_version_has_its_keys_only():
    data = content.InstanceMetadata(instance(), PORTS).ec2_meta_data('1.0')
    assert set(data) == {'ami-id', 'ami-launch-index', 'ami-manifest-path', 'instance-id',
                         'hostname', 'local-ipv4', 'reservation-id', 'security-groups',
                         'public-keys'}


def test_ec2_local_ipv4_falls_back_to_the_requesting_address():
    metadata = content.InstanceMetadata(instance(), [], address='192.0.2.9')
    data = metadata.ec2_meta_data('latest')
    assert data['local-ipv4'] == '192.0.2.9'
    assert data['public-ipv4'] == ''


def test_ec2_root_device_follows_the_instance():
    data = content.InstanceMetadata(instance(root_device_name='/dev/sda'),
                                    []).ec2_meta_data('latest')
    assert data['block-device-mapping'] == {'ami': 'sda', 'root': '/dev/sda'}


def test_a_volume_backed_instance_has_no_ami_id():
    data = content.InstanceMetadata(instance(image_ref=None), []).ec2_meta_data('latest')
    assert 'ami-id' not in data
