"""Options of the identity service (``/etc/stratus/identity.conf``)."""
from oslo_config import cfg

from common import config as common_config
from common import rpc

SERVICE = 'identity'
DEFAULT_PORT = 5000

identity_opts = [
    cfg.StrOpt('default_domain_id', default='default',
               help='Domain of users and projects created without one, and '
                    'of those named in requests without a domain.'),
    cfg.IntOpt('password_hash_rounds', default=12, min=4, max=31,
               help='bcrypt cost factor for user passwords and application '
                    'credential secrets.  Each step doubles the work of '
                    'checking a password (12 is about 0.25 s here).  Token '
                    'validation never hashes, so this only slows logins.'),
    cfg.IntOpt('max_password_length', default=4096, min=8,
               help='Longest password accepted, in characters.'),
]

token_opts = [
    cfg.IntOpt('expiration', default=3600, min=150,
               help='Lifetime of a token in seconds.  Clients re-authenticate '
                    'when a token is within 120 s of expiry, so keep this '
                    'well above that.'),
    cfg.BoolOpt('allow_rescope_scoped_token', default=True,
                help='Whether a scoped token may be exchanged for a token of '
                     'another scope.  The new token never outlives the old.'),
    cfg.IntOpt('allow_expired_window', default=48 * 3600, min=0,
               help='Seconds after expiry during which a service may still '
                    'validate a token with ?allow_expired=1 (for long '
                    'operations started while it was valid).'),
]

fernet_opts = [
    cfg.StrOpt('key_repository',
               help='Directory of Fernet keys.  Default: '
                    '<state_path>/identity/fernet-keys.  Key 0 is staged, the '
                    'highest number is the primary key that signs new tokens.'),
    cfg.IntOpt('max_active_keys', default=3, min=2,
               help='Keys kept by fernet-rotate (staged + primary + '
                    'secondaries).  A token signed with a key that rotated out '
                    'becomes invalid, even within [token] allow_expired_window.\n\n'
                    'Possible values: at least (expiration + allow_expired_window) '
                    '/ rotation interval + 2; with the defaults (1 h + 48 h) and a '
                    'daily rotation, 5 or more.\n\n'
                    'Related options: [token] expiration, [token] allow_expired_window.'),
]

resource_opts = [
    cfg.StrOpt('admin_project_name', default='admin',
               help='Project whose admins are administrators of the whole '
                    'cloud.  An admin of any other project administers only '
                    'that project.'),
    cfg.StrOpt('admin_project_domain_name', default='Default',
               help='Domain of admin_project_name.'),
]


def register_opts(conf):
    common_config.register_common_opts(conf)
    rpc.register_opts(conf)
    conf.register_opts(identity_opts, group='identity')
    conf.register_opts(token_opts, group='token')
    conf.register_opts(fernet_opts, group='fernet_tokens')
    conf.register_opts(resource_opts, group='resource')


def list_opts():
    return [('identity', identity_opts), ('token', token_opts),
            ('fernet_tokens', fernet_opts), ('resource', resource_opts)]
