"""The metadata proxy in a real namespace, in front of compute's real metadata API.

Two namespaces of the test's own stand for a router and a guest, joined by
a veth pair (``192.0.2.1/24`` on the router side; ``.5`` and ``.6`` on the
guest side), and the router namespace redirects 169.254.169.254:80 to the
proxy's port, as the L3 part does.  The upstream is compute's metadata
WSGI app (``compute.metadata.app``) on a SQLite database holding two
instances, served on 127.0.0.1: its own signature check decides whether
the proxy spoke for the right instance.  The guest asks with ``curl``.
Needs root, iproute2, iptables and curl; a missing one fails the tests.
"""
import json
import secrets
import subprocess
import threading
import types
import uuid

import pytest
from werkzeug import serving

from common.db.session import Database
from compute import conf as compute_conf
from compute.db import models
from compute.metadata.app import create_app
from network import conf as network_conf
from network.agent import ip_lib
from network.agent import metadata_proxy
from network.agent import opts as agent_opts
from tests import servers
from tests.unit import make_conf
from tests.unit.compute.api.server_fakes import make_server

SECRET = 'functional-proxy-secret'
ROUTER_IP, GUEST_IP, OTHER_IP = '192.0.2.1', '192.0.2.5', '192.0.2.6'
METADATA_IP = '169.254.169.254'


