#!/usr/bin/env python3
"""Image upload and download throughput against a plain copy of the same file, as one JSON line.

    python benchmarks/image_throughput.py                      # the all-in-one (stratus-admin)
    python benchmarks/image_throughput.py --size-mib 256 --repetitions 5
    python benchmarks/image_throughput.py --auth-url http://h:5000/v3 --username admin \\
        --password secret --project admin --image-url http://h:9292 --store-path /srv/store

Upload is ``PUT /v2/images/{id}/file`` of a file of random bytes with a
Content-Length (what ``openstack image create --file`` does), until the
204: the server hashes every byte (md5 and sha512), inspects the data and
fsyncs it before answering.  Download is ``GET /v2/images/{id}/file`` to
the last byte.  Both run through one keep-alive connection with 1 MiB
blocks on the client side.

Each is compared with a plain copy of the same file on the same disk,
measured in the same run right next to it:

* upload vs a *durable copy*: read the file in 1 MiB blocks, write it to a
  new file on the store's filesystem, fsync, rename, fsync the directory —
  what the file store does, minus the HTTP, hashing and inspection;
* download vs *reading that copy to /dev/null* in 1 MiB blocks, from the
  disk: when the store is on this machine, the stored image and the copy
  are dropped from the page cache (``posix_fadvise(DONTNEED)``) before each
  read.  ``download_cached`` repeats both with the files in the cache.

Target: upload and download ratios at least 0.7.  The image is deleted at
the end (also on failure).  See benchmarks/README.md for how to read the
result.
"""
import argparse
import hashlib
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

import requests

if __package__ in (None, ''):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks import harness  # noqa: E402

NAME = 'image_throughput'
MIN_RATIO = 0.7
MiB = 1024 * 1024
DEFAULT_IMAGE_CONF = '/etc/stratus/image.conf'
TIMEOUT = 600
BASELINES = {
    'upload': 'durable copy of the same file: read it in blocks, write a new file on the '
              "store's filesystem, fsync it, rename it, fsync the directory",
    'download': 'read that copy in blocks and write them to /dev/null',
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    target = harness.add_target_arguments(parser, scope_help='Project to scope the token to.')
    target.add_argument('--image-url',
                        help='Image API root (default: the public image endpoint of the '
                             'catalog).')
    load = parser.add_argument_group('load')
    load.add_argument('--size-mib', type=int, default=1024,
                      help='Size of the image in MiB (default: %(default)s).')
    load.add_argument('--repetitions', type=int, default=3,
                      help='Upload/download pairs, each next to its baselines '
                           '(default: %(default)s).')
    load.add_argument('--block-kib', type=int, default=1024,
                      help='Client block size in KiB, for the API and the baselines '
                           '(default: %(default)s).')
    where = parser.add_argument_group(
        'where', 'The baselines must write to the filesystem the store writes to.')
    where.add_argument('--image-conf',
                       help=f'image.conf of the target (default: {DEFAULT_IMAGE_CONF} when '
                            'its [api] bind_port is the target\'s port); gives the store path '
                            'and the API workers.')
    where.add_argument('--store-path',
                       help='The store directory of the target, if it is on this machine.')
    where.add_argument('--work-dir',
                       help='Where the source file and the baseline copy go (default: next '
                            'to the store when it is known, else the system temp directory).')
    parser.add_argument('--check', action='store_true',
                        help=f'Exit 1 when the target (both ratios >= {MIN_RATIO}) is not met.')
    args = parser.parse_args(argv)
    for name in ('size_mib', 'repetitions', 'block_kib'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be at least 1')
    return args


# --- target ---------------------------------------------------------------------

def authenticate(creds):
    """``(token, catalog)`` of a project-scoped password token."""
    root = harness.service_root(creds['auth_url'])
    body = {'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'name': creds['username'], 'domain': {'name': creds['user_domain']},
            'password': creds['password']}}},
        'scope': {'project': {'name': creds['project'],
                              'domain': {'name': creds['project_domain']}}}}}
    try:
        response = requests.post(root + '/v3/auth/tokens', json=body, timeout=60)
    except requests.RequestException as exc:
        raise SystemExit(f'cannot authenticate to {root} (is it up?): {exc}') from None
    if response.status_code != 201:
        raise SystemExit(f'cannot authenticate to {root} (are the credentials right?): '
                         f'HTTP {response.status_code} {response.text[:200]}')
    return response.headers['X-Subject-Token'], response.json()['token'].get('catalog') or []


