"""What the compute functional tests share: flavors, images and servers over HTTP.

The compute API under test is a real gunicorn process with real conductors
and fake-driver agents on RabbitMQ; these helpers talk to it as clients do
(Nova v2.1 bodies, microversion 2.60 unless a client asks otherwise) and
wait for the asynchronous work by polling, with deadlines.
"""
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from tests import servers

WAIT = 60  # seconds a build or an action may take on a loaded 2-core machine
IMAGE_DATA = bytes(range(256)) * 64  # 16 KiB of raw disk


def public_key():
    """A fresh OpenSSH ed25519 public key, as ``openstack keypair create`` makes."""
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    return key.public_bytes(serialization.Encoding.OpenSSH,
                            serialization.PublicFormat.OpenSSH).decode()


def make_flavor(admin, *, ram=128, vcpus=1, disk=1, is_public=True):
    """A new flavor (``admin`` is a cloud admin ``ComputeClient``); its JSON."""
    created = admin.post('/flavors', json={'flavor': {
        'name': servers.unique_name('flavor'), 'ram': ram, 'vcpus': vcpus, 'disk': disk,
        'id': None, 'os-flavor-access:is_public': is_public}})
    assert created.status_code == 200, created.text
    return created.json()['flavor']


def make_image(image, token, data=IMAGE_DATA, disk_format='raw', **attrs):
    """An active image of ``data`` owned by the token's project, in the image service; its id."""
    client = image.client(token)
    created = client.post('/v2/images', json={
        'name': servers.unique_name('image'), 'disk_format': disk_format,
        'container_format': 'bare', **attrs})
    assert created.status_code == 201, created.text
    image_id = created.json()['id']
    uploaded = client.put(f'/v2/images/{image_id}/file', data=data,
                          headers={'Content-Type': 'application/octet-stream'})
    assert uploaded.status_code == 204, uploaded.text
    return image_id


def create_server(client, image_id, flavor_id, **attrs):
    """``POST /servers`` without a network; the new server's id (it is BUILDing)."""
    body = {'name': servers.unique_name('server'), 'imageRef': image_id,
            'flavorRef': flavor_id, 'networks': 'none', **attrs}
    created = client.post('/servers', json={'server': body})
    assert created.status_code == 202, created.text
    return created.json()['server']['id']


def show(client, server_id):
    response = client.get(f'/servers/{server_id}')
    assert response.status_code == 200, response.text
    return response.json()['server']


def wait_for_status(client, server_id, status, timeout=WAIT):
    """Poll until the server's status is ``status`` with no task in progress; the server.

    A server that reaches ERROR when something else was awaited fails at
    once, with its fault.
    """
    deadline = time.monotonic() + timeout
    while True:
        server = show(client, server_id)
        if server['status'] == status and server.get('OS-EXT-STS:task_state') is None:
            return server
        if server['status'] == 'ERROR' and status != 'ERROR':
            raise AssertionError(f'server {server_id} went to ERROR while waiting for '
                                 f'{status}: {server.get("fault")}')
        if time.monotonic() > deadline:
            raise AssertionError(f'server {server_id} is {server["status"]} (task '
                                 f'{server.get("OS-EXT-STS:task_state")}) after {timeout} s, '
                                 f'not {status}')
        time.sleep(0.2)


def wait_for_task(client, server_id, task_state, timeout=WAIT):
    """Poll until the server is doing ``task_state`` (``client`` must see
    ``OS-EXT-STS:task_state``); the server."""
    deadline = time.monotonic() + timeout
    while True:
        server = show(client, server_id)
        if server.get('OS-EXT-STS:task_state') == task_state:
            return server
        if time.monotonic() > deadline:
            raise AssertionError(f'server {server_id} is {server["status"]} (task '
                                 f'{server.get("OS-EXT-STS:task_state")}) after {timeout} s, '
                                 f'not doing {task_state}')
        time.sleep(0.2)


def wait_for_gone(client, server_id, timeout=WAIT):
    """Poll until ``GET /servers/{id}`` answers 404."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f'/servers/{server_id}')
        if response.status_code == 404:
            return
        assert response.status_code == 200, response.text
        if time.monotonic() > deadline:
            raise AssertionError(f'server {server_id} still exists after {timeout} s: '
                                 f'{response.json()["server"]["status"]}')
        time.sleep(0.2)


def action(client, server_id, body, expect=202):
    """``POST /servers/{id}/action``; the response."""
    response = client.post(f'/servers/{server_id}/action', json=body)
    assert response.status_code == expect, response.text
    return response


def wait_for_image(images, image_id, status, timeout=WAIT):
    """Poll the image service (``images``: its client) until the image has ``status``."""
    deadline = time.monotonic() + timeout
    while True:
        response = images.get(f'/v2/images/{image_id}')
        assert response.status_code == 200, response.text
        if response.json()['status'] == status:
            return response.json()
        if time.monotonic() > deadline:
            raise AssertionError(f'image {image_id} is {response.json()["status"]} after '
                                 f'{timeout} s, not {status}')
        time.sleep(0.2)


def hypervisors(admin):
    """``{hypervisor_hostname: hypervisor}`` with the usage counters."""
    listed = admin.get('/os-hypervisors/detail')
    assert listed.status_code == 200, listed.text
    return {h['hypervisor_hostname']: h for h in listed.json()['hypervisors']}


def delete_all(client, server_ids):
    """Delete servers and wait until they are gone (clean-up of a shared service)."""
    for server_id in server_ids:
        client.delete(f'/servers/{server_id}')
    for server_id in server_ids:
        wait_for_gone(client, server_id)
