"""An API keeps an idle client connection open longer than clients poll.

``openstack server create --wait`` polls every 5 s on one connection; a
server closing idle connections after 5 s closed them just as the client
reused them ("Remote end closed connection without response").
"""
import http.client
import time

from common.wsgi import server


def test_a_connection_idle_for_a_polling_interval_is_still_open(identity):
    assert server.KEEPALIVE_SECONDS > 30
    host, port = identity.url.removeprefix('http://').split(':')
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        for _poll in range(2):
            connection.request('GET', '/healthz')
            response = connection.getresponse()
            response.read()
            assert response.status == 200 and not response.will_close
            time.sleep(6)
        connection.request('GET', '/healthz')  # the same socket, 12 s after the first
        assert connection.getresponse().status == 200
    finally:
        connection.close()
