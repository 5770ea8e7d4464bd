"""Prometheus metrics of an API: request counts and latencies per route.

Under gunicorn, each worker is a process; ``PROMETHEUS_MULTIPROC_DIR`` (set
by ``common.wsgi.server`` before the workers fork) makes every worker write
its samples to shared files, and ``/metrics`` adds them up, whichever
worker answers.
"""
import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class RequestMetrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self, service):
        self.service = service
        self.registry = CollectorRegistry()
        if os.environ.get('PROMETHEUS_MULTIPROC_DIR'):
            multiprocess.MultiProcessCollector(self.registry)
            own_registry = None
        else:
            own_registry = self.registry
        self._requests = Counter(
            'stratus_http_requests', 'HTTP requests answered',
            ['service', 'method', 'route', 'status'], registry=own_registry)
        self._latency = Histogram(
            'stratus_http_request_duration_seconds', 'Time to answer a request',
            ['service', 'method', 'route'], buckets=LATENCY_BUCKETS,
            registry=own_registry)

    def observe(self, method, route, status, seconds):
        self._requests.labels(self.service, method, route, str(status)).inc()
        self._latency.labels(self.service, method, route).observe(seconds)

    def render(self):
        return generate_latest(self.registry)