def image_endpoint(catalog):
    for service in catalog:
        if service.get('type') == 'image':
            for endpoint in service.get('endpoints', []):
                if endpoint.get('interface') == 'public':
                    return endpoint['url'].rstrip('/')
    raise SystemExit('the catalog has no public image endpoint (give --image-url)')


def target_conf(args, image_url):
    """The image.conf of the target (a ConfigParser and its path), or (None, None)."""
    path = args.image_conf or DEFAULT_IMAGE_CONF
    conf = harness.read_service_conf(path)
    if conf is None:
        return None, None
    if not args.image_conf:
        # The default file only describes the target if it is the same server.
        target = urllib.parse.urlsplit(image_url)
        port = conf.get('api', 'bind_port', fallback=None)
        local = target.hostname in ('127.0.0.1', 'localhost', '::1', os.uname().nodename)
        if not (local and port and int(port) == (target.port or 80)):
            return None, None
    return conf, path


def store_path_of(conf):
    path = conf.get('image', 'store_path', fallback=None)
    if path:
        return path
    state = conf.get('DEFAULT', 'state_path', fallback=None)
    return os.path.join(state, 'image', 'store') if state else None


class ImageApi:
    """The image API over one keep-alive ``http.client`` connection (cheap client side)."""

    def __init__(self, url, token, block):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != 'http':
            raise SystemExit(f'only http:// image endpoints are supported, not {url}')
        self.prefix = parts.path.rstrip('/')
        self.token = token
        self.block = block
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port or 80,
                                                     timeout=TIMEOUT, blocksize=block)

    def call(self, method, path, body=None, headers=None, expect=(200,)):
        all_headers = {'X-Auth-Token': self.token, **(headers or {})}
        self.connection.request(method, self.prefix + path, body=body, headers=all_headers)
        response = self.connection.getresponse()
        data = response.read()
        if response.status not in expect:
            raise RuntimeError(f'{method} {path}: HTTP {response.status} {data[:300]!r}')
        return response, data

    def create(self, name):
        _, data = self.call('POST', '/v2/images', body=json.dumps({
            'name': name, 'disk_format': 'raw', 'container_format': 'bare'}),
            headers={'Content-Type': 'application/json'}, expect=(201,))
        return json.loads(data)['id']

    def show(self, image_id):
        return json.loads(self.call('GET', f'/v2/images/{image_id}')[1])

    def upload(self, image_id, path):
        """Seconds from the request to the 204."""
        size = os.path.getsize(path)
        with open(path, 'rb') as source:
            started = time.perf_counter()
            self.call('PUT', f'/v2/images/{image_id}/file', body=source, expect=(204,),
                      headers={'Content-Type': 'application/octet-stream',
                               'Content-Length': str(size)})
            return time.perf_counter() - started

    def download(self, image_id):
        """(seconds from the request to the last byte, bytes received)."""
        buffer = bytearray(self.block)
        started = time.perf_counter()
        self.connection.request('GET', f'{self.prefix}/v2/images/{image_id}/file',
                                headers={'X-Auth-Token': self.token})
        response = self.connection.getresponse()
        if response.status != 200:
            raise RuntimeError(f'download: HTTP {response.status} {response.read()[:300]!r}')
        received = 0
        while True:
            count = response.readinto(buffer)
            if not count:
                break
            received += count
        return time.perf_counter() - started, received

    def delete(self, image_id):
        self.call('DELETE', f'/v2/images/{image_id}', expect=(204, 404))

    def close(self):
        self.connection.close()


# --- the plain copies --------------------------------------------------------------

def make_source(path, size, block):
    """``size`` random bytes at ``path``; returns their sha512 (made while writing)."""
    digest = hashlib.sha512()
    with open(path, 'wb') as target:
        remaining = size
        while remaining:
            data = os.urandom(min(block, remaining))
            digest.update(data)
            target.write(data)
            remaining -= len(data)
    return digest.hexdigest()


def durable_copy(source, directory, block):
    """Copy as the file store writes: temp file, fsync, rename, fsync the directory."""
    partial = os.path.join(directory, f'.copy-{uuid.uuid4().hex}')
    final = os.path.join(directory, f'copy-{uuid.uuid4().hex}')
    buffer = bytearray(block)
    view = memoryview(buffer)
    started = time.perf_counter()
    with open(source, 'rb', buffering=0) as reader, open(partial, 'wb', buffering=0) as writer:
        while True:
            count = reader.readinto(buffer)
            if not count:
                break
            writer.write(view[:count])
        os.fsync(writer.fileno())
    os.replace(partial, final)
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return time.perf_counter() - started, final


