"""The metadata API app on a real (SQLite) compute database, through Flask's test client."""
import base64
import json

import pytest

from common.db.types import utcnow
from compute.db import api as db_api
from compute.db import models
from compute.metadata import auth
from compute.metadata.app import create_app
from tests.unit.compute.api.server_fakes import make_server

SECRET = 'proxy-secret'
KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBoJ test@stratus'
USER_DATA = b'#!/bin/sh\necho from user data\n'


@pytest.fixture
def env(make_env):
    return make_env(metadata__metadata_proxy_shared_secret=SECRET)


@pytest.fixture
def client(env):
    app = create_app(env.conf, db=env.db)
    app.testing = True
    return app.test_client()


@pytest.fixture
def server(env):
    uuid = make_server(env, name='web-1', key_name='mykey', key_data=KEY,
                       user_data=base64.b64encode(USER_DATA).decode(), launch_index=0,
                       reservation_id='r-abcdef12', network_info=json.dumps([
                           {'port_id': 'a1b2c3d4-e5f6-4789-8abc-def012345678',
                            'network_id': 'net-1', 'network_name': 'private',
                            'mac': 'fa:16:3e:11:22:33',
                            'ips': [{'addr': '10.0.0.5', 'version': 4, 'type': 'fixed'}]}]))
    with env.db.writer() as session:
        session.add(models.InstanceMetadata(instance_uuid=uuid, key='role', value='web'))
    return uuid


def signed(instance_id, project='project-p', secret=SECRET, address='10.0.0.5'):
    return {'X-Instance-ID': instance_id, 'X-Tenant-ID': project,
            'X-Instance-ID-Signature': auth.sign(secret, instance_id),
            'X-Forwarded-For': address}


def test_openstack_meta_data(client, server):
    response = client.get('/openstack/latest/meta_data.json', headers=signed(server))
    assert response.status_code == 200
    assert response.mimetype == 'application/json'
    data = response.get_json()
    assert data['uuid'] == server
    assert data['hostname'] == 'web-1'
    assert data['public_keys'] == {'mykey': KEY}
    assert data['meta'] == {'role': 'web'}
    assert data['project_id'] == 'project-p'
    assert data['availability_zone'] == 'nova'


def test_user_data_and_network_data(client, server):
    response = client.get('/openstack/latest/user_data', headers=signed(server))
    assert response.status_code == 200 and response.data == USER_DATA
    network = client.get('/openstack/latest/network_data.json', headers=signed(server))
    assert network.get_json()['links'][0]['ethernet_mac_address'] == 'fa:16:3e:11:22:33'


def test_ec2_tree(client, server):
    listing = client.get('/latest/meta-data/', headers=signed(server))
    assert listing.status_code == 200 and listing.mimetype == 'text/plain'
    assert 'public-keys/' in listing.text.split('\n')
    assert client.get('/latest/meta-data/local-ipv4', headers=signed(server)).text == '10.0.0.5'
    assert client.get('/latest/meta-data/security-groups',
                      headers=signed(server)).text == 'default'
    assert client.get('/latest/meta-data/public-keys/0/openssh-key',
                      headers=signed(server)).text == KEY
    assert client.get('/', headers=signed(server)).text.endswith('2009-04-04\nlatest')


def test_head_is_served(client, server):
    response = client.head('/openstack/latest/meta_data.json', headers=signed(server))
    assert response.status_code == 200 and response.data == b''


@pytest.mark.parametrize('method', ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])
def test_other_methods_are_not_allowed(client, server, method):
    response = client.open('/openstack/latest/meta_data.json', method=method,
                           headers=signed(server))
    assert response.status_code == 405
    assert set(response.headers['Allow'].split(', ')) == {'GET', 'HEAD'}


@pytest.mark.parametrize('change', [
    {'X-Instance-ID-Signature': None}, {'X-Instance-ID': None}, {'X-Tenant-ID': None},
    {'X-Instance-ID-Signature': auth.sign('wrong-secret', 'x')},
])
def test_unproved_requests_are_forbidden(client, server, change):
    headers = {k: v for k, v in {**signed(server), **change}.items() if v is not None}
    response = client.get('/openstack/latest/meta_data.json', headers=headers)
    assert response.status_code == 403
    assert response.mimetype == 'text/plain'
    assert KEY not in response.text


def test_wrongly_signed_is_forbidden(client, server):
    response = client.get('/latest/meta-data/', headers=signed(server, secret='other'))
    assert response.status_code == 403


def test_another_project_is_forbidden(client, server):
    response = client.get('/openstack/latest/meta_data.json',
                          headers=signed(server, project='project-q'))
    assert response.status_code == 403
    assert 'project-q' in response.text


def test_an_empty_secret_refuses_everything(make_env, server, env):
    app = create_app(make_env().conf, db=env.db)
    response = app.test_client().get('/openstack/latest/meta_data.json',
                                     headers=signed(server, secret=''))
    assert response.status_code == 403


def test_unknown_and_deleted_instances_are_not_found(client, env, server):
    unknown = '00000000-0000-4000-8000-000000000000'
    assert client.get('/openstack/latest/meta_data.json',
                      headers=signed(unknown)).status_code == 404
    with env.db.writer() as session:
        db_api.get_instance(session, server).deleted_at = utcnow()
    response = client.get('/openstack/latest/meta_data.json', headers=signed(server))
    assert response.status_code == 404 and response.mimetype == 'text/plain'


def test_unknown_paths_are_not_found(client, server):
    for path in ('/openstack/2011-01-01/meta_data.json', '/latest/meta-data/nothing',
                 '/openstack/latest/password'):
        assert client.get(path, headers=signed(server)).status_code == 404


def test_healthz_needs_no_signature(client):
    assert client.get('/healthz').status_code == 200


def test_an_instance_without_a_zone_is_in_its_hosts(env, client):
    uuid = make_server(env, name='nozone', availability_zone=None)
    response = client.get('/openstack/latest/meta_data.json', headers=signed(uuid))
    assert response.get_json()['availability_zone'] == 'nova'
