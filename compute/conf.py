"""Options of the compute service (``/etc/stratus/compute.conf``).

One file serves the API, the conductor and the agents of a host; each
process reads the groups it needs.
"""
from oslo_config import cfg

from common import auth
from common import clients
from common import config as common_config
from common import rpc

SERVICE = 'compute'
DEFAULT_PORT = 8774

compute_opts = [
    cfg.StrOpt('default_availability_zone', default='nova',
               help='Availability zone of hosts that no aggregate puts in '
                    'one, as Nova names it.'),
    cfg.StrOpt('default_schedule_zone',
               help='Zone a server is built in when its request names none. '
                    'Unset: any zone.'),
    cfg.IntOpt('max_local_block_devices', default=3, min=-1,
               help='Local disks (image or blank, destination local) a server '
                    'may ask for; -1 for no limit.'),
    cfg.IntOpt('limit_param_default', default=1000, min=1,
               help='Servers per page when a list request gives no limit '
                    '(capped by [api] max_limit).'),
    cfg.IntOpt('rpc_response_timeout', default=60, min=1,
               help='Seconds the API waits for the conductor to answer a '
                    'question (console output, for example).'),
    cfg.IntOpt('vif_plugging_timeout', default=300, min=0,
               help='Seconds a new server waits, once its guest is spawned, for the '
                    'network service to report each of its ports wired on the host '
                    '(the network-vif-plugged event of os-server-external-events), '
                    'before its build fails or goes on (see vif_plugging_is_fatal).  '
                    'Ports that are already ACTIVE when made are not waited for.  '
                    'Nova\'s option.\n\n'
                    'Possible values: 0 does not wait at all (a deployment without '
                    'network agents).\n\n'
                    'Related options: vif_plugging_is_fatal.'),
    cfg.BoolOpt('vif_plugging_is_fatal', default=True,
                help='Whether a port that is not wired within vif_plugging_timeout, or '
                     'that the network service reports failed, fails the build (the '
                     'server goes to ERROR with the fault "Virtual Interface creation '
                     'failed"); when False the server goes ACTIVE anyway and the '
                     'conductor logs a warning.  Nova\'s option.\n\n'
                     'Related options: vif_plugging_timeout.'),
]

scheduler_opts = [
    cfg.IntOpt('max_attempts', default=3, min=1,
               help='Hosts a build is tried on before the server goes to '
                    'ERROR.  A failure on one host retries on another.'),
    cfg.FloatOpt('cpu_allocation_ratio', default=16.0, min=0.0,
                 help='Virtual CPUs a host may hand out per physical CPU.'),
    cfg.FloatOpt('ram_allocation_ratio', default=1.5, min=0.0,
                 help='RAM a host may hand out per MiB it has.'),
    cfg.FloatOpt('disk_allocation_ratio', default=1.0, min=0.0,
                 help='Local disk a host may hand out per GiB it has.'),
    cfg.StrOpt('weigher', default='spread', choices=['spread', 'pack'],
               help='How hosts are ranked among those that fit: "spread" '
                    'prefers the emptiest (instances spread out), "pack" '
                    'the fullest (hosts are emptied for maintenance).'),
    cfg.IntOpt('host_subset_size', default=1, min=1,
               help='Pick at random among this many best hosts, so that '
                    'conductors scheduling at once rarely pick the same one.'),
    cfg.IntOpt('claim_retries', default=5, min=1,
               help='Times a conductor re-reads a host and retries its claim '
                    'when another conductor changed the host first.'),
]

conductor_opts = [
    cfg.IntOpt('power_sync_interval', default=60, min=0,
               help='Seconds between two power-state syncs, in which agents '
                    'report what their hypervisor says; 0 disables it.'),
    cfg.IntOpt('workers', default=1, min=1,
               help='Conductor processes this command starts.'),
    cfg.IntOpt('agent_timeout', default=120, min=1,
               help='Seconds the conductor waits for an agent to carry out an '
                    'action (stop, reboot, snapshot …) before it gives up: the '
                    'server then leaves its task with a fault instead of '
                    'keeping it forever.'),
    cfg.StrOpt('running_deleted_instance_action', default='reap',
               choices=[('reap', 'destroy the guest'), ('log', 'only log it'),
                        ('noop', 'do nothing')],
               help='What to do, when an agent starts, with the guests its host runs '
                    'that belong to no server on that host (deleted while the host '
                    'was down, or moved elsewhere).  Nova\'s option.'),
    cfg.BoolOpt('resume_guests_state_on_host_boot', default=False,
                help='When an agent starts, start again the guests of ACTIVE servers '
                     'that its host has shut off (the host rebooted, or its '
                     'hypervisor died), rather than marking those servers stopped.  '
                     'Nova\'s option.'),
    cfg.IntOpt('build_timeout', default=900, min=0,
               help='Seconds a host may take to spawn a server before the '
                    'conductor counts it as failed there and tries another '
                    'host; 0 waits forever.\n\n'
                    'Related options: [scheduler] max_attempts.'),
]

