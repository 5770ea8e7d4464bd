"""What the image functional tests share: images over HTTP, raw sockets, the store, /proc.

The image API under test is a real gunicorn process; these helpers talk to
it the way clients do (``requests``, or a raw socket where a test needs to
misbehave like a real client can) and look at what it leaves on disk.
"""
import hashlib
import os
import signal
import socket
import time
import urllib.parse

MiB = 1024 * 1024
OCTET_STREAM = {'Content-Type': 'application/octet-stream'}


def create(client, expect=201, **attrs):
    """``POST /v2/images`` (raw/bare unless given); the image JSON."""
    body = {'name': 'functional', 'disk_format': 'raw', 'container_format': 'bare', **attrs}
    response = client.post('/v2/images', json=body)
    assert response.status_code == expect, response.text
    return response.json()


def upload(client, image_id, body, path='file'):
    """``PUT /v2/images/{id}/file`` (or ``/stage``): bytes with a Content-Length, a
    generator chunked."""
    return client.put(f'/v2/images/{image_id}/{path}', data=body, headers=OCTET_STREAM)


def show(client, image_id):
    response = client.get(f'/v2/images/{image_id}')
    assert response.status_code == 200, response.text
    return response.json()


def wait_for_status(client, image_id, wanted, timeout=60, leaving=None):
    """Poll until the image's status is in ``wanted`` (or, with ``leaving``, is not it)."""
    deadline = time.monotonic() + timeout
    while True:
        image = show(client, image_id)
        done = image['status'] != leaving if leaving else image['status'] in wanted
        if done or time.monotonic() > deadline:
            return image
        time.sleep(0.1)


def chunks(data, size=64 * 1024):
    """``data`` as a generator of ``size`` pieces: requests sends it chunked."""
    for offset in range(0, len(data), size):
        yield data[offset:offset + size]


def digests(data):
    return hashlib.md5(data).hexdigest(), hashlib.sha512(data).hexdigest()


def pattern(size, seed=0):
    """``size`` deterministic bytes that differ between seeds and offsets."""
    block = hashlib.sha512(f'stratus-{seed}'.encode()).digest() * 16  # 1 KiB
    whole, rest = divmod(size, len(block))
    return block * whole + block[:rest]


class GeneratedStream:
    """A large body made on the fly (never held in memory), hashed as it is sent."""

    def __init__(self, size, chunk_size=MiB, seed=0):
        self.size = size
        self.chunk_size = chunk_size
        self.base = bytearray(hashlib.sha512(f'big-{seed}'.encode()).digest()
                              * (chunk_size // 64 + 1))[:chunk_size]
        self.sha512 = hashlib.sha512()
        self.sent = 0

    def __iter__(self):
        index = 0
        while self.sent < self.size:
            count = min(self.chunk_size, self.size - self.sent)
            self.base[:8] = index.to_bytes(8, 'big')  # every chunk differs
            chunk = bytes(self.base[:count])
            self.sha512.update(chunk)
            self.sent += count
            index += 1
            yield chunk


# --- the store on disk -------------------------------------------------------

def partial_files(directory):
    """Temporary files of unfinished writes (``.partial-*``) in a store directory."""
    return sorted(n for n in _listdir(directory) if n.startswith('.partial-'))


def data_files(directory):
    """Committed data files (one per image id) in a store directory."""
    return sorted(n for n in _listdir(directory) if not n.startswith('.'))


def _listdir(directory):
    try:
        return os.listdir(directory)
    except FileNotFoundError:
        return []


# --- raw HTTP, for clients that go away ---------------------------------------

def raw_connection(url):
    parts = urllib.parse.urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=30)


def request_head(method, path, token, headers):
    lines = [f'{method} {path} HTTP/1.1', 'Host: 127.0.0.1', f'X-Auth-Token: {token}',
             'Content-Type: application/octet-stream']
    lines += [f'{name}: {value}' for name, value in headers.items()]
    return ('\r\n'.join(lines) + '\r\n\r\n').encode()


def chunk_frame(data):
    """One HTTP/1.1 chunk."""
    return f'{len(data):x}\r\n'.encode() + data + b'\r\n'


def read_status(sock, timeout):
    """The status code of the response on ``sock`` (``None`` if none came in time)."""
    sock.settimeout(timeout)
    received = b''
    try:
        while b'\r\n' not in received:
            data = sock.recv(4096)
            if not data:
                break
            received += data
    except (socket.timeout, ConnectionError):
        pass
    if not received.startswith(b'HTTP/1.'):
        return None, received
    return int(received.split(b' ', 2)[1]), received


# --- processes -----------------------------------------------------------------

def children(pid):
    """Direct children of ``pid`` (the gunicorn workers of a master)."""
    found = []
    try:
        tasks = os.listdir(f'/proc/{pid}/task')
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            with open(f'/proc/{pid}/task/{task}/children') as stream:
                found += [int(p) for p in stream.read().split()]
        except FileNotFoundError:
            pass
    return sorted(set(found))


def rss_bytes(pid):
    """Resident set size of ``pid`` from ``/proc/<pid>/status`` (``None`` once gone)."""
    try:
        with open(f'/proc/{pid}/status') as stream:
            for line in stream:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def is_running(pid):
    """True while ``pid`` exists and is not a zombie."""
    try:
        with open(f'/proc/{pid}/status') as stream:
            for line in stream:
                if line.startswith('State:'):
                    return 'Z' not in line.split()[1]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return False


def kill_hard(server):
    """SIGKILL a gunicorn master and all its workers, as a power cut would.

    The master is stopped first so that it cannot replace the workers
    killed under it.
    """
    master = server.process.pid
    os.kill(master, signal.SIGSTOP)
    workers = children(master)
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    os.kill(master, signal.SIGKILL)
    server.process.wait(30)
    deadline = time.monotonic() + 30
    while any(is_running(pid) for pid in workers):
        assert time.monotonic() < deadline, f'workers {workers} survived SIGKILL'
        time.sleep(0.05)
    server.stop()  # closes the log; the process is already gone
    return workers
