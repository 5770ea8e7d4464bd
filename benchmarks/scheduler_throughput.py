#!/usr/bin/env python3
"""Scheduler throughput: many server creates across many simulated hosts, as one JSON line.

    python benchmarks/scheduler_throughput.py                   # 1000 servers, 100 hosts
    python benchmarks/scheduler_throughput.py --servers 200 --hosts 20 --database mysql

It deploys a throw-away compute service of its own (the harness of the
functional tests, ``tests/servers/``): an identity API, an image API and
the compute API, ``--conductors`` conductors and ``--agents`` fake-driver
agent processes that simulate ``--hosts`` hypervisors between them, on the
local RabbitMQ and a new database of ``--database`` (SQLite, or the MariaDB
and PostgreSQL servers that ./run_tests.sh prepares).  Everything is
removed at the end.

``--concurrency`` client threads then ``POST /servers`` (``networks:
"none"``, one tiny flavor) ``--servers`` times, as fast as the API accepts
them, while one more thread polls ``GET /servers/detail?changes-since=…``
and notes when each server is first seen ACTIVE (or ERROR).

Reported: servers per second to ACTIVE (from the first create sent to the
last server ACTIVE), p50/p99 create-to-ACTIVE latency, the API's own
accept rate (the ratio of the two, measured in the same run, says whether
scheduling keeps up with the API), how servers spread over the hosts, and
a check of the claims: each host is sized to hold ``--headroom`` times its
fair share of servers, with allocation ratios of 1.0, so that racing
conductors would overfill hosts if claims were not atomic; afterwards no
host may use more than it has, and each host's used counters must equal
the sum of the flavors of the servers on it.

Target: at least 25 servers/s, no server in ERROR, no host oversubscribed,
counters equal to allocations.
"""
import argparse
import datetime
import math
import os
import shutil
import signal
import sys
import tempfile
import threading
import time

import requests

if __package__ in (None, ''):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks import harness  # noqa: E402
from tests import servers  # noqa: E402

