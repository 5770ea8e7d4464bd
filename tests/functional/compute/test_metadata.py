"""The metadata API of the real ``stratus-compute-api`` process, on its own port.

A server is created through the compute API (no network, a key pair,
user data, metadata); the metadata API then answers, for requests signed as
the network's metadata proxy signs them, the OpenStack and EC2 trees of
that server, and refuses everything else.  The server's config drive,
built from the payload an agent gets for it, is read back with ``isoinfo``.
"""
import base64
import json
import subprocess

import pytest
import requests

from common.db.session import Database
from compute.conductor import payloads
from compute.db import api as db_api
from compute.metadata import auth
from compute.metadata import configdrive
from tests import servers
from tests.functional.compute import helpers

USER_DATA = b'#!/bin/sh\necho "user data ran" > /dev/console\n'


@pytest.fixture(scope='module')
def member(identity, admin, role_ids):
    """``(token, project_id)`` of a member of a new project, for the whole module."""
    project = admin.post('/v3/projects', json={'project': {
        'name': servers.unique_name('project'), 'domain_id': 'default'}})
    assert project.status_code == 201, project.text
    project = project.json()['project']
    name, password = servers.unique_name('user'), servers.unique_name('pw')
    user = admin.post('/v3/users', json={'user': {'name': name, 'password': password,
                                                  'domain_id': 'default'}})
    assert user.status_code == 201, user.text
    granted = admin.put(f'/v3/projects/{project["id"]}/users/{user.json()["user"]["id"]}'
                        f'/roles/{role_ids["member"]}')
    assert granted.status_code == 204, granted.text
    token, _ = identity.issue_token(name, password, project=project['name'])
    return token, project['id']


@pytest.fixture(scope='module')
def booted(compute, image, member):
    """``(project_id, server, key)``: an ACTIVE server with a key pair, user data and
    metadata, deleted at the end of the module."""
    token, project_id = member
    client = compute.client(token)
    flavor = helpers.make_flavor(compute.admin())
    key = helpers.public_key()
    made = client.post('/os-keypairs', json={'keypair': {'name': 'mdkey', 'public_key': key}})
    assert made.status_code == 201, made.text
    server_id = helpers.create_server(client, helpers.make_image(image, token), flavor['id'],
                                      key_name='mdkey',
                                      user_data=base64.b64encode(USER_DATA).decode(),
                                      metadata={'role': 'web', 'tier': 'front'})
    server = helpers.wait_for_status(client, server_id, 'ACTIVE')
    yield project_id, server, key
    helpers.delete_all(client, [server_id])


def get(compute, path, server_id, project_id, secret=None, **headers):
    """``GET`` on the metadata port, signed as the metadata proxy signs."""
    signed = {'X-Instance-ID': server_id, 'X-Tenant-ID': project_id,
              'X-Forwarded-For': '10.0.0.5',
              'X-Instance-ID-Signature': auth.sign(secret or compute.metadata_secret,
                                                   server_id)}
    signed.update(headers)
    signed = {k: v for k, v in signed.items() if v is not None}
    return requests.get(compute.metadata_url + path, headers=signed, timeout=30)


def test_openstack_tree(compute, booted):
    project_id, server, key = booted
    versions = get(compute, '/openstack', server['id'], project_id)
    assert versions.status_code == 200, versions.text
    assert versions.text.split('\n')[0] == '2012-08-10'
    assert versions.text.split('\n')[-2:] == ['2018-08-27', 'latest']
    files = get(compute, '/openstack/latest/', server['id'], project_id).text
    assert files.split('\n') == ['meta_data.json', 'user_data', 'vendor_data.json',
                                 'network_data.json', 'vendor_data2.json']
    meta = get(compute, '/openstack/latest/meta_data.json', server['id'], project_id)
    assert meta.status_code == 200
    assert meta.headers['Content-Type'].startswith('application/json')
    data = meta.json()
    assert data['uuid'] == server['id']
    assert data['name'] == server['name']
    assert data['project_id'] == project_id
    assert data['public_keys'] == {'mdkey': key}
    assert data['keys'] == [{'name': 'mdkey', 'type': 'ssh', 'data': key}]
    assert data['meta'] == {'role': 'web', 'tier': 'front'}
    # Created without a zone: the zone of its host, the default one here.
    assert data['availability_zone'] == 'nova'
    assert len(base64.b64decode(data['random_seed'])) == 512
    user_data = get(compute, '/openstack/latest/user_data', server['id'], project_id)
    assert user_data.content == USER_DATA
    network = get(compute, '/openstack/latest/network_data.json', server['id'],
                  project_id)
    assert network.json() == {'links': [], 'networks': [], 'services': []}
    assert get(compute, '/openstack/latest/vendor_data2.json', server['id'],
               project_id).json() == {}


