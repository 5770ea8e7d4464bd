"""The metadata proxy of the routers: what guests reach at 169.254.169.254.

A guest asks ``http://169.254.169.254/...``; its router's namespace
redirects that to TCP port ``l3.METADATA_PROXY_PORT`` (9697) on its own
``qr-`` address.  Whatever listens there must tell the compute metadata API
(``host_state["metadata"]``) which instance asks: it looks the request's
source address up in the router's ``instances`` map, and forwards the
request with Nova's proxy headers: ``X-Instance-ID``, ``X-Tenant-ID``,
``X-Forwarded-For`` (the guest's address) and ``X-Instance-ID-Signature``
(hex HMAC-SHA256 of the instance id keyed with the shared secret).  The
metadata API's answer (status, body, content type) goes back to the guest;
an unknown address gets 404, an unreachable metadata API 502.

Why the agent serves the proxies itself, instead of one haproxy per router
as Neutron does: a listening socket belongs to the network namespace it was
created in, whichever thread later uses it.  So for each router a
short-lived thread enters the namespace (``setns``, through libc: Python
3.11 has no ``os.setns``), binds and listens, and ends; the agent's own
threads then accept on that socket, and connect to the metadata API from
the host's namespace, where it is reachable.  No process per router to
start, watch, reconfigure through files or kill at cleanup, and the
instances map a sync brings is used by the next request, without a reload.
Sockets die with the agent, so a new agent has nothing of an old one's to
clean up.

The listener binds ``0.0.0.0`` in the namespace; the L3 part drops
traffic to its port that does not come in on a ``qr-`` device.  As a
second guard, a request is only believed when it arrived at one of the
router's internal addresses from an address on that interface's subnet: a
packet with a forged source address sent to the ``qg-`` side, or to the
router's address on another subnet, does not speak for the guest that owns
that address.  IPv4 only, as the 169.254.169.254 redirect is.
"""
import ctypes
import dataclasses
import http.client
import http.server
import hashlib
import hmac
import ipaddress
import logging
import os
import socket
import socketserver
import threading

from network.agent import ip_lib
from network.agent import l3

LOG = logging.getLogger(__name__)

PORT = l3.METADATA_PROXY_PORT
_CLONE_NEWNET = 0x40000000  # from <sched.h>
_UPSTREAM_TIMEOUT = 30  # seconds to wait for the metadata API
_GUEST_TIMEOUT = 10  # seconds a guest may take to send its request

INSTANCE_ID = 'X-Instance-ID'
TENANT_ID = 'X-Tenant-ID'
FORWARDED_FOR = 'X-Forwarded-For'
SIGNATURE = 'X-Instance-ID-Signature'

# Never passed on: connection-level headers (RFC 9110 7.6.1), those the proxy
# sets itself (a guest must not choose the instance it speaks for), and the
# length, recomputed from the body actually sent.
_HOP_BY_HOP = frozenset({'connection', 'keep-alive', 'proxy-authenticate',
                         'proxy-authorization', 'proxy-connection', 'te', 'trailer',
                         'transfer-encoding', 'upgrade'})
MAX_BODY = 64 * 1024  # bytes: metadata requests carry no more (password posts are 256)
_NOT_FROM_GUEST = _HOP_BY_HOP | frozenset({'host', 'content-length', INSTANCE_ID.lower(),
                                           TENANT_ID.lower(), FORWARDED_FOR.lower(),
                                           SIGNATURE.lower()})
# The proxy's own response line adds these.
_NOT_TO_GUEST = _HOP_BY_HOP | frozenset({'content-length', 'date', 'server'})


def sign(secret, instance_id):
    """``X-Instance-ID-Signature``: hex HMAC-SHA256 of ``instance_id`` keyed with ``secret``."""
    return hmac.new(secret.encode(), instance_id.encode(), hashlib.sha256).hexdigest()


def upstream_headers(guest_headers, instance, guest_ip, secret):
    """The headers of the request to the metadata API.

    :param guest_headers: ``(name, value)`` pairs of the guest's request.
    :param instance: the guest's entry of the router's ``instances`` map.
    :param guest_ip: the request's source address.
    :param secret: the shared secret of the metadata API.
    :returns: a list of ``(name, value)``: the guest's end-to-end headers,
        without any it sent in the proxy's name, then the proxy's own.
    """
    headers = [(name, value) for name, value in guest_headers
               if name.lower() not in _NOT_FROM_GUEST]
    headers += [(INSTANCE_ID, instance['instance_id']),
                (TENANT_ID, instance['project_id']),
                (FORWARDED_FOR, guest_ip),
                (SIGNATURE, sign(secret, instance['instance_id']))]
    return headers


