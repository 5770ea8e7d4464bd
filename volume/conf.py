"""Options of the volume service (``/etc/stratus/volume.conf``).

One file serves the API, the conductor and the agents of a host; each
process reads the groups it needs.  The options every service has
(``[DEFAULT] host``, ``[api] bind_host``/``bind_port``/``max_limit``,
``[database]`` …) come from ``common.config``.
"""
from oslo_config import cfg

from common import auth
from common import clients
from common import config as common_config
from common import rpc

SERVICE = 'volume'
DEFAULT_PORT = 8776

volume_opts = [
    cfg.StrOpt('default_availability_zone', default='nova',
               help='Availability zone of volumes whose request names none, as '
                    'Cinder names it.  A request may always name this zone, '
                    'even before any volume agent has reported one.\n\n'
                    'Possible values: any zone name.'),
    cfg.StrOpt('default_volume_type', default='__DEFAULT__',
               help='Name of the volume type of volumes whose request names none.  '
                    'The database schema creates "__DEFAULT__"; an operator may '
                    'create another type and name it here.'),
]

# Cinder's [DEFAULT] quota_* options, without the prefix.
quota_opts = [
    cfg.IntOpt('volumes', default=10, min=-1,
               help='Volumes per project; -1 for no limit.'),
    cfg.IntOpt('gigabytes', default=1000, min=-1,
               help='GiB of volumes and snapshots per project; -1 for no limit.'),
    cfg.IntOpt('snapshots', default=10, min=-1,
               help='Snapshots per project; -1 for no limit.'),
    cfg.IntOpt('backups', default=10, min=-1,
               help='Backups per project; -1 for no limit.'),
    cfg.IntOpt('backup_gigabytes', default=1000, min=-1,
               help='GiB of backups per project; -1 for no limit.'),
    cfg.IntOpt('per_volume_gigabytes', default=-1, min=-1,
               help='Largest size of one volume, in GiB; -1 for no limit.'),
    cfg.IntOpt('groups', default=10, min=-1,
               help='Volume groups per project; -1 for no limit.  Stratus has no '
                    'volume groups: the limit is shown because clients expect it.'),
]

# The conductor's snapshot policies.
conductor_opts = [
    cfg.IntOpt('snapshot_policy_interval', default=60, min=1,
               help='Seconds between two runs of the snapshot policies: each run takes '
                    'the snapshots that are due and deletes those beyond each '
                    "policy's max_snaps.  A snapshot is taken at most this long after "
                    'its scheduled minute.\n\n'
                    'Possible values: seconds, at least 1.'),
]


def register_opts(conf, *, database=True):
    """:param database: False in an agent, which has no database."""
    common_config.register_common_opts(conf, database=database)
    rpc.register_opts(conf)
    auth.register_opts(conf)
    clients.register_opts(conf)
    conf.register_opts(volume_opts)
    conf.register_opts(quota_opts, group='quota')
    conf.register_opts(conductor_opts, group='conductor')


def list_opts():
    return [('DEFAULT', volume_opts), ('quota', quota_opts), ('conductor', conductor_opts)]
