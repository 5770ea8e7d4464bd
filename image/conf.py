"""Options of the image service (``/etc/stratus/image.conf``)."""
from oslo_config import cfg

from common import auth
from common import config as common_config
from common import rpc

SERVICE = 'image'
DEFAULT_PORT = 9292
GiB = 1024 ** 3

image_opts = [
    cfg.StrOpt('store_path',
               help='Directory of the file store, where image data lives.  '
                    'Default: <state_path>/image/store.  It may be a shared '
                    '(NFS) mount when several API hosts serve one cloud.'),
    cfg.StrOpt('staging_path',
               help='Directory holding data staged for the glance-direct import '
                    'method.  Default: <state_path>/image/staging.'),
    cfg.IntOpt('chunk_size', default=1024 * 1024, min=4096,
               help='Bytes read from the request and written to the store at a '
                    'time.  Memory per upload stays within a few chunks.'),
    cfg.IntOpt('max_image_size', default=1024 * GiB, min=1,
               help='Largest image, in bytes, that may be uploaded.'),
    cfg.IntOpt('limit_param_default', default=25, min=1,
               help='Images per page when a list request gives no limit.'),
]

quota_opts = [
    cfg.IntOpt('image_count_total', default=100, min=-1,
               help='Images a project may own (not counting deleted ones); '
                    '-1 for no limit.  Per-project values override it '
                    '(stratus-manage image quota-set).'),
    cfg.IntOpt('image_size_total', default=1024 * GiB, min=-1,
               help='Bytes of image data a project may store; -1 for no '
                    'limit.  Enforced while an upload streams.'),
    cfg.IntOpt('image_stage_total', default=1024 * GiB, min=-1,
               help='Bytes a project may have staged for import at once; -1 '
                    'for no limit.'),
    cfg.IntOpt('image_count_uploading', default=10, min=-1,
               help='Uploads and imports a project may run at once; -1 for no '
                    'limit.'),
]


def register_opts(conf):
    common_config.register_common_opts(conf)
    rpc.register_opts(conf)
    auth.register_opts(conf)
    conf.register_opts(image_opts, group='image')
    conf.register_opts(quota_opts, group='quota')


def list_opts():
    return [('image', image_opts), ('quota', quota_opts)]