@dataclasses.dataclass(frozen=True)
class Upstream:
    """Where requests go: the compute metadata API and its shared secret."""
    host: str
    port: int
    shared_secret: str

    @classmethod
    def from_state(cls, metadata):
        return cls(metadata['host'], int(metadata['port']), metadata['shared_secret'])


@dataclasses.dataclass(frozen=True)
class RouterView:
    """What a router's proxy needs to know who asks: replaced whole at each sync.

    :ivar instances: guest address -> ``{"instance_id", "project_id", "port_id"}``.
    :ivar interfaces: ``(address, subnet)`` of each internal interface address.
    :ivar upstream: the ``Upstream`` to forward to.
    """
    instances: dict
    interfaces: tuple
    upstream: Upstream

    @classmethod
    def from_state(cls, router, metadata):
        interfaces = tuple(
            (ipaddress.ip_address(fixed_ip['ip_address']),
             ipaddress.ip_network(fixed_ip['cidr'], strict=False))
            for interface in router.get('interfaces') or ()
            for fixed_ip in interface['fixed_ips'])
        return cls(dict(router.get('instances') or {}), interfaces,
                   Upstream.from_state(metadata))

    def instance_for(self, local_ip, guest_ip):
        """The instance that ``guest_ip`` is, or ``None``.

        :param local_ip: the address the request arrived at (after the redirect,
            the address of the router interface it came in on).
        """
        try:
            local, guest = ipaddress.ip_address(local_ip), ipaddress.ip_address(guest_ip)
        except ValueError:
            return None
        if not any(local == address and guest in subnet
                   for address, subnet in self.interfaces):
            return None
        return self.instances.get(str(guest))


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    """One guest request: find its instance, forward it signed, answer with the reply."""

    timeout = _GUEST_TIMEOUT
    server_version = 'stratus-metadata-proxy'

    def _forward(self):
        view = self.server.view
        guest_ip = self.client_address[0]
        instance = view.instance_for(self.connection.getsockname()[0], guest_ip)
        if instance is None:
            LOG.debug('Router %s: metadata request from %s, which is no instance of it',
                     self.server.router_id, guest_ip)
            self._reply(404, 'Not Found', [('Content-Type', 'text/plain')],
                        b'No instance of this router has this address.\n')
            return
        try:
            length = int(self.headers.get('Content-Length') or 0)
        except ValueError:
            self._reply(400, 'Bad Request', [('Content-Type', 'text/plain')],
                        b'Bad Content-Length.\n')
            return
        if length > MAX_BODY:  # the agent must not buffer whatever a guest sends
            self._reply(413, 'Request Entity Too Large', [('Content-Type', 'text/plain')],
                        b'Request body too large.\n')
            return
        body = self.rfile.read(length) if length > 0 else None
        headers = upstream_headers(self.headers.items(), instance, guest_ip,
                                   view.upstream.shared_secret)
        try:
            status, reason, reply_headers, data = _send(view.upstream, self.command,
                                                        self.path, headers, body)
        except (OSError, http.client.HTTPException) as exc:
            LOG.warning('Router %s: the metadata API at %s:%s did not answer the request of '
                        'instance %s: %s', self.server.router_id, view.upstream.host,
                        view.upstream.port, instance['instance_id'], exc)
            self._reply(502, 'Bad Gateway', [('Content-Type', 'text/plain')],
                        b'The metadata service is unavailable.\n')
            return
        self._reply(status, reason, reply_headers, data)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _forward

    def _reply(self, status, reason, headers, data):
        self.send_response(status, reason)
        length = str(len(data))
        for name, value in headers:
            if name.lower() not in _NOT_TO_GUEST:
                self.send_header(name, value)
            elif name.lower() == 'content-length' and self.command == 'HEAD':
                length = value  # the length a GET would have, as the metadata API says
        self.send_header('Content-Length', length)
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)

    def log_message(self, format, *args):
        LOG.debug('Router %s: %s %s', self.server.router_id, self.address_string(),
                  format % args)


