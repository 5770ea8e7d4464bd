#!/usr/bin/env python3
"""Identity token issue and validate rates, printed as one JSON line.

    python benchmarks/identity_tokens.py                       # the all-in-one (stratus-admin)
    python benchmarks/identity_tokens.py --duration 5
    python benchmarks/identity_tokens.py --auth-url http://h:5000/v3 \\
        --username admin --password secret --project admin --requests 50

Issue is ``POST /v3/auth/tokens`` with a password (what every CLI call and
every service start does); validate is ``GET /v3/auth/tokens`` with the
issued tokens in ``X-Subject-Token`` (what keystonemiddleware does for every
API request it has not cached).  Each phase runs with 1 and then 8 client
threads, one ``requests.Session`` per thread.  Issuing checks a bcrypt hash,
validating must not, so validation should be at least 3x faster than issue
in the same run (``validate_to_issue_ratio``), with no errors.

See benchmarks/README.md for how to read the result.
"""
import argparse
import os
import sys
import time
import urllib.parse

import requests

if __package__ in (None, ''):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks import harness  # noqa: E402

NAME = 'identity_tokens'
MIN_RATIO = 3.0
DEFAULT_IDENTITY_CONF = '/etc/stratus/identity.conf'
TIMEOUT = 60


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    harness.add_target_arguments(parser, scope_help='Project to scope the tokens to.')
    load = parser.add_argument_group('load')
    load.add_argument('--concurrency', default='1,8',
                      help='Comma-separated client thread counts (default: %(default)s).')
    load.add_argument('--duration', type=float, default=10.0,
                      help='Seconds per phase (default: %(default)s), unless request '
                           'counts are given.')
    load.add_argument('--requests', type=int,
                      help='Requests per phase instead of a duration (issue and validate).')
    load.add_argument('--issue-requests', type=int, help='Requests per issue phase.')
    load.add_argument('--validate-requests', type=int, help='Requests per validate phase.')
    facts = parser.add_argument_group(
        'environment facts', 'Reported next to the figures; read from the identity '
                             'configuration file when it belongs to the target.')
    facts.add_argument('--identity-conf',
                       help=f'identity.conf of the target (default: {DEFAULT_IDENTITY_CONF} '
                            'when its [api] bind_port is the target\'s port).')
    facts.add_argument('--bcrypt-cost', type=int, help='bcrypt cost of the target, if known.')
    facts.add_argument('--workers', type=int, help='API worker processes of the target.')
    parser.add_argument('--check', action='store_true',
                        help='Exit 1 when the target (ratio >= 3, no errors) is not met.')
    args = parser.parse_args(argv)
    try:
        args.concurrency = [int(c) for c in args.concurrency.split(',') if c.strip()]
    except ValueError:
        parser.error('--concurrency takes integers, e.g. 1,8')
    if not args.concurrency or min(args.concurrency) < 1:
        parser.error('--concurrency takes positive integers, e.g. 1,8')
    for name in ('requests', 'issue_requests', 'validate_requests'):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be at least 1')
    if args.duration <= 0:
        parser.error('--duration must be positive')
    return args


def password_body(creds):
    return {'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'name': creds['username'], 'domain': {'name': creds['user_domain']},
            'password': creds['password']}}},
        'scope': {'project': {'name': creds['project'],
                              'domain': {'name': creds['project_domain']}}}}}


def environment_facts(args, root):
    """bcrypt cost and API workers from the target's configuration, when we have it."""
    facts = harness.environment()
    facts.update({'bcrypt_cost': args.bcrypt_cost, 'api_workers': args.workers,
                  'api_threads_per_worker': None, 'identity_conf': None,
                  'bcrypt_checkpw_ms_here': None})
    path = args.identity_conf
    conf = harness.read_service_conf(path or DEFAULT_IDENTITY_CONF)
    if conf is not None and not path:
        # The default file only describes the target if it is the same server.
        target = urllib.parse.urlsplit(root)
        port = conf.get('api', 'bind_port', fallback=None)
        local = target.hostname in ('127.0.0.1', 'localhost', '::1', os.uname().nodename)
        if not (local and port and int(port) == (target.port or 80)):
            conf = None
    if conf is not None:
        facts['identity_conf'] = path or DEFAULT_IDENTITY_CONF
        if facts['bcrypt_cost'] is None:
            facts['bcrypt_cost'] = conf.getint('identity', 'password_hash_rounds', fallback=12)
        if facts['api_workers'] is None:
            facts['api_workers'] = conf.getint('api', 'workers', fallback=2)
        facts['api_threads_per_worker'] = conf.getint('api', 'threads', fallback=4)
    if facts['bcrypt_cost'] is not None:
        facts['bcrypt_checkpw_ms_here'] = _bcrypt_check_ms(facts['bcrypt_cost'])
    return facts


def _bcrypt_check_ms(cost):
    """One bcrypt check at ``cost`` on this machine: the floor of a password issue."""
    try:
        import bcrypt
    except ImportError:
        return None
    hashed = bcrypt.hashpw(b'benchmark', bcrypt.gensalt(cost))
    best = None
    for _ in range(3):
        started = time.perf_counter()
        bcrypt.checkpw(b'benchmark', hashed)
        took = time.perf_counter() - started
        best = took if best is None else min(best, took)
    return round(best * 1000, 2)


