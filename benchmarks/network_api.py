#!/usr/bin/env python3
"""Network API: port create rate and port list latency with many ports, as one JSON line.

    python benchmarks/network_api.py                       # 5000 ports, SQLite
    python benchmarks/network_api.py --ports 1000 --database postgresql --concurrency 8

It deploys a throw-away network service of its own (the harness of the
functional tests, ``tests/servers/``): an identity API and the network
API on new databases of ``--database`` (SQLite, or the MariaDB and
PostgreSQL servers that ./run_tests.sh prepares), with no port quota.
Everything is removed at the end.

A member of a project makes one network with a /18 subnet, then:

* **port create**: ``--concurrency`` threads ``POST /v2.0/ports`` on that
  network ``--ports`` times (each gets an address from the IPAM and a MAC);
  baseline: ``GET /v2.0/networks/{id}`` by the same threads, the cheapest
  authenticated request of the same API (token check, policy, one row):
  ``create_to_show_ratio`` is what a create costs in units of the API's floor.
* **port list**: ``GET /v2.0/ports?network_id=…`` of every port, following
  ``ports_links`` as clients do, ``--list-repetitions`` times; baseline: the
  same ports and addresses read straight from the database in this process
  and encoded as JSON: ``list_to_db_ratio`` is the API's overhead on top of
  reading the rows.  The first page of 100 is timed too.

The result also checks the IPAM: every port created has an address no
other port has, and the list shows every port once.  No timing target is
set (the issue asks for the figures); ``--check`` exits 1 when a request
failed or a check did not hold.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time

import requests
import sqlalchemy as sa

if __package__ in (None, ''):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks import harness  # noqa: E402
from benchmarks.scheduler_throughput import PRODUCTION_TOKEN_CACHE  # noqa: E402
from network.db import models as m  # noqa: E402
from tests import servers  # noqa: E402

NAME = 'network_api'
CIDR = '10.64.0.0/18'  # 16381 addresses for ports: room for the default 5000 and more
FIRST_PAGE = 100
DEPLOYMENT_CONF = '[quotas]\nquota_port = -1\n' + PRODUCTION_TOKEN_CACHE


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    load = parser.add_argument_group('load')
    load.add_argument('--ports', type=int, default=5000,
                      help='Ports to create, then list (default: %(default)s; at most 16000).')
    load.add_argument('--concurrency', type=int, default=4,
                      help='Client threads creating ports (default: %(default)s).')
    load.add_argument('--baseline-requests', type=int, default=1000,
                      help='GET /v2.0/networks/{id} requests of the create baseline '
                           '(default: %(default)s).')
    load.add_argument('--list-repetitions', type=int, default=5,
                      help='Full lists (and database reads) to time (default: %(default)s).')
    deployment = parser.add_argument_group('deployment')
    deployment.add_argument('--api-workers', type=int, default=2,
                            help='Network API worker processes (default: %(default)s).')
    deployment.add_argument('--database', choices=servers.BACKENDS, default='sqlite',
                            help='Database of both services (default: %(default)s).')
    deployment.add_argument('--work-dir', help='Where the deployment lives while it runs, kept '
                                               'with its logs (default: a temporary directory '
                                               'that is removed).')
    parser.add_argument('--check', action='store_true',
                        help='Exit 1 when a request failed or an address was handed out twice.')
    args = parser.parse_args(argv)
    for name in ('ports', 'concurrency', 'baseline_requests', 'list_repetitions',
                 'api_workers'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be at least 1')
    if args.ports > 16000:
        parser.error(f'--ports must be at most 16000 (the subnet is a {CIDR})')
    return args


class Deployment:
    """Identity and network APIs with their databases; ``close()`` removes all."""

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

    def open(self):
        path, url = self._database('identity')
        self.identity = servers.IdentityServer(path, url)
        self._stack.append(self.identity.stop)
        self.identity.start()
        path, self.network_db_url = self._database('network')
        self.network = servers.NetworkServer(path, self.network_db_url, self.identity,
                                             workers=self.args.api_workers,
                                             extra_conf=DEPLOYMENT_CONF)
        self._stack.append(self.network.stop)
        self.network.start()
        return self

    def member_client(self):
        """An ``ApiClient`` on the network API of a member of project ``bench``."""
        password = servers.unique_name('pw')
        self.identity.manage('ensure-user', '--name', 'bench', '--password', password,
                             '--project', 'bench', '--role', 'member')
        token, _ = self.identity.issue_token('bench', password, project='bench')
        return self.network.client(token)

    def close(self):
        while self._stack:
            try:
                self._stack.pop()()
            except Exception as exc:  # noqa: BLE001 - clean up the rest anyway
                harness.log('clean-up: %s', exc)


def _created(response, what):
    if response.status_code not in (200, 201):
        raise RuntimeError(f'{what}: HTTP {response.status_code} {response.text[:300]}')
    return response.json()


def make_network(client):
    network = _created(client.post('/v2.0/networks', json={'network': {'name': 'bench'}}),
                       'network create')['network']
    _created(client.post('/v2.0/subnets', json={'subnet': {
        'network_id': network['id'], 'cidr': CIDR, 'ip_version': 4}}), 'subnet create')
    return network['id']


def _worker_client(client):
    """A client of its own per thread (its own connection pool), opened before the clock."""
    worker = servers.ApiClient(client.base_url, client.token)
    worker.get('/')
    return worker


def show_baseline(args, client, network_id):
    def make_worker(_index):
        worker = _worker_client(client)

        def show(_n):
            response = worker.get(f'/v2.0/networks/{network_id}')
            if response.status_code != 200:
                raise RuntimeError(f'HTTP {response.status_code} {response.text[:200]}')
        return show
    return harness.run_load(make_worker, args.concurrency, requests=args.baseline_requests)


def create_ports(args, client, network_id):
    def make_worker(_index):
        worker = _worker_client(client)

        def create(n):
            response = worker.post('/v2.0/ports', json={'port': {
                'network_id': network_id, 'name': f'port-{n:05d}'}})
            if response.status_code != 201:
                raise RuntimeError(f'HTTP {response.status_code} {response.text[:200]}')
            port = response.json()['port']
            return port['id'], port['fixed_ips'][0]['ip_address']
        return create
    return harness.run_load(make_worker, args.concurrency, requests=args.ports)


def list_all(client, network_id, page_size=None):
    """``(ports, pages)``: every port of the network, following ``ports_links``."""
    params = {'network_id': network_id}
    if page_size:
        params['limit'] = page_size
    response = client.get('/v2.0/ports', params=params)
    ports, pages = [], 0
    while True:
        body = _created(response, 'port list')
        pages += 1
        ports += body['ports']
        following = [link['href'] for link in body.get('ports_links') or ()
                     if link.get('rel') == 'next']
        if not body['ports'] or not following:
            return ports, pages
        # The link is absolute, with the query of the next page in it.
        response = client.http.get(following[0], headers={'X-Auth-Token': client.token},
                                   timeout=60)


def first_page(client, network_id):
    body = _created(client.get('/v2.0/ports', params={'network_id': network_id,
                                                      'limit': FIRST_PAGE}), 'first page')
    return len(body['ports'])


def read_from_database(engine, network_id):
    """The network's ports and their addresses straight from the tables, as JSON."""
    ports, allocations = m.Port.__table__, m.IPAllocation.__table__
    with engine.connect() as connection:
        rows = connection.execute(sa.select(ports).where(ports.c.network_id == network_id))
        by_id = {row.id: {**row._asdict(), 'fixed_ips': []} for row in rows}
        for row in connection.execute(sa.select(allocations).where(
                allocations.c.network_id == network_id)):
            by_id[row.port_id]['fixed_ips'].append({'subnet_id': row.subnet_id,
                                                   'ip_address': row.ip_address})
    return len(json.dumps({'ports': list(by_id.values())}, default=str))