NAME = 'scheduler_throughput'
TARGET_SERVERS_PER_S = 25.0
FLAVOR = {'ram': 64, 'vcpus': 1, 'disk': 1}
POLL_INTERVAL = 0.25
CHANGES_SINCE_MARGIN = 5  # seconds: clock granularity and commit delays
STALL_SECONDS = 3
# The test harness validates tokens every 2 s (its revocation tests need that);
# a deployment caches them for keystonemiddleware's default 300 s.
PRODUCTION_TOKEN_CACHE = '[keystone_authtoken]\ntoken_cache_time = 300\n'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    load = parser.add_argument_group('load')
    load.add_argument('--servers', type=int, default=1000,
                      help='Servers to create (default: %(default)s).')
    load.add_argument('--concurrency', type=int, default=8,
                      help='Client threads sending creates (default: %(default)s).')
    load.add_argument('--timeout', type=float, default=600,
                      help='Seconds to wait for every server to settle (default: %(default)s).')
    deployment = parser.add_argument_group('deployment')
    deployment.add_argument('--hosts', type=int, default=100,
                            help='Simulated hypervisors (default: %(default)s).')
    deployment.add_argument('--agents', type=int, default=1,
                            help='Agent processes sharing the hosts (default: %(default)s).')
    deployment.add_argument('--conductors', type=int, default=2,
                            help='Conductor processes (default: %(default)s).')
    deployment.add_argument('--api-workers', type=int, default=2,
                            help='Compute API worker processes (default: %(default)s).')
    deployment.add_argument('--database', choices=servers.BACKENDS, default='sqlite',
                            help='Database of every service (default: %(default)s).')
    deployment.add_argument('--headroom', type=float, default=1.25,
                            help='Host capacity as a multiple of the fair share of servers '
                                 '(default: %(default)s).')
    deployment.add_argument('--work-dir', help='Where the deployment lives while it runs '
                                               '(default: a new temporary directory).')
    parser.add_argument('--target', type=float, default=TARGET_SERVERS_PER_S,
                        help='Servers per second to reach (default: %(default)s).')
    parser.add_argument('--check', action='store_true',
                        help='Exit 1 when the target is not met.')
    args = parser.parse_args(argv)
    for name in ('servers', 'concurrency', 'hosts', 'agents', 'conductors', 'api_workers'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be at least 1')
    if args.hosts % args.agents:
        parser.error('--hosts must be a multiple of --agents (each agent simulates as many)')
    if args.headroom < 1:
        parser.error('--headroom must be at least 1 (hosts must hold every server)')
    return args


def slots_per_host(args):
    """Servers one host holds: its fair share times the headroom."""
    return math.ceil(args.servers / args.hosts * args.headroom)


def deployment_conf(args):
    """compute.conf additions: host sizes, allocation ratios of 1, no quota in the way."""
    slots = slots_per_host(args)
    return (f'[fake_driver]\nvcpus = {slots * FLAVOR["vcpus"]}\n'
            f'memory_mb = {slots * FLAVOR["ram"]}\nlocal_gb = {slots * FLAVOR["disk"]}\n'
            '[scheduler]\ncpu_allocation_ratio = 1.0\nram_allocation_ratio = 1.0\n'
            'disk_allocation_ratio = 1.0\n'
            '[quota]\ninstances = -1\ncores = -1\nram = -1\n' + PRODUCTION_TOKEN_CACHE)


class Deployment:
    """Identity, image and compute processes with their databases; ``close()`` removes all."""

    def __init__(self, args, directory):
        self.args = args
        self.directory = directory
        self._stack = []

    def _database(self, name):
        path = os.path.join(self.directory, name)
        os.makedirs(path)
        context = servers.database(self.args.database, path)
        url = context.__enter__()
        self._stack.append(lambda: context.__exit__(None, None, None))
        return path, url

    def _started(self, server):
        self._stack.append(server.stop)
        return server

    def open(self):
        path, url = self._database('identity')
        self.identity = self._started(servers.IdentityServer(path, url))
        self.identity.start()
        path, url = self._database('image')
        self.image = self._started(servers.ImageServer(path, url, self.identity,
                                                       register_in_catalog=True,
                                                       extra_conf=PRODUCTION_TOKEN_CACHE))
        self.image.start()
        path, url = self._database('compute')
        self.compute = self._started(servers.ComputeServer(
            path, url, self.identity, self.image, agents=self.args.agents,
            conductors=self.args.conductors, fake_hosts=self.args.hosts // self.args.agents,
            workers=self.args.api_workers, report_interval=5, service_down_time=60,
            extra_conf=deployment_conf(self.args)))
        self.compute.start(timeout=180)
        return self

    def close(self):
        while self._stack:
            try:
                self._stack.pop()()
            except Exception as exc:  # noqa: BLE001 - clean up the rest anyway
                harness.log('clean-up: %s', exc)


class ActiveWatcher(threading.Thread):
    """Polls the server list for changes; notes when each server is first ACTIVE or ERROR."""

    def __init__(self, client):
        super().__init__(daemon=True)
        self.client = client
        self.settled = {}  # id -> (status, monotonic time first seen settled)
        self.polls = 0
        self.error = None
        self._since = None
        self.found_by_get = 0
        self._halt = threading.Event()
        self._polled = threading.Condition()
        self._last_poll_began = float('-inf')  # monotonic start of the newest complete poll

    def run(self):
        try:
            while not self._halt.is_set():
                self._poll()
                self._halt.wait(POLL_INTERVAL)
            self._poll()
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            self.error = exc

    def _poll(self):
        """Every server changed since the previous poll began (less a margin), page by page.

        Starting from the previous poll's start, not from now, leaves no gap
        however long a poll takes on a loaded machine.
        """
        began = time.monotonic()
        started = datetime.datetime.now(datetime.timezone.utc)
        since = (self._since or started) - datetime.timedelta(seconds=CHANGES_SINCE_MARGIN)
        url, params = '/servers/detail', {'changes-since': since.strftime('%Y-%m-%dT%H:%M:%SZ'),
                                          'limit': 1000}
        while url:
            response = self.client.get(url, params=params)
            response.raise_for_status()
            seen = time.monotonic()
            body = response.json()
            for server in body['servers']:
                if server['status'] in ('ACTIVE', 'ERROR') and server['id'] not in self.settled:
                    self.settled[server['id']] = (server['status'], seen)
            url = next((link['href'] for link in body.get('servers_links', [])
                        if link.get('rel') == 'next'), None)
            if url:
                url, params = url[len(self.client.base_url):], None
        self._since = started
        self.polls += 1
        with self._polled:
            self._last_poll_began = began
            self._polled.notify_all()

    def wait_for_poll_begun_after(self, moment, timeout=30):
        """Until a poll that began after ``moment`` (monotonic) is complete."""
        with self._polled:
            return self._polled.wait_for(lambda: self._last_poll_began > moment or
                                         self.error is not None, timeout)

    def stop(self):
        self._halt.set()
        self.join()


def create_servers(args, client, image_id, flavor_id):
    """``run_load`` of the creates; its outputs are ``(server id, monotonic time sent)``."""
    def make_worker(index):
        worker = servers.ComputeClient(client.base_url, client.token)

        def op(n):
            sent = time.monotonic()
            response = worker.post('/servers', json={'server': {
                'name': f'bench-{n}', 'imageRef': image_id, 'flavorRef': flavor_id,
                'networks': 'none'}})
            if response.status_code != 202:
                raise RuntimeError(f'HTTP {response.status_code} {response.text[:300]}')
            return response.json()['server']['id'], sent
        return op
    return harness.run_load(make_worker, args.concurrency, requests=args.servers)


def wait_settled(watcher, client, ids, timeout):
    """Until every server of ``ids`` is settled; ``False`` after ``timeout`` seconds.

    When the list shows nothing new for ``STALL_SECONDS``, the servers still
    missing are read one by one (``GET /servers/{id}``).  One that is settled
    and that the next poll (begun after the read) still does not list is a
    change ``changes-since`` missed: it is counted in ``watcher.found_by_get``,
    so that the result says so.  A server that settled between the last poll
    and the read is not: the next poll lists it.
    """
    deadline = time.monotonic() + timeout
    last_progress, settled_count = time.monotonic(), 0
    while not ids <= watcher.settled.keys():
        if watcher.error is not None:
            raise RuntimeError(f'listing servers failed: {watcher.error}')
        now = time.monotonic()
        if now > deadline:
            harness.log('%d of %d servers still not ACTIVE or ERROR after %s s',
                        len(ids - watcher.settled.keys()), len(ids), timeout)
            return False
        if len(watcher.settled) != settled_count:
            last_progress, settled_count = now, len(watcher.settled)
        elif now - last_progress > STALL_SECONDS:
            read_at, settled_by_get = time.monotonic(), {}
            for server_id in list(ids - watcher.settled.keys()):
                status = client.get(f'/servers/{server_id}').json()['server']['status']
                if status in ('ACTIVE', 'ERROR'):
                    settled_by_get[server_id] = (status, time.monotonic())
            if settled_by_get and watcher.wait_for_poll_begun_after(read_at):
                for server_id, settled in settled_by_get.items():
                    if server_id not in watcher.settled:
                        watcher.settled[server_id] = settled
                        watcher.found_by_get += 1
            last_progress = time.monotonic()
        time.sleep(0.2)
    return True


def host_usage(client, before):
    """Per host: capacity, usage counters (minus ``before``) and the servers on it."""
    hypervisors = client.get('/os-hypervisors/detail').json()['hypervisors']
    hosts = {}
    for h in hypervisors:
        base = before.get(h['hypervisor_hostname'], {})
        hosts[h['hypervisor_hostname']] = {
            'capacity': {k: h[k] for k in ('memory_mb', 'vcpus', 'local_gb')},
            'used': {k: h[f'{k}_used'] - base.get(f'{k}_used', 0)
                     for k in ('memory_mb', 'vcpus', 'local_gb')},
            'allocated': {'memory_mb': 0, 'vcpus': 0, 'local_gb': 0}, 'servers': 0}
    return hosts


def counters(client):
    return {h['hypervisor_hostname']: h
            for h in client.get('/os-hypervisors/detail').json()['hypervisors']}


def check_claims(client, hosts, ids):
    """Fill ``allocated`` from the servers' hosts; the oversubscribed and mismatched hosts."""
    url, params = '/servers/detail', {'limit': 1000}
    while url:
        body = client.get(url, params=params).json()
        for server in body['servers']:
            host = server.get('OS-EXT-SRV-ATTR:hypervisor_hostname')
            if server['id'] in ids and server['status'] == 'ACTIVE' and host in hosts:
                allocated = hosts[host]['allocated']
                allocated['memory_mb'] += FLAVOR['ram']
                allocated['vcpus'] += FLAVOR['vcpus']
                allocated['local_gb'] += FLAVOR['disk']
                hosts[host]['servers'] += 1
        url = next((link['href'] for link in body.get('servers_links', [])
                    if link.get('rel') == 'next'), None)
        if url:
            url, params = url[len(client.base_url):], None
    oversubscribed = sorted(name for name, h in hosts.items()
                            if any(h['allocated'][k] > h['capacity'][k] or
                                   h['used'][k] > h['capacity'][k] for k in h['capacity']))
    mismatched = sorted(name for name, h in hosts.items() if h['used'] != h['allocated'])
    return oversubscribed, mismatched


def first_fault(client, statuses):
    for server_id, (status, _) in statuses.items():
        if status == 'ERROR':
            return (client.get(f'/servers/{server_id}').json()['server'].get('fault') or
                    {}).get('message')
    return None


def run(args, deployment):
    compute = deployment.compute
    client = compute.admin()
    token, _ = deployment.identity.issue_token('admin', servers.ADMIN_PASSWORD,
                                               project='admin')
    images = deployment.image.client(token)
    image = images.post('/v2/images', json={'name': 'bench', 'disk_format': 'raw',
                                            'container_format': 'bare'})
    image.raise_for_status()
    image_id = image.json()['id']
    images.put(f'/v2/images/{image_id}/file', data=b'\0' * 65536,
               headers={'Content-Type': 'application/octet-stream'}).raise_for_status()
    flavor = client.post('/flavors', json={'flavor': {'name': 'bench', 'id': None, **FLAVOR}})
    flavor.raise_for_status()
    before = counters(client)

    watcher = ActiveWatcher(servers.ComputeClient(client.base_url, client.token))
    watcher.start()
    harness.log('creating %d servers with %d threads ...', args.servers, args.concurrency)
    try:
        load = create_servers(args, client, image_id, flavor.json()['flavor']['id'])
        sent = dict(load.outputs)
        harness.log('the API accepted %d creates (%d refused) in %.1f s; waiting for ACTIVE',
                    len(sent), load.errors, load.elapsed)
        complete = wait_settled(watcher, client, set(sent), args.timeout)
    finally:
        watcher.stop()
    statuses = {i: watcher.settled[i] for i in sent if i in watcher.settled}
    active = {i: t for i, (status, t) in statuses.items() if status == 'ACTIVE'}
    latencies = [t - sent[i] for i, t in active.items()]
    start = min(sent.values()) if sent else None
    elapsed = (max(active.values()) - start) if active else None
    rate = round(len(active) / elapsed, 2) if elapsed else None
    hosts = host_usage(client, before)
    oversubscribed, mismatched = check_claims(client, hosts, set(active))
    placed = [h['servers'] for h in hosts.values()]
    errors = sum(1 for status, _ in statuses.values() if status == 'ERROR')
    target_met = bool(rate is not None and rate >= args.target and complete and errors == 0
                      and load.errors == 0 and not oversubscribed and not mismatched)
    create = load.summary()
    return {
        'servers_per_s': rate,
        'latency_p50_s': _round(harness.percentile(latencies, 0.50)),
        'latency_p99_s': _round(harness.percentile(latencies, 0.99)),
        'target': {'servers_per_s': args.target},
        'target_met': target_met,
        'servers': args.servers, 'active': len(active), 'error': errors,
        'not_settled': len(sent) - len(statuses), 'first_fault': first_fault(client, statuses),
        'elapsed_s': _round(elapsed),
        'api_create': create,
        'scheduling_to_api_ratio': harness.ratio(rate, create['rate_per_s']),
        'hosts': args.hosts,
        'per_host': {'capacity_servers': slots_per_host(args), 'min_servers': min(placed),
                     'max_servers': max(placed), 'hosts_used': sum(1 for n in placed if n)},
        'oversubscribed_hosts': oversubscribed,
        'usage_mismatch_hosts': mismatched,
        'polls': watcher.polls,
        'settled_not_listed': watcher.found_by_get,
    }


def _round(value, digits=3):
    return None if value is None else round(value, digits)


def _exit_on_sigterm(signum, frame):
    raise SystemExit(f'stopped by signal {signum}')


def main(argv=None):
    args = parse_args(argv)
    # A stopped benchmark still removes its deployment (the finally below).
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    started_at = harness.utc_timestamp()
    facts = harness.environment()
    directory = args.work_dir or tempfile.mkdtemp(prefix='stratus-scheduler-bench-')
    os.makedirs(directory, exist_ok=True)
    harness.log('deploying identity, image and compute (%d conductors, %d agents simulating '
                '%d hosts) on %s in %s ...', args.conductors, args.agents, args.hosts,
                args.database, directory)
    deployment = Deployment(args, directory)
    try:
        deployment.open()
        result = run(args, deployment)
    except (RuntimeError, OSError, requests.RequestException) as exc:
        raise SystemExit(f'the benchmark failed: {exc} (logs in {directory})') from None
    finally:
        deployment.close()
    if not args.work_dir:
        shutil.rmtree(directory, ignore_errors=True)
    harness.emit({
        'benchmark': NAME, 'timestamp': started_at, 'database': args.database,
        'conductors': args.conductors, 'agents': args.agents,
        'api_workers': args.api_workers, 'concurrency': args.concurrency,
        **result, 'environment': facts})
    if args.check and not result['target_met']:
        sys.exit(1)


if __name__ == '__main__':
    main()