def test_ec2_tree(compute, booted):
    project_id, server, key = booted

    def text(path):
        response = get(compute, path, server['id'], project_id)
        assert response.status_code == 200, (path, response.text)
        assert response.headers['Content-Type'].startswith('text/plain')
        return response.text

    assert text('/').split('\n')[-2:] == ['2009-04-04', 'latest']
    listing = text('/latest/meta-data/').split('\n')
    assert {'instance-id', 'hostname', 'public-keys/', 'placement/', 'local-ipv4',
            'reservation-id', 'security-groups'} <= set(listing)
    assert text('/latest/meta-data/instance-id') == 'i-' + server['id'].replace('-', '')[:8]
    assert text('/latest/meta-data/public-keys/') == '0=mdkey'
    assert text('/latest/meta-data/public-keys/0/openssh-key') == key
    assert text('/latest/meta-data/security-groups') == 'default'
    assert text('/latest/meta-data/placement/availability-zone') == 'nova'
    # No fixed IP: the address the proxy forwarded, as Nova answers.
    assert text('/latest/meta-data/local-ipv4') == '10.0.0.5'
    assert text('/2009-04-04/user-data').encode() == USER_DATA


def test_head(compute, booted):
    project_id, server, _ = booted
    signed = {'X-Instance-ID': server['id'], 'X-Tenant-ID': project_id,
              'X-Instance-ID-Signature': auth.sign(compute.metadata_secret, server['id'])}
    response = requests.head(compute.metadata_url + '/openstack/latest/meta_data.json',
                             headers=signed, timeout=30)
    assert response.status_code == 200
    posted = requests.post(compute.metadata_url + '/openstack/latest/meta_data.json',
                           headers=signed, timeout=30)
    assert posted.status_code == 405


@pytest.mark.parametrize('change', [
    {'X-Instance-ID-Signature': None}, {'X-Tenant-ID': None}, {'X-Instance-ID': None},
])
def test_unsigned_requests_are_forbidden(compute, booted, change):
    project_id, server, key = booted
    response = get(compute, '/openstack/latest/meta_data.json', server['id'],
                   project_id, **change)
    assert response.status_code == 403, response.text
    assert key not in response.text


def test_wrongly_signed_requests_are_forbidden(compute, booted):
    project_id, server, _ = booted
    response = get(compute, '/latest/meta-data/', server['id'], project_id,
                   secret='not-the-secret')
    assert response.status_code == 403, response.text


def test_another_tenant_is_forbidden(compute, booted):
    _, server, _ = booted
    response = get(compute, '/openstack/latest/meta_data.json', server['id'],
                   'some-other-project')
    assert response.status_code == 403, response.text


def test_an_unknown_instance_is_not_found(compute, booted):
    project_id, _, _ = booted
    response = get(compute, '/openstack/latest/meta_data.json',
                   '00000000-0000-4000-8000-000000000000', project_id)
    assert response.status_code == 404, response.text


def test_a_deleted_instance_is_not_found(compute, image, member):
    token, project_id = member
    client = compute.client(token)
    server_id = helpers.create_server(client, helpers.make_image(image, token),
                                      helpers.make_flavor(compute.admin())['id'])
    helpers.wait_for_status(client, server_id, 'ACTIVE')
    assert get(compute, '/latest/meta-data/', server_id, project_id).status_code == 200
    helpers.delete_all(client, [server_id])
    response = get(compute, '/latest/meta-data/', server_id, project_id)
    assert response.status_code == 404, response.text


def test_each_port_serves_its_own_api(compute, booted):
    project_id, server, _ = booted
    # The compute port does not serve metadata, the metadata port not the compute API.
    assert requests.get(compute.url + '/openstack/latest/meta_data.json',
                        timeout=30).status_code == 404
    assert get(compute, '/v2.1/servers', server['id'], project_id).status_code == 404
    assert requests.get(compute.metadata_url + '/healthz', timeout=30).status_code == 200


def isoinfo(*args):
    return subprocess.run(['isoinfo', *args], check=True, capture_output=True).stdout


def test_config_drive_of_the_server(compute, booted, tmp_path):
    """The ISO an agent builds from the server's ``InstancePayload``."""
    project_id, server, key = booted
    db = Database(compute.database_url)
    try:
        with db.reader() as session:
            row = db_api.get_instance(session, server['id'])
            instance = payloads.instance(session, row)
            network_info = json.loads(row.network_info or '[]')
    finally:
        db.dispose()
    path = str(tmp_path / 'disk.config')
    configdrive.build_config_drive(path, instance, network_info)
    assert 'Volume id: config-2' in isoinfo('-d', '-i', path).decode()
    files = set(isoinfo('-R', '-f', '-i', path).decode().split())
    assert {'/openstack/latest/meta_data.json', '/openstack/latest/user_data',
            '/openstack/latest/network_data.json', '/openstack/2012-08-10/meta_data.json',
            '/ec2/latest/meta-data.json', '/ec2/2009-04-04/user-data'} <= files
    meta = json.loads(isoinfo('-R', '-i', path, '-x', '/openstack/latest/meta_data.json'))
    assert meta['uuid'] == server['id']
    assert meta['public_keys'] == {'mdkey': key}
    assert meta['meta'] == {'role': 'web', 'tier': 'front'}
    assert isoinfo('-R', '-i', path, '-x', '/openstack/latest/user_data') == USER_DATA
    ec2 = json.loads(isoinfo('-R', '-i', path, '-x', '/ec2/latest/meta-data.json'))
    assert ec2['instance-id'] == 'i-' + server['id'].replace('-', '')[:8]
