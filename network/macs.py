"""MAC addresses of ports: the first three bytes of ``base_mac``, the rest random."""
import random
import re

from network import exceptions as net_exc

_MAC = re.compile(r'^([0-9a-f]{2}:){5}[0-9a-f]{2}$')


def generate(base_mac):
    prefix = base_mac.lower().split(':')[:3]
    return ':'.join(prefix + [f'{random.randint(0, 255):02x}' for _ in range(3)])


def normalise(value):
    """``value`` as lower-case colon-separated hex; 400 when it is not a unicast MAC."""
    mac = value.strip().lower().replace('-', ':')
    if not _MAC.match(mac) or int(mac[:2], 16) & 1 or mac == '00:00:00:00:00:00':
        raise net_exc.InvalidInput(detail=f"'{value}' is not a valid MAC address")
    return mac
