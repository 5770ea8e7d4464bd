"""A throw-away network for test guests, on this host only.

A Linux bridge (no address on the host) joined by a veth pair to a network
namespace that plays the cloud's side of the link: dnsmasq answers DHCP
with fixed leases, and on request a plain HTTP file server answers at
169.254.169.254 with the OpenStack metadata layout, reached through the
classless static route that Neutron's DHCP agent also hands out. Guests
plug in through tap devices made with :meth:`Lan.add_tap`.

Names are unique per instance (bridge, tap and veth names fit the 15
characters Linux allows); :meth:`Lan.close` removes whatever exists, so it
is safe after a half-finished set-up.
"""
import os
import random
import subprocess
import sys
import time
import uuid

SUBNET_PREFIX = '10.99.0.'  # /24; only this namespace and its guests use it
SERVER_ADDRESS = SUBNET_PREFIX + '1'
METADATA_ADDRESS = '169.254.169.254'
STARTUP_TIMEOUT = 10


def run(*command):
    """Run a command; a failure shows its output."""
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f'{" ".join(command)} failed (exit {result.returncode}): '
                           f'{result.stdout}{result.stderr}')
    return result.stdout


def _wait_for_line(path, text, process, what):
    """Wait until the file at ``path`` holds ``text``, while ``process`` runs."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path, errors='replace') as f:
                content = f.read()
            if text in content:
                return
        if process.poll() is not None:
            raise RuntimeError(f'{what} exited with status {process.returncode}: '
                               f'{_read(path)}')
        time.sleep(0.1)
    raise RuntimeError(f'{what} did not start within {STARTUP_TIMEOUT} s: {_read(path)}')


def _read(path):
    try:
        with open(path, errors='replace') as f:
            return f.read()
    except FileNotFoundError:
        return '(no output)'


def random_mac():
    return '52:54:00:%02x:%02x:%02x' % tuple(random.randrange(256) for _ in range(3))


class Lan:
    """One bridge, one namespace with DHCP (and maybe metadata), and taps."""

    def __init__(self, workdir):
        suffix = uuid.uuid4().hex[:6]
        self.workdir = workdir
        self.namespace = f'stratus-test-{suffix}'
        self.bridge = f'stbr-{suffix}'
        self._veth_host = f'stvh-{suffix}'
        self._veth_ns = f'stvn-{suffix}'
        self._tap_prefix = f'sttp-{suffix}-'
        self.taps = []
        self._processes = []
        self._hosts = {}  # MAC -> IPv4 address
        self.dhcp_log = os.path.join(workdir, 'dnsmasq.log')
        self.metadata_log = os.path.join(workdir, 'metadata-server.log')

    # -- set-up ------------------------------------------------------------------

    def create(self):
        run('ip', 'link', 'add', self.bridge, 'type', 'bridge')
        run('ip', 'link', 'set', self.bridge, 'up')
        run('ip', 'netns', 'add', self.namespace)
        run('ip', 'link', 'add', self._veth_host, 'type', 'veth', 'peer', 'name', self._veth_ns)
        run('ip', 'link', 'set', self._veth_host, 'master', self.bridge, 'up')
        run('ip', 'link', 'set', self._veth_ns, 'netns', self.namespace)
        self.in_namespace('ip', 'link', 'set', 'lo', 'up')
        self.in_namespace('ip', 'addr', 'add', f'{SERVER_ADDRESS}/24', 'dev', self._veth_ns)
        self.in_namespace('ip', 'link', 'set', self._veth_ns, 'up')
        return self

    def add_tap(self):
        """A new tap device in the bridge, for a guest's ``<interface type='ethernet'>``."""
        tap = f'{self._tap_prefix}{len(self.taps)}'
        run('ip', 'tuntap', 'add', 'dev', tap, 'mode', 'tap')
        self.taps.append(tap)
        run('ip', 'link', 'set', tap, 'master', self.bridge, 'up')
        return tap

    def add_host(self, mac):
        """Reserve an address for ``mac`` (before :meth:`start_dhcp`); return it."""
        taken = set(self._hosts.values())
        address = random.choice([f'{SUBNET_PREFIX}{n}' for n in range(10, 250)
                                 if f'{SUBNET_PREFIX}{n}' not in taken])
        self._hosts[mac] = address
        return address

    def start_dhcp(self, *, metadata_route=False):
        """dnsmasq in the namespace: fixed leases for the hosts added, itself as
        router, and with ``metadata_route`` a route to 169.254.169.254 through it."""
        command = ['dnsmasq', '--keep-in-foreground', '--no-hosts', '--no-resolv', '--port=0',
                   '--bind-interfaces', f'--interface={self._veth_ns}',
                   '--except-interface=lo', f'--dhcp-range={SUBNET_PREFIX}0,static,1h',
                   f'--dhcp-leasefile={os.path.join(self.workdir, "dnsmasq.leases")}',
                   f'--log-facility={self.dhcp_log}', '--log-dhcp', '--pid-file']
        command += [f'--dhcp-host={mac},{address}' for mac, address in self._hosts.items()]
        if metadata_route:
            command.append('--dhcp-option=option:classless-static-route,'
                           f'{METADATA_ADDRESS}/32,{SERVER_ADDRESS},0.0.0.0/0,{SERVER_ADDRESS}')
        process = self._spawn(command)
        _wait_for_line(self.dhcp_log, 'started, version', process, 'dnsmasq')

    def serve_metadata(self, directory):
        """An HTTP server at 169.254.169.254:80 in the namespace serving ``directory``."""
        self.in_namespace('ip', 'addr', 'add', f'{METADATA_ADDRESS}/32', 'dev', self._veth_ns)
        with open(self.metadata_log, 'w') as log:
            process = self._spawn([sys.executable, '-u', '-m', 'http.server', '80',
                                   '--bind', METADATA_ADDRESS, '--directory', directory],
                                  stdout=log, stderr=subprocess.STDOUT)
        _wait_for_line(self.metadata_log, 'Serving HTTP', process, 'the metadata server')

    def _spawn(self, command, **kwargs):
        process = subprocess.Popen(['ip', 'netns', 'exec', self.namespace, *command],
                                   stdin=subprocess.DEVNULL, **kwargs)
        self._processes.append(process)
        return process

    def in_namespace(self, *command):
        """Run a set-up command in the namespace; a failure raises."""
        return run('ip', 'netns', 'exec', self.namespace, *command)

    def try_in_namespace(self, *command, timeout=60):
        """Run a command in the namespace; its CompletedProcess, whatever its status."""
        return subprocess.run(['ip', 'netns', 'exec', self.namespace, *command],
                              capture_output=True, text=True, timeout=timeout)

    # -- clean-up ----------------------------------------------------------------

    def close(self):
        """Stop the servers, delete the taps, the namespace and the bridge."""
        for process in self._processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        for tap in self.taps:
            subprocess.run(['ip', 'link', 'del', tap], capture_output=True)
        subprocess.run(['ip', 'link', 'del', self._veth_host], capture_output=True)
        subprocess.run(['ip', 'netns', 'del', self.namespace], capture_output=True)
        subprocess.run(['ip', 'link', 'del', self.bridge], capture_output=True)
