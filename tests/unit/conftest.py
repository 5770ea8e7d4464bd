"""Fixtures of every unit test: no network, a fresh configuration.

Unit tests need no servers.  Sockets are refused except on the loopback
interface and Unix sockets (STYLE item 15), so a test that would reach
RabbitMQ, a database server or another host fails at once instead of
hanging or passing by luck.
"""
import socket

import pytest

from tests.unit import make_conf

_LOOPBACK = ('127.0.0.1', '::1', 'localhost')


def _guarded(original):
    def connect(sock, address, *args):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in _LOOPBACK:
            raise RuntimeError(f'unit tests must not open network connections (to {address!r})')
        return original(sock, address, *args)
    return connect


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    monkeypatch.setattr(socket.socket, 'connect', _guarded(socket.socket.connect))
    monkeypatch.setattr(socket.socket, 'connect_ex', _guarded(socket.socket.connect_ex))


@pytest.fixture
def conf(tmp_path):
    """The common options, parsed, with ``state_path`` in a temporary directory."""
    return make_conf(tmp_path)
