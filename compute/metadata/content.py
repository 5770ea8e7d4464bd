"""What an instance's metadata is, whatever carries it (the metadata API or a config drive).

It is built from the ``InstancePayload`` the agents get
(``compute.rpcapi``) and the instance's ``network_info``
(``compute.network.network_info``), and follows Nova's layout so that
cloud-init and other guest tools read it unchanged: each OpenStack version
(``2012-08-10`` … ``2018-08-27``) has the keys Nova gives that version, and
the EC2 tree the keys of each dated EC2 version.

Stratus has no integer instance ids or EC2 id mappings, which Nova uses for
``i-%08x`` and ``ami-%08x``: ``instance-id`` and ``ami-id`` here take the
first eight hex digits of the instance's (and the image's) UUID, which is
stable for the life of the instance and the same on the metadata API and a
config drive.
"""
import base64
import os

from compute import device_names
from compute import keypair_types

FOLSOM = '2012-08-10'
GRIZZLY = '2013-04-04'
HAVANA = '2013-10-17'
LIBERTY = '2015-10-15'
NEWTON_ONE = '2016-06-30'
NEWTON_TWO = '2016-10-06'
OCATA = '2017-02-22'
ROCKY = '2018-08-27'
OPENSTACK_VERSIONS = (FOLSOM, GRIZZLY, HAVANA, LIBERTY, NEWTON_ONE, NEWTON_TWO, OCATA, ROCKY)

EC2_VERSIONS = ('1.0', '2007-01-19', '2007-03-01', '2007-08-29', '2007-10-10', '2007-12-15',
                '2008-02-01', '2008-09-01', '2009-04-04')

LATEST = 'latest'

META_DATA_JSON = 'meta_data.json'
USER_DATA = 'user_data'
NETWORK_DATA_JSON = 'network_data.json'
VENDOR_DATA_JSON = 'vendor_data.json'
VENDOR_DATA2_JSON = 'vendor_data2.json'

# The disk the libvirt driver gives the root disk (virtio), as Nova's
# libvirt driver names it when the instance has no root_device_name yet.
DEFAULT_ROOT_DEVICE = '/dev/vda'

RANDOM_SEED_BYTES = 512


class UnknownVersion(LookupError):
    """A version name that is neither a known version nor ``latest``."""


def _resolve(version, versions):
    if version == LATEST:
        return versions[-1]
    if version not in versions:
        raise UnknownVersion(version)
    return version


def openstack_version(version):
    """The dated OpenStack version ``version`` (``latest`` included) stands for."""
    return _resolve(version, OPENSTACK_VERSIONS)


def ec2_version(version):
    """The dated EC2 version ``version`` (``latest`` included) stands for."""
    return _resolve(version, EC2_VERSIONS)


def _since(required, version, versions):
    return versions.index(version) >= versions.index(required)


def short_id(prefix, uuid):
    """``prefix-xxxxxxxx``: the first eight hex digits of ``uuid`` (EC2-style ids)."""
    return f'{prefix}-{uuid.replace("-", "")[:8]}'