def timed(fn, repetitions):
    """``(seconds of each run, result of the last)``."""
    runs, result = [], None
    for _ in range(repetitions):
        started = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - started)
    return runs, result


def _ms_summary(runs):
    return {'p50_ms': round(statistics.median(runs) * 1000, 2),
            'min_ms': round(min(runs) * 1000, 2), 'runs_ms': [round(r * 1000, 2) for r in runs]}


def run(args, deployment):
    client = deployment.member_client()
    network_id = make_network(client)
    harness.log('baseline: %d GET /v2.0/networks/{id} with %d threads ...',
                args.baseline_requests, args.concurrency)
    baseline = show_baseline(args, client, network_id).summary()
    harness.log('creating %d ports with %d threads ...', args.ports, args.concurrency)
    load = create_ports(args, client, network_id)
    create = load.summary()
    addresses = [address for _port_id, address in load.outputs]
    harness.log('created %d ports (%d refused) in %.1f s; listing them %d times ...',
                len(load.outputs), load.errors, load.elapsed, args.list_repetitions)

    list_client = _worker_client(client)
    list_runs, (listed, pages) = timed(lambda: list_all(list_client, network_id),
                                       args.list_repetitions)
    page_runs, page_count = timed(lambda: first_page(list_client, network_id),
                                  args.list_repetitions)
    engine = sa.create_engine(deployment.network_db_url)
    try:
        db_runs, _size = timed(lambda: read_from_database(engine, network_id),
                               args.list_repetitions)
    finally:
        engine.dispose()
    listed_ids = [p['id'] for p in listed]
    created_ids = {port_id for port_id, _address in load.outputs}
    checks = {
        'distinct_addresses': len(set(addresses)),
        'duplicate_addresses': len(addresses) - len(set(addresses)),
        'listed_ports': len(listed_ids),
        'listed_once_each': len(listed_ids) == len(set(listed_ids)) == len(created_ids)
                            and set(listed_ids) == created_ids,
    }
    correct = (create['errors'] == 0 and baseline['errors'] == 0
               and checks['duplicate_addresses'] == 0 and checks['listed_once_each'])
    list_summary = {**_ms_summary(list_runs), 'pages': pages}
    db_summary = _ms_summary(db_runs)
    return {
        'ports': args.ports,
        'port_create': create,
        'show_baseline': baseline,
        'create_to_show_ratio': harness.ratio(create['rate_per_s'], baseline['rate_per_s']),
        'port_list': list_summary,
        'database_read': db_summary,
        'list_to_db_ratio': harness.ratio(list_summary['p50_ms'], db_summary['p50_ms']),
        'first_page': {**_ms_summary(page_runs), 'limit': FIRST_PAGE, 'ports': page_count},
        'checks': checks,
        'correct': correct,
    }


def _exit_on_sigterm(signum, frame):
    raise SystemExit(f'stopped by signal {signum}')


def main(argv=None):
    args = parse_args(argv)
    # A stopped benchmark still removes its deployment (the finally below).
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    started_at = harness.utc_timestamp()
    facts = harness.environment()
    directory = args.work_dir or tempfile.mkdtemp(prefix='stratus-network-bench-')
    os.makedirs(directory, exist_ok=True)
    harness.log('deploying identity and network on %s in %s ...', args.database, directory)
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
    harness.emit({'benchmark': NAME, 'timestamp': started_at, 'database': args.database,
                  'api_workers': args.api_workers, 'concurrency': args.concurrency,
                  **result, 'environment': facts})
    if args.check and not result['correct']:
        sys.exit(1)


if __name__ == '__main__':
    main()