def read_to_dev_null(path, block):
    buffer = bytearray(block)
    view = memoryview(buffer)
    started = time.perf_counter()
    with open(path, 'rb', buffering=0) as reader, open(os.devnull, 'wb', buffering=0) as sink:
        while True:
            count = reader.readinto(buffer)
            if not count:
                break
            sink.write(view[:count])
    return time.perf_counter() - started


def hash_like_the_store(path, block):
    """Seconds to md5 and sha512 the file on two threads at once, as the store's pipeline does.

    Not a baseline: the floor of any upload that hashes every byte with both
    on this machine right now (hashlib releases the GIL on large blocks).
    """
    hashes = [hashlib.md5(), hashlib.sha512()]

    def run(digest):
        with open(path, 'rb') as reader:
            while data := reader.read(block):
                digest.update(data)

    threads = [threading.Thread(target=run, args=(h,)) for h in hashes]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


# --- the run -----------------------------------------------------------------------

def mib_s(size, seconds):
    return round(size / MiB / seconds, 1) if seconds else None


def summarize(runs, size):
    api = [r['api_s'] for r in runs]
    baseline = [r['baseline_s'] for r in runs]
    ratios = [r['ratio'] for r in runs]
    return {
        'api_mib_s': mib_s(size, statistics.median(api)),
        'baseline_mib_s': mib_s(size, statistics.median(baseline)),
        'ratio': round(statistics.median(ratios), 3),
        'runs': runs,
    }


