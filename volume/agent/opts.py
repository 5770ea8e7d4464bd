"""Options of ``stratus-volume-agent`` and its backend driver (``[backend]`` in volume.conf).

One agent serves one backend, so its options are one group; the names
follow Cinder's where Cinder has the same knob (``volume_backend_name``,
``reserved_percentage``, ``image_conversion_dir``), so an operator's
habits carry over.
"""
from oslo_config import cfg

BACKEND_GROUP = 'backend'

backend_opts = [
    cfg.StrOpt('volume_driver', default='file', choices=['file'],
               help='Backend driver of this agent.\n\n'
                    'Possible values: file (volumes are raw or qcow2 files in '
                    'volumes_dir).'),
    cfg.StrOpt('volume_backend_name', default='file',
               help='Name of this backend as the scheduler and volume types see '
                    'it (the volume_backend_name extra spec of a type picks it).  '
                    'Agents with the same name serve the same pool of volumes.'),
    cfg.StrOpt('storage_availability_zone',
               help='Availability zone of this backend, as Cinder names the option.  '
                    'The scheduler places here only volumes created in this zone, and '
                    'os-availability-zone lists it once the backend has reported.\n\n'
                    'Possible values: a zone name; unset for the zone of [DEFAULT] '
                    'default_availability_zone.\n\n'
                    'Related options: [DEFAULT] default_availability_zone.'),
    cfg.StrOpt('volumes_dir', default='$state_path/volumes',
               help='Directory holding the volume and snapshot files '
                    '(volume-<id>, snapshot-<id>).  For volumes that guests on '
                    'several compute hosts attach, it must be a shared mount (NFS) '
                    'at the same path on the volume host and every compute host: '
                    'the compute agent opens the file at the path this agent '
                    'reports.\n\n'
                    'Related options: backup_dir.'),
    cfg.StrOpt('volume_format', default='raw', choices=['raw', 'qcow2'],
               help='Format of new volumes whose request does not choose one.  '
                    'raw is fastest and is created sparse (space is used as the '
                    'guest writes); qcow2 stays thin on file systems without '
                    'sparse files.  Existing volumes keep the format they were '
                    'created with.'),
    cfg.IntOpt('reserved_percentage', default=0, min=0, max=100,
               help='Percentage of the capacity of volumes_dir that the scheduler '
                    'keeps free: it places no new volume on this backend once '
                    'free space falls below it.'),
    cfg.StrOpt('backup_dir', default='$state_path/backups',
               help='Directory holding backups, one backup-<id> directory each '
                    '(a manifest and the chunks it stored).  It should be on other '
                    'storage than volumes_dir: a backup exists to survive the loss '
                    'of the volume.\n\n'
                    'Related options: backup_chunk_size_mb.'),
    cfg.IntOpt('backup_chunk_size_mb', default=4, min=1, max=64,
               help='Size of the chunks a full backup splits a volume into, in MiB.  '
                    'An incremental backup stores the chunks that changed since its '
                    'parent, so smaller chunks make smaller incrementals and more '
                    'files.  Incremental backups keep the chunk size of their full '
                    'backup, so changing it affects new full backups only.'),
    cfg.StrOpt('image_conversion_dir', default='$state_path/conversion',
               help='Directory where the agent keeps images it downloads to make a '
                    'volume from, and volume data it uploads as an image, while '
                    'they are converted.  Needs room for the largest image.'),
    cfg.IntOpt('qemu_img_timeout', default=10800, min=1,
               help='Seconds a qemu-img copy (snapshot, clone, image conversion, '
                    'backup read) may run before it is stopped and the operation '
                    'fails.  Reading image headers is always limited to 60 '
                    'seconds.  The default lets a 1 TiB volume be copied at about '
                    '100 MB/s.'),
]


def register_opts(conf):
    conf.register_opts(backend_opts, group=BACKEND_GROUP)


def list_opts():
    return [(BACKEND_GROUP, backend_opts)]