agent_opts = [
    cfg.StrOpt('virt_driver', default='fake', choices=['fake', 'libvirt'],
               help='Hypervisor driver of this host.  "libvirt" runs real '
                    'guests (see the [libvirt] options); "fake" runs none '
                    '(for tests and scale tests).'),
    cfg.HostAddressOpt('host_ip', default='127.0.0.1',
                       help='Address of this host that other hosts reach it '
                            'on, shown by os-hypervisors.'),
    cfg.StrOpt('instances_path',
               help='Where the agent keeps instance files.  Default: '
                    '<state_path>/compute/instances.'),
    cfg.BoolOpt('force_config_drive', default=False,
                help='Give every server a config drive (an ISO9660 disk '
                     'labelled config-2 holding its metadata), not only '
                     'those whose request asks for one (Nova\'s option).'),
]

libvirt_opts = [
    cfg.StrOpt('connection_uri', default='qemu:///system',
               help='libvirt URI of the hypervisor the libvirt driver '
                    'drives.\n\n'
                    'Related options: [agent] virt_driver.'),
    cfg.StrOpt('virt_type', default='kvm', choices=['kvm', 'qemu'],
               help='Domain type of the guests.  "kvm" needs hardware '
                    'virtualisation; "qemu" is software emulation (TCG), '
                    'slow but available everywhere (stack.sh picks it when '
                    'KVM does not work).'),
    cfg.IntOpt('shutdown_timeout', default=60, min=0,
               help='Seconds a guest is given to shut down after an ACPI '
                    'power-button press (stop, soft reboot, resize) before '
                    'it is powered off hard.  0 powers off hard at once.'),
    cfg.StrOpt('domain_name_prefix', default='instance-',
               help='Guests are named <prefix><instance uuid> in libvirt (what '
                    '"virsh list" shows).  A distinct prefix tells apart the '
                    'guests of two clouds (or of tests) sharing a hypervisor.'),
]

fake_driver_opts = [
    cfg.IntOpt('host_count', default=1, min=1, max=1000,
               help='Simulated hosts this agent process runs, named '
                    '<host>, <host>-2, <host>-3 … (scale tests).'),
    cfg.IntOpt('vcpus', default=16, min=1, help='vCPUs of each simulated host.'),
    cfg.IntOpt('memory_mb', default=32768, min=1, help='RAM of each simulated host.'),
    cfg.IntOpt('local_gb', default=1000, min=1, help='Local disk of each simulated host.'),
    cfg.FloatOpt('spawn_seconds', default=0.0, min=0.0,
                 help='Time a simulated spawn takes.'),
    cfg.ListOpt('fail_spawn_hosts', default=[],
                help='Simulated hosts on which every spawn fails, to exercise '
                     'rescheduling.\n\n'
                     'Related options: [scheduler] max_attempts.'),
]

quota_opts = [
    cfg.IntOpt('instances', default=10, min=-1, help='Servers per project; -1 for no limit.'),
    cfg.IntOpt('cores', default=20, min=-1, help='vCPUs per project; -1 for no limit.'),
    cfg.IntOpt('ram', default=50 * 1024, min=-1, help='MiB of RAM per project; -1 for no limit.'),
    cfg.IntOpt('key_pairs', default=100, min=-1, help='Key pairs per user; -1 for no limit.'),
    cfg.IntOpt('server_groups', default=10, min=-1,
               help='Server groups per project; -1 for no limit.'),
    cfg.IntOpt('server_group_members', default=10, min=-1,
               help='Servers per server group; -1 for no limit.'),
    cfg.IntOpt('metadata_items', default=128, min=-1,
               help='Metadata items per server; -1 for no limit.'),
    cfg.IntOpt('injected_files', default=5, min=-1,
               help='Files a server create may inject (shown by limits).'),
    cfg.IntOpt('injected_file_content_bytes', default=10240, min=-1,
               help='Bytes per injected file (shown by limits).'),
    cfg.IntOpt('injected_file_path_length', default=255, min=-1,
               help='Path length of an injected file (shown by limits).'),
]


metadata_opts = [
    cfg.BoolOpt('enabled', default=True,
                help='Serve the metadata API (what guests read through the '
                     'network\'s metadata proxy) from stratus-compute-api.'),
    cfg.HostAddressOpt('metadata_listen', default='0.0.0.0',
                       help='Address the metadata API listens on.'),
    cfg.PortOpt('metadata_listen_port', default=8775,
                help='Port the metadata API listens on; it must differ from '
                     '[api] bind_port.'),
    cfg.StrOpt('metadata_proxy_shared_secret', default='', secret=True,
               help='Secret shared with the network service\'s metadata proxy, '
                    'which signs the X-Instance-ID of each request with it '
                    '(HMAC-SHA256).  Empty: every metadata request is refused.'),
]


def register_opts(conf, *, database=True):
    """:param database: False in an agent, which has no database."""
    common_config.register_common_opts(conf, database=database)
    rpc.register_opts(conf)
    auth.register_opts(conf)
    clients.register_opts(conf)
    conf.register_opts(compute_opts, group='compute')
    conf.register_opts(scheduler_opts, group='scheduler')
    conf.register_opts(conductor_opts, group='conductor')
    conf.register_opts(agent_opts, group='agent')
    conf.register_opts(fake_driver_opts, group='fake_driver')
    conf.register_opts(libvirt_opts, group='libvirt')
    conf.register_opts(quota_opts, group='quota')
    conf.register_opts(metadata_opts, group='metadata')


def list_opts():
    return [('compute', compute_opts), ('scheduler', scheduler_opts),
            ('conductor', conductor_opts), ('agent', agent_opts),
            ('fake_driver', fake_driver_opts), ('libvirt', libvirt_opts),
            ('quota', quota_opts),
            ('metadata', metadata_opts)]