class Target:
    """The identity API under test."""

    def __init__(self, creds):
        self.creds = creds
        self.root = harness.service_root(creds['auth_url'])
        self.tokens_url = self.root + '/v3/auth/tokens'
        self.body = password_body(creds)

    def session(self):
        session = requests.Session()
        # Open the keep-alive connection outside the measured time.
        session.get(self.root + '/v3', timeout=TIMEOUT).raise_for_status()
        return session

    def issue(self, session):
        response = session.post(self.tokens_url, json=self.body, timeout=TIMEOUT)
        if response.status_code != 201:
            raise RuntimeError(f'issue: HTTP {response.status_code}: {response.text[:200]}')
        token = response.headers.get('X-Subject-Token')
        if not token:
            raise RuntimeError('issue: no X-Subject-Token header')
        return token

    def validate(self, session, auth_token, subject_token):
        response = session.get(self.tokens_url, timeout=TIMEOUT, headers={
            'X-Auth-Token': auth_token, 'X-Subject-Token': subject_token})
        if response.status_code != 200:
            raise RuntimeError(f'validate: HTTP {response.status_code}: {response.text[:200]}')
        if 'token' not in response.json():
            raise RuntimeError('validate: no "token" in the response body')


def phase(name, make_worker, concurrency, count, duration):
    harness.log('%s at concurrency %d (%s)...', name, concurrency,
                f'{count} requests' if count else f'{duration:g} s')
    result = harness.run_load(make_worker, concurrency, requests=count,
                              duration=None if count else duration)
    summary = result.summary()
    harness.log('  %s requests, %s errors, %s/s, p50 %s ms, p99 %s ms', summary['requests'],
                summary['errors'], summary['rate_per_s'], summary['p50_ms'], summary['p99_ms'])
    return result, summary


def run_phases(args, target, auth_token):
    """Issue then validate at each concurrency; ``(results, ratios)``."""
    issue_count = args.issue_requests or args.requests
    validate_count = args.validate_requests or args.requests
    issued = [auth_token]
    results = {'issue': {}, 'validate': {}}
    ratios = {}
    for concurrency in args.concurrency:
        key = f'c{concurrency}'

        def issue_worker(_index):
            session = target.session()
            return lambda _n: target.issue(session)

        result, results['issue'][key] = phase('issue', issue_worker, concurrency, issue_count,
                                              args.duration)
        issued.extend(result.outputs)
        pool = list(issued)

        def validate_worker(index, pool=pool):
            session = target.session()
            offset = index * 7919  # threads walk the pool from different places
            return lambda n: target.validate(session, auth_token,
                                             pool[(offset + n) % len(pool)])

        _, results['validate'][key] = phase('validate', validate_worker, concurrency,
                                            validate_count, args.duration)
        ratios[key] = harness.ratio(results['validate'][key]['rate_per_s'],
                                    results['issue'][key]['rate_per_s'])
    return results, ratios


def main(argv=None):
    args = parse_args(argv)
    creds = harness.credentials(args)
    target = Target(creds)
    started = harness.utc_timestamp()
    harness.log('identity token benchmark against %s as %s (project %s)', target.root,
                creds['username'], creds['project'])
    try:
        probe = target.session()
        version = probe.get(target.root + '/v3', timeout=TIMEOUT).json()['version']['id']
        auth_token = target.issue(probe)
    except (RuntimeError, ValueError, KeyError, requests.RequestException) as exc:
        raise SystemExit(f'cannot authenticate to {target.root} (is it up? are the '
                         f'credentials right?): {exc}') from None
    facts = environment_facts(args, target.root)

    results, ratios = run_phases(args, target, auth_token)

    summaries = [s for per_op in results.values() for s in per_op.values()]
    errors = sum(s['errors'] for s in summaries)
    target_met = (errors == 0 and all(s['rate_per_s'] for s in summaries)
                  and all(r is not None and r >= MIN_RATIO for r in ratios.values()))
    issue_count = args.issue_requests or args.requests
    validate_count = args.validate_requests or args.requests
    harness.emit({
        'benchmark': NAME,
        'timestamp': started,
        'target_url': target.root,
        'identity_version': version,
        'user': creds['username'],
        'project': creds['project'],
        'mode': {'issue_requests': issue_count, 'validate_requests': validate_count,
                 'duration_s': None if issue_count and validate_count else args.duration},
        'issue': results['issue'],
        'validate': results['validate'],
        'validate_to_issue_ratio': ratios,
        'criteria': {'min_validate_to_issue_ratio': MIN_RATIO, 'max_errors': 0},
        'errors': errors,
        'target_met': target_met,
        'environment': facts,
    })
    harness.log('validate/issue ratio %s; target %s', ratios, 'met' if target_met else 'NOT met')
    return 1 if args.check and not target_met else 0


if __name__ == '__main__':
    sys.exit(main())