def evict(path):
    """Drop ``path`` from the page cache, so that the next read comes from the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fdatasync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def _pair(size, api_s, baseline_s):
    return {'api_s': round(api_s, 4), 'api_mib_s': mib_s(size, api_s),
            'baseline_s': round(baseline_s, 4), 'baseline_mib_s': mib_s(size, baseline_s),
            'ratio': round(baseline_s / api_s, 3)}


def _download_pair(api, image_id, copy, stored, size, block, first_api, cold):
    """(API seconds, baseline seconds); ``cold``: both files evicted from the cache first."""
    def through_api():
        if cold:
            evict(stored)
        seconds, received = api.download(image_id)
        if received != size:
            raise RuntimeError(f'downloaded {received} bytes of {size}')
        return seconds

    def from_disk():
        if cold:
            evict(copy)
        return read_to_dev_null(copy, block)

    if first_api:
        api_s = through_api()
        return api_s, from_disk()
    baseline_s = from_disk()
    return through_api(), baseline_s


def one_run(api, source, size, expected_sha512, work_dir, store_path, block, index):
    """One upload and download with their baselines right next to them.

    :returns: ``{'upload': pair, 'download': pair, 'download_cached': pair}``
        (``download`` is from the disk when the store is local, else cached),
        and the seconds md5 + sha512 took.
    """
    image_id = api.create(f'bench-image-throughput-{uuid.uuid4().hex[:8]}')
    copy = None
    # Alternate which goes first, so that neither always meets a warmer machine.
    api_first = index % 2 == 1
    try:
        # Each write starts with nothing dirty in the page cache, so that
        # neither pays for the writeback of what ran before it.
        if api_first:
            os.sync()
            upload_s = api.upload(image_id, source)
            os.sync()
            copy_s, copy = durable_copy(source, work_dir, block)
        else:
            os.sync()
            copy_s, copy = durable_copy(source, work_dir, block)
            os.sync()
            upload_s = api.upload(image_id, source)
        shown = api.show(image_id)
        if (shown['status'], shown['size'], shown['os_hash_value']) != \
                ('active', size, expected_sha512):
            raise RuntimeError(f'the uploaded image is {shown["status"]}, {shown["size"]} '
                               f'bytes, sha512 {shown["os_hash_value"]}: not the file sent')
        stored = os.path.join(store_path, image_id) if store_path else None
        cold = stored is not None and os.path.isfile(stored)
        results = {'upload': _pair(size, upload_s, copy_s)}
        if cold:
            results['download'] = _pair(size, *_download_pair(
                api, image_id, copy, stored, size, block, api_first, cold=True))
        results['download_cached'] = _pair(size, *_download_pair(
            api, image_id, copy, stored, size, block, api_first, cold=False))
        if not cold:
            results['download'] = results['download_cached']
        hash_s = hash_like_the_store(source, block)
    finally:
        api.delete(image_id)
        if copy is not None:
            os.unlink(copy)
    harness.log('  run %d: upload %s MiB/s (durable copy %s), download %s MiB/s (read %s), '
                'cached download %s MiB/s (read %s), md5+sha512 %s MiB/s', index + 1,
                results['upload']['api_mib_s'], results['upload']['baseline_mib_s'],
                results['download']['api_mib_s'], results['download']['baseline_mib_s'],
                results['download_cached']['api_mib_s'],
                results['download_cached']['baseline_mib_s'], mib_s(size, hash_s))
    return results, hash_s, cold


def main(argv=None):
    args = parse_args(argv)
    creds = harness.credentials(args)
    started_at = harness.utc_timestamp()
    token, catalog = authenticate(creds)
    image_url = (args.image_url or image_endpoint(catalog)).rstrip('/')
    conf, conf_path = target_conf(args, image_url)
    store_path = args.store_path or (store_path_of(conf) if conf is not None else None)
    if store_path and not os.path.isdir(store_path):
        raise SystemExit(f'the store path {store_path} is not a directory here')
    base = args.work_dir or (os.path.dirname(os.path.abspath(store_path)) if store_path
                             else tempfile.gettempdir())
    size = args.size_mib * MiB
    block = args.block_kib * 1024
    facts = harness.environment()
    facts.update({'image_conf': conf_path,
                  'api_workers': conf.getint('api', 'workers', fallback=2) if conf else None,
                  'api_threads_per_worker': conf.getint('api', 'threads', fallback=4)
                  if conf else None})

    work_dir = tempfile.mkdtemp(prefix='.stratus-image-bench-', dir=base)
    same_fs = (os.stat(work_dir).st_dev == os.stat(store_path).st_dev) if store_path else None
    harness.log('image throughput against %s: %d MiB x %d, baselines in %s%s', image_url,
                args.size_mib, args.repetitions, work_dir,
                '' if same_fs else ' (NOT known to be the store\'s filesystem)')
    api = ImageApi(image_url, token, block)
    source = os.path.join(work_dir, 'source')
    runs, hashing, cold = [], [], True
    try:
        harness.log('writing %d MiB of random data to %s ...', args.size_mib, source)
        expected = make_source(source, size, block)
        for index in range(args.repetitions):
            results, hash_s, run_cold = one_run(api, source, size, expected, work_dir,
                                                store_path, block, index)
            runs.append(results)
            hashing.append(hash_s)
            cold = cold and run_cold
    except (RuntimeError, OSError, http.client.HTTPException) as exc:
        raise SystemExit(f'the benchmark failed: {exc}') from None
    finally:
        api.close()
        for name in os.listdir(work_dir):
            os.unlink(os.path.join(work_dir, name))
        os.rmdir(work_dir)

    summaries = {kind: summarize([r[kind] for r in runs], size)
                 for kind in ('upload', 'download', 'download_cached')}
    upload, download = summaries['upload'], summaries['download']
    upload['baseline'] = BASELINES['upload']
    download['baseline'] = BASELINES['download']
    download['page_cache'] = 'evicted before each read' if cold else 'warm'
    summaries['download_cached']['baseline'] = BASELINES['download']
    summaries['download_cached']['page_cache'] = 'warm (both files just read)'
    hash_mib_s = mib_s(size, statistics.median(hashing))
    target_met = upload['ratio'] >= MIN_RATIO and download['ratio'] >= MIN_RATIO
    harness.emit({
        'benchmark': NAME,
        'timestamp': started_at,
        'target_url': image_url,
        'user': creds['username'],
        'project': creds['project'],
        'size_bytes': size,
        'repetitions': args.repetitions,
        'block_bytes': block,
        'upload_ratio': upload['ratio'],
        'download_ratio': download['ratio'],
        'target_met': target_met,
        'criteria': {'min_ratio': MIN_RATIO, 'ratio': 'median over the repetitions of '
                     'baseline seconds / API seconds, each pair measured back to back',
                     'download': 'from the disk (page cache of the stored image and of the '
                                 'baseline file evicted first) when the store is local'},
        'upload': upload,
        'download': download,
        'download_cached': summaries['download_cached'],
        'hashing': {
            'what': 'md5 and sha512 of the source on two threads at once, in this process: '
                    'the floor of any upload that hashes every byte with both',
            'mib_s': hash_mib_s,
            'ratio_to_baseline_copy': round(hash_mib_s / upload['baseline_mib_s'], 3)
            if hash_mib_s and upload['baseline_mib_s'] else None,
        },
        'baseline_dir': base,
        'store_path': store_path,
        'same_filesystem_as_store': same_fs,
        'verified': {'upload_sha512': True, 'download_bytes': True},
        'environment': facts,
    })
    harness.log('upload %.3f and download %.3f of the plain copy; target %s', upload['ratio'],
                download['ratio'], 'met' if target_met else 'NOT met')
    return 1 if args.check and not target_met else 0


if __name__ == '__main__':
    sys.exit(main())
