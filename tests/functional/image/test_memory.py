"""A large image streams through the API in flat memory, both ways.

"``PUT /v2/images/{id}/file`` streamed in chunks to the store (never the
whole image in memory; 10 GiB must work with flat memory)": 2 GiB made on
the fly (never held by the test either) go up chunked while the RSS of
every gunicorn worker is sampled from ``/proc``, then come back down as a
stream whose sha512 must be the one the client computed while sending.
"""
import hashlib
import shutil
import threading
import time

import pytest

from tests.functional.image import helpers
from tests.functional.image.helpers import MiB

SIZE = 2 * 1024 * MiB
MAX_RSS_GROWTH = 100 * MiB
SAMPLE_EVERY = 0.05


class RssSampler(threading.Thread):
    """Samples the RSS of a gunicorn master's workers until stopped."""

    def __init__(self, master_pid):
        super().__init__(name='rss-sampler', daemon=True)
        self.master_pid = master_pid
        self.workers = helpers.children(master_pid)
        self.baseline = {pid: helpers.rss_bytes(pid) for pid in self.workers}
        self.peak = dict(self.baseline)
        self.samples = 0
        self.changed_workers = None
        self._stopping = threading.Event()

    def run(self):
        while not self._stopping.is_set():
            for pid in self.workers:
                rss = helpers.rss_bytes(pid)
                if rss is not None:
                    self.peak[pid] = max(self.peak[pid], rss)
            current = helpers.children(self.master_pid)
            if current != self.workers and self.changed_workers is None:
                self.changed_workers = current
            self.samples += 1
            self._stopping.wait(SAMPLE_EVERY)

    def stop(self):
        self._stopping.set()
        self.join(10)

    def growth(self):
        """``{worker pid: peak RSS - RSS before}`` in bytes."""
        return {pid: self.peak[pid] - self.baseline[pid] for pid in self.workers}


def _warm_up(client):
    """Let every worker load what an upload and a download need, before the baseline."""
    for round_ in range(6):
        created = helpers.create(client, name=f'warm-up-{round_}')
        assert helpers.upload(client, created['id'],
                              helpers.chunks(helpers.pattern(4 * MiB))).status_code == 204
        assert len(client.get(f'/v2/images/{created["id"]}/file').content) == 4 * MiB
        assert client.delete(f'/v2/images/{created["id"]}').status_code == 204


def test_large_upload_and_download_in_flat_memory(image, admin):
    free = shutil.disk_usage(image.store_path).free
    if free < SIZE + 1024 * MiB:
        pytest.fail(f'{image.store_path} has {free // MiB} MiB free; this test needs '
                    f'{(SIZE + 1024 * MiB) // MiB} MiB (a {SIZE // MiB} MiB image and room '
                    'to spare). Free disk space rather than skipping it.', pytrace=False)
    client = image.client(admin.token)
    _warm_up(client)
    sampler = RssSampler(image.process.pid)
    assert len(sampler.workers) >= 1 and all(sampler.baseline.values()), sampler.baseline
    created = helpers.create(client, name='two-gib')
    stream = helpers.GeneratedStream(SIZE, seed='flat')
    sampler.start()
    try:
        started = time.monotonic()
        uploaded = helpers.upload(client, created['id'], iter(stream))
        upload_seconds = time.monotonic() - started
        assert uploaded.status_code == 204, uploaded.text
        assert stream.sent == SIZE

        shown = helpers.show(client, created['id'])
        expected = stream.sha512.hexdigest()
        assert (shown['status'], shown['size'], shown['os_hash_value']) == \
            ('active', SIZE, expected)

        downloaded = hashlib.sha512()
        received = 0
        with client.get(f'/v2/images/{created["id"]}/file', stream=True) as response:
            assert response.status_code == 200
            assert int(response.headers['Content-Length']) == SIZE
            for piece in response.iter_content(MiB):
                downloaded.update(piece)
                received += len(piece)
        assert received == SIZE
        assert downloaded.hexdigest() == expected
    finally:
        sampler.stop()
        client.delete(f'/v2/images/{created["id"]}')

    assert sampler.changed_workers is None, \
        f'the workers changed during the transfer: {sampler.workers} -> {sampler.changed_workers}'
    assert sampler.samples > 20, sampler.samples
    growth = sampler.growth()
    report = {pid: f'{g / MiB:.1f} MiB' for pid, g in growth.items()}
    assert max(growth.values()) < MAX_RSS_GROWTH, \
        f'worker RSS grew by {report} while {SIZE // MiB} MiB streamed ' \
        f'(upload took {upload_seconds:.1f} s)'
    assert created['id'] not in helpers.data_files(image.store_path)
