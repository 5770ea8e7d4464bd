"""Test helpers that run real Stratus processes and real databases.

Shared by the functional, compat and benchmark code: a throw-away database
on SQLite, MariaDB or PostgreSQL (``databases``), API servers under gunicorn
on free ports with their conductors and agents (``processes``, and one
module per service), RabbitMQ virtual hosts and a notification catcher
(``rabbit``).  Everything is re-exported here: ``from tests import servers``
then ``servers.IdentityServer`` …
"""
from tests.servers.compute import ComputeClient
from tests.servers.compute import ComputeServer
from tests.servers.databases import BACKENDS
from tests.servers.databases import MYSQL_URL
from tests.servers.databases import POSTGRESQL_URL
from tests.servers.databases import database
from tests.servers.identity import IdentityServer
from tests.servers.image import ImageServer
from tests.servers.network import NetworkServer
from tests.servers.processes import ADMIN_PASSWORD
from tests.servers.processes import TRANSPORT_URL
from tests.servers.processes import ApiClient
from tests.servers.processes import BackgroundProcess
from tests.servers.processes import ServiceProcess
from tests.servers.processes import free_port
from tests.servers.processes import manage
from tests.servers.processes import password_auth
from tests.servers.processes import service_auth_conf
from tests.servers.processes import unique_name
from tests.servers.rabbit import NotificationQueue
from tests.servers.rabbit import RabbitVhost
from tests.servers.volume import VolumeClient
from tests.servers.volume import VolumeServer

__all__ = [
    'ADMIN_PASSWORD', 'BACKENDS', 'MYSQL_URL', 'POSTGRESQL_URL', 'TRANSPORT_URL',
    'ApiClient', 'BackgroundProcess', 'ComputeClient', 'ComputeServer', 'IdentityServer',
    'ImageServer', 'NetworkServer', 'NotificationQueue', 'RabbitVhost', 'ServiceProcess',
    'VolumeClient', 'VolumeServer', 'database', 'free_port', 'manage', 'password_auth',
    'service_auth_conf', 'unique_name',
]
