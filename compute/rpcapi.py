"""The client side of the compute RPC APIs: the only way in over RabbitMQ.

``ConductorAPI`` (topic ``compute.conductor``, served by every conductor;
a message goes to one of them) is used by the API and by the agents.
``AgentAPI`` (topic ``compute.agent``, server ``<host>``) is used by the
conductor only.  Arguments are plain JSON dicts and strings.

Version history of the conductor API:
    1.0 - build_instances, run_action, get_console_output, report_state,
          instance_event, sync_power_states
    1.1 - external_instance_event
    1.2 - attach_volume, detach_volume
Version history of the agent API:
    1.0 - spawn, destroy, run_action, get_console_output
"""
from typing import TypedDict

import oslo_messaging as messaging

from common import rpc

CONDUCTOR_TOPIC = 'compute.conductor'
AGENT_TOPIC = 'compute.agent'
CONDUCTOR_VERSION = '1.2'
AGENT_VERSION = '1.0'

# What a ``call`` raises when nobody answered in time.
Timeout = messaging.MessagingTimeout


class InstancePayload(TypedDict):
    """A server as the conductor sends it to an agent (``compute.conductor.payloads``)."""
    uuid: str
    name: str
    hostname: str | None
    project_id: str
    user_id: str
    image_ref: str | None
    flavor: dict  # id, name, vcpus, ram, disk, ephemeral, swap, extra_specs
    vcpus: int
    memory_mb: int
    root_gb: int
    ephemeral_gb: int
    key_name: str | None
    key_data: str | None
    user_data: str | None  # base64, as the API received it
    metadata: dict
    config_drive: bool  # the user asked for a config drive
    availability_zone: str | None
    launch_index: int
    reservation_id: str | None
    created_at: str  # ISO 8601


class ExternalEvent(TypedDict):
    """An event another service reports about a server (``os-server-external-events``)."""
    server_uuid: str
    name: str  # network-vif-plugged, network-vif-unplugged, network-changed,
    # network-vif-deleted, volume-extended
    status: str  # completed, failed or in-progress
    tag: str | None  # the port id of network-* events, the volume id of volume-extended


class HostReport(TypedDict):
    """What an agent reports of its host (``report_state``)."""
    vcpus: int
    memory_mb: int
    local_gb: int
    hypervisor_type: str
    hypervisor_version: int
    hypervisor_hostname: str
    host_ip: str
    capabilities: dict  # cpu_arch, hypervisor_type, cross_host_resize


class ConductorAPI:

    def __init__(self, conf, transport=None):
        self._transport = transport or rpc.get_transport(conf)
        # Messages carry 1.0 unless their method needs more (``prepare(version=…)``),
        # so that a conductor of the previous release still takes the others.
        self._client = rpc.get_client(self._transport, CONDUCTOR_TOPIC, '1.0',
                                      timeout=conf.compute.rpc_response_timeout)

    # --- from the API --------------------------------------------------------

    def build_instances(self, ctx, instance_uuids):
        """Schedule and build servers the API has stored (vm_state building,
        task_state scheduling).  Everything the build needs is in the
        servers' rows (``request_spec``, ``requested_networks``, BDMs)."""
        self._client.prepare().cast(ctx, 'build_instances', instance_uuids=instance_uuids)

    def run_action(self, ctx, instance_uuid, action, params=None):
        """Carry out ``action`` on a server whose task_state the API has set.

        :param action: ``stop``, ``start``, ``reboot``, ``pause``,
            ``unpause``, ``suspend``, ``resume``, ``rebuild``, ``resize``,
            ``confirm_resize``, ``revert_resize``, ``snapshot`` or ``delete``.
        :param params: the action's arguments: reboot ``{"type": "SOFT"|"HARD"}``;
            rebuild ``{"image_ref": id}``; resize ``{"flavor": <flavor dict>}``;
            snapshot ``{"image_id": id}`` (the image the API created, queued).
        The request id of ``ctx`` names the instance action the API recorded.
        """
        self._client.prepare().cast(ctx, 'run_action', instance_uuid=instance_uuid,
                                    action=action, params=params or {})

    def get_console_output(self, ctx, instance_uuid, length=None):
        """The last ``length`` lines of the server's console (all when ``None``)."""
        return self._client.prepare().call(ctx, 'get_console_output',
                                           instance_uuid=instance_uuid, length=length)

    def external_instance_event(self, ctx, events):
        """Events other services report about servers that have a host (a list of
        ``ExternalEvent``): ``network-vif-plugged`` lets a build waiting for that
        port go on (``compute.conductor.vif_plugging``).  (1.1)"""
        self._client.prepare(version='1.1').cast(ctx, 'external_instance_event',
                                                 events=events)

    def attach_volume(self, ctx, instance_uuid, volume_id, mountpoint=None):
        """Plug in the volume whose block device mapping and reserved attachment the
        API stored (``compute.conductor.volume_attach``).  (1.2)

        :param mountpoint: the device the user asked for, else ``None`` (the
            host picks the next free one).
        """
        self._client.prepare(version='1.2').cast(ctx, 'attach_volume',
                                                 instance_uuid=instance_uuid,
                                                 volume_id=volume_id, mountpoint=mountpoint)

    def detach_volume(self, ctx, instance_uuid, volume_id):
        """Unplug the volume, delete its attachment and its block device mapping.  (1.2)"""
        self._client.prepare(version='1.2').cast(ctx, 'detach_volume',
                                                 instance_uuid=instance_uuid,
                                                 volume_id=volume_id)

    # --- from the agents ------------------------------------------------------

    def report_state(self, ctx, host, resources):
        """Heartbeat of agent host ``host`` with its ``HostReport``."""
        self._client.prepare().cast(ctx, 'report_state', host=host, resources=resources)

    def instance_event(self, ctx, instance_uuid, host, event, ok, power_state=None,
                       error=None):
        """The end of long work an agent was cast (``event`` is ``spawn``).

        :param ok: whether it succeeded; ``error`` says why not.
        """
        self._client.prepare().cast(ctx, 'instance_event', instance_uuid=instance_uuid,
                                    host=host, event=event, ok=ok, power_state=power_state,
                                    error=error)

    def sync_power_states(self, ctx, host, power_states, startup=False):
        """What the hypervisor of ``host`` runs: ``{uuid: power_state}``.

        :param startup: True for the report an agent makes when it starts;
            the conductor then also removes guests the host should not run.
        """
        self._client.prepare().cast(ctx, 'sync_power_states', host=host,
                                    power_states=power_states, startup=startup)