@pytest.fixture(scope='module')
def compute_metadata(tmp_path_factory):
    """Compute's metadata API on 127.0.0.1: ``(port, {name: (instance id, project id)})``."""
    directory = tmp_path_factory.mktemp('compute-metadata')
    conf = make_conf(directory, register=compute_conf.register_opts,
                     metadata__metadata_proxy_shared_secret=SECRET,
                     oslo_messaging_notifications__driver=['noop'])
    db = Database(f'sqlite:///{directory}/compute.sqlite')
    models.Base.metadata.create_all(db.engine)
    holder = types.SimpleNamespace(db=db)
    instances = {name: (make_server(holder, name=name, project_id=project), project)
                 for name, project in (('web-1', 'project-p'), ('db-1', 'project-q'))}
    server = serving.make_server('127.0.0.1', 0, create_app(conf, db=db), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port, instances
    server.shutdown()
    server.server_close()
    db.engine.dispose()


class Topology:
    """The router and guest namespaces of one test; ``build`` (again) and ``destroy``."""

    def __init__(self):
        tag = f't{secrets.token_hex(3)}'
        self.router_ns, self.guest_ns = f'{tag}-router', f'{tag}-guest'
        self.router_end, self.guest_end = f'{tag}r', f'{tag}g'

    def build(self):
        for namespace in (self.router_ns, self.guest_ns):
            ip_lib.ensure_namespace(namespace)
        ip_lib.run(['ip', 'link', 'add', self.router_end, 'netns', self.router_ns,
                    'type', 'veth', 'peer', 'name', self.guest_end, 'netns', self.guest_ns])
        ip_lib.set_addresses(self.router_end, [f'{ROUTER_IP}/24'], namespace=self.router_ns)
        ip_lib.set_addresses(self.guest_end, [f'{GUEST_IP}/24', f'{OTHER_IP}/24'],
                             namespace=self.guest_ns)
        for device, namespace in ((self.router_end, self.router_ns),
                                  (self.guest_end, self.guest_ns)):
            ip_lib.run(['ip', 'link', 'set', 'dev', device, 'up'], namespace=namespace)
        ip_lib.run(['ip', 'route', 'add', f'{METADATA_IP}/32', 'via', ROUTER_IP],
                   namespace=self.guest_ns)
        ip_lib.run(['iptables', '-w', '-t', 'nat', '-A', 'PREROUTING', '-i', self.router_end,
                    '-d', f'{METADATA_IP}/32', '-p', 'tcp', '--dport', '80',
                    '-j', 'REDIRECT', '--to-ports', str(metadata_proxy.PORT)],
                   namespace=self.router_ns)

    def destroy(self):
        for namespace in (self.router_ns, self.guest_ns):
            ip_lib.delete_namespace(namespace)

    def curl(self, url, source=GUEST_IP):
        """``(curl's exit code, status, content type, body)`` of a GET from the guest."""
        done = subprocess.run(
            ['ip', 'netns', 'exec', self.guest_ns, 'curl', '-sS', '--max-time', '20',
             '--interface', source, '-w', '\n%{http_code} %{content_type}', url],
            capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            return done.returncode, None, None, done.stderr
        body, _, last = done.stdout.rpartition('\n')
        status, _, content_type = last.partition(' ')
        return 0, int(status), content_type, body


@pytest.fixture
def topology():
    built = Topology()
    try:
        built.build()
        yield built
    finally:
        built.destroy()


@pytest.fixture
def proxy(tmp_path):
    def register(conf):
        network_conf.register_opts(conf, database=False)
        agent_opts.register_opts(conf)
    conf = make_conf(tmp_path, register=register)
    part = metadata_proxy.MetadataProxy(conf, str(tmp_path))
    yield part
    part.cleanup({'routers': {}})


def host_state(topology, upstream_port, instances, secret=SECRET, router_id=None):
    """A host state with one router in ``topology.router_ns``; ``instances``: ip -> (id, project)."""
    router_id = router_id or str(uuid.uuid4())
    return {'routers': {router_id: {
        'id': router_id, 'project_id': 'project-p', 'admin_state_up': True,
        'namespace': topology.router_ns, 'enable_snat': False, 'gateway': None,
        'interfaces': [{'port_id': str(uuid.uuid4()), 'mac_address': 'fa:16:3e:00:00:01',
                        'network_id': str(uuid.uuid4()), 'bridge': 'brqunused', 'mtu': 1500,
                        'fixed_ips': [{'subnet_id': str(uuid.uuid4()), 'ip_address': ROUTER_IP,
                                       'prefixlen': 24, 'cidr': '192.0.2.0/24'}]}],
        'routes': [], 'floating_ips': [],
        'instances': {ip: {'instance_id': instance_id, 'project_id': project,
                           'port_id': str(uuid.uuid4())}
                      for ip, (instance_id, project) in instances.items()}}},
        'metadata': {'host': '127.0.0.1', 'port': upstream_port, 'shared_secret': secret}}


def test_guest_gets_its_own_metadata(topology, proxy, compute_metadata):
    port, instances = compute_metadata
    proxy.sync(host_state(topology, port, {GUEST_IP: instances['web-1']}))
    code, status, content_type, body = topology.curl(
        f'http://{METADATA_IP}/openstack/latest/meta_data.json')
    assert (code, status, content_type) == (0, 200, 'application/json'), body
    data = json.loads(body)
    assert (data['uuid'], data['hostname']) == (instances['web-1'][0], 'web-1')
    # X-Forwarded-For reached compute: the EC2 tree answers the guest's address.
    code, status, _, body = topology.curl(f'http://{METADATA_IP}/latest/meta-data/local-ipv4')
    assert (code, status, body) == (0, 200, GUEST_IP)
    # The proxy's port on the router's address answers the same, without the redirect.
    code, status, _, body = topology.curl(
        f'http://{ROUTER_IP}:{metadata_proxy.PORT}/latest/meta-data/instance-id')
    assert (code, status, body) == (0, 200, f'i-{instances["web-1"][0][:8]}')


def test_unknown_address_gets_404(topology, proxy, compute_metadata):
    port, instances = compute_metadata
    proxy.sync(host_state(topology, port, {GUEST_IP: instances['web-1']}))
    code, status, content_type, body = topology.curl(
        f'http://{METADATA_IP}/openstack/latest/meta_data.json', source=OTHER_IP)
    assert (code, status, content_type) == (0, 404, 'text/plain'), body


def test_new_map_is_used_without_a_new_listener(topology, proxy, compute_metadata):
    port, instances = compute_metadata
    state = host_state(topology, port, {GUEST_IP: instances['web-1']})
    proxy.sync(state)
    router = next(iter(state['routers'].values()))
    router['instances'][OTHER_IP] = {'instance_id': instances['db-1'][0],
                                     'project_id': instances['db-1'][1], 'port_id': 'p2'}
    proxy.sync(state)
    for source, name in ((GUEST_IP, 'web-1'), (OTHER_IP, 'db-1')):
        code, status, _, body = topology.curl(
            f'http://{METADATA_IP}/openstack/latest/meta_data.json', source=source)
        assert (code, status) == (0, 200), body
        assert json.loads(body)['uuid'] == instances[name][0]


def test_wrong_secret_is_refused_by_compute(topology, proxy, compute_metadata):
    port, instances = compute_metadata
    proxy.sync(host_state(topology, port, {GUEST_IP: instances['web-1']}, secret='not-it'))
    code, status, content_type, body = topology.curl(f'http://{METADATA_IP}/latest/meta-data/')
    assert (code, status) == (0, 403), body
    assert content_type.startswith('text/plain') and 'Signature' in body


def test_metadata_api_down_gets_502(topology, proxy, compute_metadata):
    _, instances = compute_metadata
    proxy.sync(host_state(topology, servers.free_port(), {GUEST_IP: instances['web-1']}))
    code, status, _, body = topology.curl(f'http://{METADATA_IP}/latest/meta-data/')
    assert (code, status) == (0, 502), body


def test_removed_router_leaves_nothing_listening(topology, proxy, compute_metadata):
    port, instances = compute_metadata
    state = host_state(topology, port, {GUEST_IP: instances['web-1']})
    proxy.sync(state)
    assert topology.curl(f'http://{METADATA_IP}/latest/meta-data/')[1] == 200
    proxy.sync(dict(state, routers={}))
    code, _, _, stderr = topology.curl(f'http://{METADATA_IP}/latest/meta-data/')
    assert code == 7, stderr  # curl: could not connect (refused)
    listening = ip_lib.run(['ss', '-Htln', f'sport = :{metadata_proxy.PORT}'],
                           namespace=topology.router_ns)
    assert listening.strip() == ''


def test_router_down_is_closed_by_cleanup(topology, proxy, compute_metadata):
    port, instances = compute_metadata
    state = host_state(topology, port, {GUEST_IP: instances['web-1']})
    proxy.sync(state)
    for router in state['routers'].values():
        router['admin_state_up'] = False
    proxy.cleanup(state)
    assert topology.curl(f'http://{METADATA_IP}/latest/meta-data/')[0] == 7


def test_namespace_made_again_gets_a_new_listener(topology, proxy, compute_metadata):
    port, instances = compute_metadata
    state = host_state(topology, port, {GUEST_IP: instances['web-1']})
    proxy.sync(state)
    url = f'http://{METADATA_IP}/openstack/latest/meta_data.json'
    topology.destroy()  # between two syncs: the next one sees another namespace
    topology.build()
    proxy.sync(state)
    code, status, _, body = topology.curl(url)
    assert (code, status) == (0, 200), body
    topology.destroy()
    proxy.sync(state)  # gone at a sync: logged, its listener closed
    topology.build()
    proxy.sync(state)
    code, status, _, body = topology.curl(url)
    assert (code, status) == (0, 200), body
    assert json.loads(body)['uuid'] == instances['web-1'][0]