def _send(upstream, method, path, headers, body):
    """One request to the metadata API: ``(status, reason, headers, body)``."""
    connection = http.client.HTTPConnection(upstream.host, upstream.port,
                                            timeout=_UPSTREAM_TIMEOUT)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        if body is not None:
            connection.putheader('Content-Length', str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.reason, response.getheaders(), response.read()
    finally:
        connection.close()


class RouterListener(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """The proxy of one router: serves ``sock`` (bound in its namespace) from a thread.

    ``view`` (a ``RouterView``) is replaced whole by ``update``; a request
    reads the attribute once, so it sees one consistent view.
    """

    daemon_threads = True

    def __init__(self, router_id, sock, view):
        # NOTE: TCPServer makes a socket of its own even when told not to bind;
        # the one bound in the router's namespace replaces it.
        super().__init__(sock.getsockname(), ProxyHandler, bind_and_activate=False)
        self.socket.close()
        self.socket = sock
        self.router_id = router_id
        self.view = view
        self._thread = threading.Thread(target=self.serve_forever, kwargs={'poll_interval': 0.2},
                                        name=f'metadata-proxy-{router_id[:8]}', daemon=True)

    def start(self):
        self._thread.start()
        return self

    def update(self, view):
        self.view = view

    def handle_error(self, request, client_address):
        """A request that broke the handler: logged (not printed); the guest's
        connection is closed."""
        LOG.exception('Router %s: metadata request from %s failed', self.router_id,
                      client_address[0])

    def close(self):
        """Stop accepting (the port is free at once); requests under way finish."""
        self.shutdown()
        self.server_close()
        self._thread.join()


def namespace_identity(namespace):
    """``(device, inode)`` of the namespace now named ``namespace`` (changes when it is
    deleted and made again)."""
    found = os.stat(os.path.join(ip_lib.NETNS_DIR, namespace))
    return found.st_dev, found.st_ino


def listen_in_namespace(namespace, port):
    """A TCP socket listening on ``0.0.0.0:port`` inside ``namespace``.

    The thread that enters the namespace does nothing else and then ends,
    so no other code of the agent ever runs in it.

    :raises OSError: the namespace is missing, cannot be entered, or the
        port is taken in it.
    """
    outcome = {}

    def bind():
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = os.open(os.path.join(ip_lib.NETNS_DIR, namespace), os.O_RDONLY | os.O_CLOEXEC)
            try:
                if libc.setns(fd, _CLONE_NEWNET) != 0:
                    errno = ctypes.get_errno()
                    raise OSError(errno, f'setns into {namespace}: {os.strerror(errno)}')
            finally:
                os.close(fd)
            outcome['socket'] = socket.create_server(('0.0.0.0', port), backlog=128)
        except OSError as exc:
            outcome['error'] = exc

    thread = threading.Thread(target=bind, name=f'netns-{namespace}')
    thread.start()
    thread.join()
    if 'error' in outcome:
        raise outcome['error']
    return outcome['socket']


class MetadataProxy:
    """The ``Part`` that serves metadata in every router namespace (network/agent/manager.py).

    Routers that are administratively down get no proxy, like the rest of
    their namespace in Neutron.
    """

    def __init__(self, conf, state_dir):
        self._lock = threading.Lock()  # sync and cleanup may come from different threads
        self._listeners = {}  # router id -> (RouterListener, namespace, its identity)

    def sync(self, host_state):
        metadata = host_state['metadata']
        with self._lock:
            self._close_absent(host_state)
            for router_id, router in host_state['routers'].items():
                if not router['admin_state_up']:
                    continue
                try:
                    self._ensure(router_id, router, RouterView.from_state(router, metadata))
                except (OSError, KeyError, ValueError) as exc:
                    LOG.error('Router %s: metadata proxy in %s failed: %s', router_id,
                              router.get('namespace'), exc)

    def cleanup(self, host_state):
        """Close the proxies of routers the state no longer holds (or holds down)."""
        with self._lock:
            self._close_absent(host_state)

    def _ensure(self, router_id, router, view):
        namespace = router['namespace']
        present = self._listeners.get(router_id)
        try:
            identity = namespace_identity(namespace)
        except FileNotFoundError:
            if present is not None:  # its socket would keep the deleted namespace alive
                self._close(router_id)
            raise
        if present is not None and present[1:] == (namespace, identity):
            present[0].update(view)
            return
        if present is not None:  # its namespace was made again: the socket is in the old one
            self._close(router_id)
        listener = RouterListener(router_id, listen_in_namespace(namespace, PORT), view)
        self._listeners[router_id] = (listener.start(), namespace, identity)
        LOG.info('Router %s: metadata proxy listening on port %s in %s', router_id, PORT,
                 namespace)

    def _close_absent(self, host_state):
        wanted = {router_id for router_id, router in host_state['routers'].items()
                  if router['admin_state_up']}
        for router_id in sorted(set(self._listeners) - wanted):
            self._close(router_id)

    def _close(self, router_id):
        listener, namespace, _ = self._listeners.pop(router_id)
        listener.close()
        LOG.info('Router %s: metadata proxy in %s closed', router_id, namespace)