class AgentAPI:
    """The conductor's client of the agents; every method names the ``host``.

    ``call``s give up after ``[conductor] agent_timeout`` seconds with
    ``oslo_messaging.MessagingTimeout`` (re-exported as ``Timeout``).
    """

    def __init__(self, conf, transport=None):
        self._transport = transport or rpc.get_transport(conf)
        self._client = rpc.get_client(self._transport, AGENT_TOPIC, AGENT_VERSION,
                                      timeout=conf.conductor.agent_timeout)

    def _on(self, host):
        return self._client.prepare(server=host)

    def spawn(self, ctx, host, instance, image_meta, network_info, block_devices):
        """Create the guest of ``instance`` (an ``InstancePayload``); the agent answers
        with ``ConductorAPI.instance_event(..., event='spawn', ...)``."""
        self._on(host).cast(ctx, 'spawn', instance=instance, image_meta=image_meta,
                            network_info=network_info, block_devices=block_devices)

    def run_action(self, ctx, host, instance, action, params=None):
        """Carry out ``action`` on the guest and wait for it.

        :param action: ``stop``, ``start``, ``reboot`` (params ``type``),
            ``pause``, ``unpause``, ``suspend``, ``resume``, ``rebuild``
            (params ``image_meta``, ``network_info``, ``block_devices``),
            ``snapshot`` (params ``image_id``),
            and the steps of a cold resize: ``migrate_disk_and_power_off``
            (params ``dest_host``), ``finish_migration`` (the params of
            ``rebuild`` plus ``disk_info`` and ``power_on``),
            ``confirm_migration``, ``finish_revert_migration`` (the params of
            ``rebuild`` plus ``power_on``); volumes: ``attach_volume`` (params
            ``connection_info``, ``serial``, ``mountpoint``),
            ``detach_volume`` (params ``serial``) and ``extend_volume``
            (params ``serial``: the running guest sees the volume's new
            size, read from its file).
        :returns: ``{"power_state": int}``, with ``disk_info`` for
            ``migrate_disk_and_power_off``, ``device`` for ``attach_volume``,
            and ``error`` (the reason) when the driver failed.
        :raises Timeout: no answer within ``[conductor] agent_timeout``.
        """
        return self._on(host).call(ctx, 'run_action', instance=instance, action=action,
                                   params=params or {})

    def destroy(self, ctx, host, instance, wait=True):
        """Remove the guest (succeeds when it is gone); ``wait=False`` casts."""
        if wait:
            self._on(host).call(ctx, 'destroy', instance=instance)
        else:
            self._on(host).cast(ctx, 'destroy', instance=instance)

    def get_console_output(self, ctx, host, instance, length=None):
        return self._on(host).call(ctx, 'get_console_output', instance=instance,
                                   length=length)
