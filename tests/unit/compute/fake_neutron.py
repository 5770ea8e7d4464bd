"""A small Neutron v2.0 port API on 127.0.0.1, for tests of compute's network client.

It keeps networks, security groups and ports in memory, answers the calls
compute makes (network and security-group lists with filters, port create,
show, update, delete) with Neutron's bodies and status codes, and records
each request so that a test can see what was sent.
"""
import http.server
import ipaddress
import json
import threading
import urllib.parse
import uuid


class FakeNeutron:
    """``with FakeNeutron() as neutron:`` serves on ``neutron.url`` until the block ends."""

    def __init__(self):
        self.networks = {}
        self.security_groups = {}
        self.ports = {}
        self.requests = []  # (method, path, body or None, X-Auth-Token)
        self.fail_port_create_on = set()  # network ids whose port creates answer 500
        self._server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _handler(self))
        self.url = f'http://127.0.0.1:{self._server.server_address[1]}'
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,),
                                        daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def add_network(self, name, project_id='p1', shared=False, admin_state_up=True,
                    cidr='10.0.0.0/24'):
        net = {'id': str(uuid.uuid4()), 'name': name, 'project_id': project_id,
               'tenant_id': project_id, 'shared': shared, 'admin_state_up': admin_state_up,
               'status': 'ACTIVE', 'subnets': [], 'cidr': cidr}
        self.networks[net['id']] = net
        return net

    def add_security_group(self, name, project_id='p1'):
        group = {'id': str(uuid.uuid4()), 'name': name, 'project_id': project_id}
        self.security_groups[group['id']] = group
        return group

    def add_port(self, network, device_id=''):
        port, _in_use = self._new_port({'network_id': network['id'], 'device_id': device_id})
        self.ports[port['id']] = port
        return port

    def calls(self, method=None):
        return [r for r in self.requests if method is None or r[0] == method]

    # --- behaviour -----------------------------------------------------------

    def _new_port(self, attrs):
        """``(port, whether its fixed IP is already in use)``."""
        net = self.networks[attrs['network_id']]
        used = {ip['ip_address'] for p in self.ports.values() for ip in p['fixed_ips']}
        if attrs.get('fixed_ips'):
            address = attrs['fixed_ips'][0]['ip_address']
        else:
            hosts = ipaddress.ip_network(net['cidr']).hosts()
            address = next(str(a) for a in hosts if str(a) not in used and not
                           str(a).endswith('.1'))
        port = {'id': str(uuid.uuid4()), 'name': '', 'network_id': net['id'],
                'mac_address': 'fa:16:3e:%02x:%02x:%02x' % tuple(uuid.uuid4().bytes[:3]),
                'fixed_ips': [{'subnet_id': 'subnet-' + net['id'], 'ip_address': address}],
                'device_id': '', 'device_owner': '', 'status': 'DOWN',
                'admin_state_up': True, 'security_groups': [], 'project_id': net['project_id']}
        port.update({k: v for k, v in attrs.items() if k != 'fixed_ips'})
        return port, address in used

    @staticmethod
    def _list(items, query):
        """The items whose fields match every ``?key=value`` (booleans as True/False)."""
        return [item for item in items
                if all(str(item.get(key)) in wanted for key, wanted in query.items())]

    def handle(self, method, path, query, body):
        parts = path.strip('/').split('/')
        if parts[:2] == ['v2.0', 'networks'] and method == 'GET':
            return 200, {'networks': self._list(self.networks.values(), query)}
        if parts[:2] == ['v2.0', 'security-groups'] and method == 'GET':
            return 200, {'security_groups': self._list(self.security_groups.values(), query)}
        if parts == ['v2.0', 'ports'] and method == 'POST':
            attrs = body['port']
            if attrs.get('network_id') not in self.networks:
                return 404, _fault('NetworkNotFound',
                                   f"Network {attrs.get('network_id')} could not be found.")
            if attrs['network_id'] in self.fail_port_create_on:
                return 500, _fault('InternalError', 'Request Failed: internal server error.')
            port, in_use = self._new_port(attrs)
            if in_use:
                return 409, _fault('IpAddressInUse', 'IP address already allocated.')
            self.ports[port['id']] = port
            return 201, {'port': port}
        if parts[:2] == ['v2.0', 'ports'] and len(parts) == 3:
            port = self.ports.get(parts[2])
            if port is None:
                return 404, _fault('PortNotFound', f'Port {parts[2]} could not be found.')
            if method == 'GET':
                return 200, {'port': port}
            if method == 'PUT':
                port.update(body['port'])
                return 200, {'port': port}
            if method == 'DELETE':
                del self.ports[parts[2]]
                return 204, None
        return 404, _fault('HTTPNotFound', 'The resource could not be found.')


def _fault(kind, message):
    return {'NeutronError': {'type': kind, 'message': message, 'detail': ''}}


def _handler(neutron):
    class Handler(http.server.BaseHTTPRequestHandler):
        def _serve(self):
            url = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get('Content-Length') or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            neutron.requests.append((self.command, url.path, body,
                                     self.headers.get('X-Auth-Token')))
            status, answer = neutron.handle(self.command, url.path,
                                            urllib.parse.parse_qs(url.query), body)
            data = json.dumps(answer).encode() if answer is not None else b''
            self.send_response(status)
            if data:
                self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, *args):
            pass
    return Handler
