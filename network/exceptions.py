"""Errors of the network service, named as Neutron names them.

The fault body's ``type`` is the class name, so clients and Tempest see the
same ``NeutronError.type`` values as with Neutron (``NetworkNotFound``,
``IpAddressGenerationFailure`` …).
"""
from common import exceptions


class NetworkNotFound(exceptions.NotFound):
    msg_fmt = 'Network %(id)s could not be found.'


class SubnetNotFound(exceptions.NotFound):
    msg_fmt = 'Subnet %(id)s could not be found.'


class PortNotFound(exceptions.NotFound):
    msg_fmt = 'Port %(id)s could not be found.'


class SecurityGroupNotFound(exceptions.NotFound):
    msg_fmt = 'Security group %(id)s does not exist'


class SecurityGroupRuleNotFound(exceptions.NotFound):
    msg_fmt = 'Security group rule %(id)s does not exist'


class AgentNotFound(exceptions.NotFound):
    msg_fmt = 'Agent %(id)s could not be found.'


class ExtensionNotFound(exceptions.NotFound):
    msg_fmt = 'Extension with alias %(alias)s does not exist.'


class MarkerNotFound(exceptions.NotFound):
    msg_fmt = 'Marker %(marker)s could not be found.'


class InvalidInput(exceptions.BadRequest):
    msg_fmt = 'Invalid input for operation: %(detail)s.'


class NetworkInUse(exceptions.Conflict):
    msg_fmt = ('Unable to complete operation on network %(id)s. There are one or more '
               'ports still in use on the network.')


class SubnetInUse(exceptions.Conflict):
    msg_fmt = ('Unable to complete operation on subnet %(id)s: One or more ports have an '
               'IP allocation from this subnet.')


class IpAddressInUse(exceptions.Conflict):
    msg_fmt = ('Unable to complete operation for network %(network_id)s. The IP address '
               '%(ip_address)s is in use.')


class IpAddressGenerationFailure(exceptions.Conflict):
    msg_fmt = 'No more IP addresses available on network %(network_id)s.'


class MacAddressInUse(exceptions.Conflict):
    msg_fmt = ('Unable to complete operation for network %(network_id)s. The mac address '
               '%(mac)s is in use.')


class InvalidQuotaValue(exceptions.Conflict):
    msg_fmt = 'Quota limits below the current usage for resources: %(unders)s.'


class OverQuota(exceptions.Conflict):
    msg_fmt = 'Quota exceeded for resources: [\'%(resource)s\'].'


class SecurityGroupRuleExists(exceptions.Conflict):
    msg_fmt = 'Security group rule already exists. Rule id is %(id)s.'


class SecurityGroupInUse(exceptions.Conflict):
    msg_fmt = 'Security Group %(id)s in use.'


class SegmentationIdInUse(exceptions.Conflict):
    msg_fmt = ('Unable to create the network. The VXLAN %(segmentation_id)s is in use.')


class NoNetworkAvailable(exceptions.ServiceUnavailable):
    msg_fmt = 'Unable to create the network. No tenant network is available for allocation.'


class SecurityGroupDefaultAlreadyExists(exceptions.Conflict):
    msg_fmt = 'Default security group already exists.'


class DefaultSecurityGroupUndeletable(exceptions.Conflict):
    msg_fmt = 'Insufficient rights for removing default security group.'


class MacAddressGenerationFailure(exceptions.ServiceUnavailable):
    msg_fmt = 'Unable to generate unique mac on network %(network_id)s.'


class PortSecurityAndIPRequiredForSecurityGroups(exceptions.BadRequest):
    msg_fmt = ('Port security must be enabled and port must have an IP address in order to '
               'use security groups.')


class AddressPairAndPortSecurityRequired(exceptions.Conflict):
    msg_fmt = ('Port Security must be enabled in order to have allowed address pairs on a '
               'port.')


class RouterNotFound(exceptions.NotFound):
    msg_fmt = 'Router %(id)s could not be found.'


class FloatingIPNotFound(exceptions.NotFound):
    msg_fmt = 'Floating IP %(id)s could not be found.'


class RouterInterfaceNotFound(exceptions.NotFound):
    msg_fmt = 'Router %(router_id)s does not have an interface with id %(port_id)s.'


class RouterInterfaceNotFoundForSubnet(exceptions.NotFound):
    msg_fmt = 'Router %(router_id)s has no interface on subnet %(subnet_id)s.'


class ExternalGatewayForFloatingIPNotFound(exceptions.NotFound):
    msg_fmt = ('External network %(external_network_id)s is not reachable from subnet '
               '%(subnet_id)s.  Therefore, cannot associate Port %(port_id)s with a '
               'Floating IP.')


class RouterInUse(exceptions.Conflict):
    msg_fmt = 'Router %(id)s %(reason)s.'


class RouterInterfaceInUseByFloatingIP(exceptions.Conflict):
    msg_fmt = ('Router interface for subnet %(subnet_id)s on router %(router_id)s cannot be '
               'deleted, as it is required by one or more floating IPs.')


class RouterInterfaceInUseByRoute(exceptions.Conflict):
    msg_fmt = ('Router interface for subnet %(subnet_id)s on router %(router_id)s cannot be '
               'deleted, as it is required by one or more routes.')


class RouterExternalGatewayInUseByFloatingIp(exceptions.Conflict):
    msg_fmt = ('Gateway cannot be updated for router %(router_id)s, since a gateway to '
               'external network %(net_id)s is required by one or more floating IPs.')


class FloatingIPPortAlreadyAssociated(exceptions.Conflict):
    msg_fmt = ('Cannot associate floating IP %(floating_ip_address)s (%(fip_id)s) with port '
               '%(port_id)s using fixed IP %(fixed_ip)s, as that fixed IP already has a '
               'floating IP on external network %(net_id)s.')


class FixedIpInUseByFloatingIP(exceptions.Conflict):
    msg_fmt = ('Unable to update port %(port_id)s: its fixed IP %(ip_address)s is associated '
               'with floating IP %(fip_id)s; disassociate it first.')


class PortInUse(exceptions.Conflict):
    msg_fmt = ('Unable to complete operation on port %(port_id)s for network %(net_id)s. '
               'Port already has an attached device %(device_id)s.')


class ServicePortInUse(exceptions.Conflict):
    msg_fmt = ('Port %(port_id)s cannot be deleted directly via the port API: '
               'has device owner %(device_owner)s.')


class InvalidRoutes(exceptions.BadRequest):
    msg_fmt = 'Invalid format for routes: %(routes)s, %(reason)s'


class RoutesExhausted(exceptions.BadRequest):
    msg_fmt = ('Unable to complete operation for %(router_id)s. The number of routes exceeds '
               'the maximum %(quota)s.')


class ExternalNetworkInUse(exceptions.Conflict):
    msg_fmt = ('External network %(net_id)s cannot be updated to be made non-external, since '
               'it has existing gateway ports.')