class InstanceMetadata:
    """The metadata of one instance.

    :param instance: an ``InstancePayload``; ``security_groups`` (names)
        and ``root_device_name`` are used when present.
    :param network_info: the instance's ports (``compute.network.network_info``).
    :param address: the address the guest asked from (``X-Forwarded-For``),
        the EC2 ``local-ipv4`` when the instance has no fixed IPv4 (Nova's rule).
    """

    def __init__(self, instance, network_info, address=None):
        self.instance = instance
        self.network_info = list(network_info or ())
        self.address = address
        user_data = instance.get('user_data')
        self.user_data = base64.b64decode(user_data) if user_data is not None else None

    @property
    def uuid(self):
        return self.instance['uuid']

    @property
    def hostname(self):
        return self.instance.get('hostname') or self.instance['name']

    # --- OpenStack ------------------------------------------------------------

    def openstack_files(self, version):
        """The names under ``openstack/<version>/``, in Nova's order."""
        version = openstack_version(version)
        names = [META_DATA_JSON]
        if self.user_data is not None:
            names.append(USER_DATA)
        if _since(HAVANA, version, OPENSTACK_VERSIONS):
            names.append(VENDOR_DATA_JSON)
        if _since(LIBERTY, version, OPENSTACK_VERSIONS):
            names.append(NETWORK_DATA_JSON)
        if _since(NEWTON_TWO, version, OPENSTACK_VERSIONS):
            names.append(VENDOR_DATA2_JSON)
        return names

    def meta_data(self, version):
        """``meta_data.json`` of ``version``: only the keys Nova gives that version."""
        version = openstack_version(version)
        inst = self.instance
        data = {'uuid': self.uuid}
        if inst.get('metadata'):
            data['meta'] = dict(inst['metadata'])
        if inst.get('key_name'):
            data['public_keys'] = {inst['key_name']: inst.get('key_data')}
            data['keys'] = [{'name': inst['key_name'], 'type': _key_type(inst.get('key_data')),
                             'data': inst.get('key_data')}]
        data['hostname'] = self.hostname
        data['name'] = inst['name']
        data['launch_index'] = inst.get('launch_index') or 0
        data['availability_zone'] = inst.get('availability_zone')
        if _since(GRIZZLY, version, OPENSTACK_VERSIONS):
            data['random_seed'] = base64.b64encode(os.urandom(RANDOM_SEED_BYTES)).decode()
        if _since(LIBERTY, version, OPENSTACK_VERSIONS):
            data['project_id'] = inst['project_id']
        if _since(NEWTON_ONE, version, OPENSTACK_VERSIONS):
            # Device role tagging is not supported yet: no tagged devices.
            data['devices'] = []
        return data

    def network_data(self):
        """``network_data.json``: a link per port, a network per fixed IP, DNS services."""
        links, networks, services = [], [], []
        for vif in self.network_info:
            link_id = device_names.tap_name(vif['port_id'])
            links.append({'id': link_id, 'vif_id': vif['port_id'], 'type': 'bridge',
                          'mtu': vif.get('mtu'), 'ethernet_mac_address': vif.get('mac')})
            for ip in vif.get('ips') or ():
                if ip.get('type', 'fixed') != 'fixed':
                    continue
                networks.append({'id': f'network{len(networks)}',
                                 'type': 'ipv6_dhcp' if ip['version'] == 6 else 'ipv4_dhcp',
                                 'link': link_id, 'network_id': vif['network_id']})
            for address in vif.get('dns') or ():
                service = {'type': 'dns', 'address': address}
                if service not in services:
                    services.append(service)
        return {'links': links, 'networks': networks, 'services': services}

    @staticmethod
    def vendor_data():
        """``vendor_data.json`` and ``vendor_data2.json``: Stratus has no vendor data."""
        return {}

    # --- EC2 ------------------------------------------------------------------

    def _ips(self, kind, version):
        return [ip['addr'] for vif in self.network_info for ip in vif.get('ips') or ()
                if ip.get('type', 'fixed') == kind and ip.get('version') == version]

    def ec2_meta_data(self, version):
        """The EC2 ``meta-data`` tree of ``version`` as nested dicts.

        ``public-keys`` is ``{"0": {"openssh-key": key}}`` and its listing
        name ``0=<key name>`` is added by ``tree``.
        """
        version = ec2_version(version)
        inst = self.instance
        fixed = self._ips('fixed', 4)
        floating = self._ips('floating', 4)
        data = {}
        if inst.get('image_ref'):
            data['ami-id'] = short_id('ami', inst['image_ref'])
        data.update({
            'ami-launch-index': inst.get('launch_index') or 0,
            # Nova serves this placeholder: OpenStack images have no manifest.
            'ami-manifest-path': 'FIXME',
            'instance-id': short_id('i', self.uuid),
            'hostname': self.hostname,
            'local-ipv4': fixed[0] if fixed else (self.address or ''),
            'reservation-id': inst.get('reservation_id') or '',
            'security-groups': list(inst.get('security_groups') or ()),
        })
        if inst.get('key_name'):
            data['public-keys'] = {'0': {'openssh-key': inst.get('key_data')}}
        if _since('2007-01-19', version, EC2_VERSIONS):
            data['local-hostname'] = self.hostname
            data['public-hostname'] = self.hostname
            data['public-ipv4'] = floating[0] if floating else ''
        if _since('2007-08-29', version, EC2_VERSIONS):
            data['instance-type'] = (inst.get('flavor') or {}).get('name', '')
        if _since('2007-12-15', version, EC2_VERSIONS):
            root = inst.get('root_device_name') or DEFAULT_ROOT_DEVICE
            data['block-device-mapping'] = {'ami': root.removeprefix('/dev/'), 'root': root}
        if _since('2008-02-01', version, EC2_VERSIONS):
            data['placement'] = {'availability-zone': inst.get('availability_zone')}
        if _since('2008-09-01', version, EC2_VERSIONS):
            data['instance-action'] = 'none'
        return data


def _key_type(key_data):
    """The key pair's type: a PEM certificate is x509."""
    if key_data and key_data.lstrip().startswith('-----BEGIN CERTIFICATE-----'):
        return keypair_types.X509
    return keypair_types.SSH
