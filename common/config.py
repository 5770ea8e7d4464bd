"""Configuration options shared by every service, and how a process loads them.

Each service reads one INI file, ``/etc/stratus/<service>.conf``; ``--config-file``
replaces it.  Service-specific options live in ``<service>/conf.py``.
"""
import os
import socket

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

CONFIG_DIR = '/etc/stratus'
SERVICE_USER_GROUP = 'service_user'

_default_opts = [
    cfg.StrOpt('host', default=socket.gethostname(), sample_default='<hostname>',
               help='Name of this host, as other services and the APIs see it.\n\n'
                    'Possible values: any string unique among the hosts of the '
                    'cloud.'),
    cfg.StrOpt('state_path', default='/var/lib/stratus',
               help='Directory where a service keeps its data (databases, '
                    'keys, caches), one sub-directory per service.'),
    cfg.IntOpt('report_interval', default=10, min=1,
               help='Seconds between two heartbeats of a conductor or agent.\n\n'
                    'Related options: service_down_time.'),
    cfg.IntOpt('service_down_time', default=60, min=1,
               help='Seconds without a heartbeat after which a service is '
                    'shown as down.  Raised to 2.5 x report_interval when set '
                    'lower, so that one late heartbeat does not flap it.\n\n'
                    'Related options: report_interval.'),
]

_logging_opts = [
    cfg.BoolOpt('debug', default=False, help='Log at DEBUG instead of INFO.'),
    cfg.StrOpt('log_file',
               help='File to log to.  When unset the service logs to stderr, '
                    'which the process supervisor collects.'),
]

_api_opts = [
    cfg.HostAddressOpt('bind_host', default='0.0.0.0',
                       help='Address the API listens on.'),
    cfg.PortOpt('bind_port', help='Port the API listens on.  Each service '
                                  'has its OpenStack default (identity 5000).'),
    cfg.IntOpt('workers', default=2, min=1,
               help='Number of API worker processes (gunicorn).  One per core '
                    'is a good start.'),
    cfg.IntOpt('threads', default=4, min=1,
               help='Request threads per worker process.'),
    cfg.URIOpt('public_url',
               help='Base URL clients use to reach this API, as published in '
                    'the catalog and in version documents.  When unset it is '
                    'taken from each request.'),
    cfg.URIOpt('internal_url',
               help='Base URL other services use to reach this API, published '
                    'as the "internal" endpoint.  Default: public_url.\n\n'
                    'Related options: public_url.'),
    cfg.StrOpt('region_name', default='RegionOne',
               help='Region in which this API publishes its catalog endpoints.'),
    cfg.IntOpt('max_limit', default=1000, min=1,
               help='Largest page size a list request may ask for with '
                    '"limit"; larger values are reduced to it.'),
    cfg.IntOpt('max_request_body_size', default=1024 * 1024, min=1024,
               help='Largest JSON request body accepted, in bytes; a larger '
                    'one is refused with 413.  Upload streams are not JSON '
                    'and are not limited by this.'),
]

_database_opts = [
    cfg.StrOpt('connection', secret=True,
               help='SQLAlchemy URL of this service\'s own database.  When '
                    'unset, a SQLite file under state_path.\n\n'
                    'Possible values: sqlite:////path/file.sqlite, '
                    'mysql+pymysql://user:pw@host/db?charset=utf8mb4, '
                    'postgresql+psycopg2://user:pw@host/db.'),
    cfg.BoolOpt('connection_debug', default=False,
                help='Log every SQL statement (very verbose).'),
    cfg.IntOpt('max_pool_size', default=10, min=1,
               help='Connections kept open per process (servers only).'),
]


def register_common_opts(conf, *, database=True):
    """Register the options every service has on ``conf``.

    :param database: False for a process that has no database (a host
        agent): it then has no ``[database]`` options to be given.
    """
    conf.register_opts(_default_opts)
    conf.register_cli_opts(_logging_opts)
    conf.register_opts(_api_opts, group='api')
    if database:
        conf.register_opts(_database_opts, group='database')
    ks_loading.register_auth_conf_options(conf, SERVICE_USER_GROUP)
    ks_loading.register_session_conf_options(conf, SERVICE_USER_GROUP)


def list_opts():
    """Options for oslo-config-generator, grouped as in the files."""
    return [
        ('DEFAULT', _default_opts + _logging_opts),
        ('api', _api_opts),
        ('database', _database_opts),
    ]


def default_config_files(service):
    path = os.path.join(CONFIG_DIR, f'{service}.conf')
    return [path] if os.path.exists(path) else []


def load(conf, service, argv=None, default_bind_port=None):
    """Parse the command line and the service's config file into ``conf``.

    :param conf: the ``ConfigOpts`` to fill (a process uses ``cfg.CONF``).
    :param service: the service name, which names the default file.
    :param argv: command-line arguments without the program name.
    :param default_bind_port: the service's well-known API port.
    """
    if default_bind_port is not None:
        conf.set_default('bind_port', default_bind_port, group='api')
    conf(args=argv or [], project='stratus', prog=f'stratus-{service}',
         default_config_files=default_config_files(service))
    return conf


def service_state_dir(conf, service):
    """The directory holding ``service``'s data, created if missing."""
    path = os.path.join(conf.state_path, service)
    os.makedirs(path, exist_ok=True)
    return path


def database_url(conf, service):
    """The configured database URL, or the SQLite default for ``service``."""
    if conf.database.connection:
        return conf.database.connection
    return 'sqlite:///' + os.path.join(service_state_dir(conf, service),
                                       f'{service}.sqlite')
