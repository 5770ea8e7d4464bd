"""IP protocols as security group rules name them (Neutron's names), without database code,
so that both the API (which checks rules) and the host agent (which writes them) use one table."""

PROTOCOL_NUMBERS = {'ah': 51, 'dccp': 33, 'egp': 8, 'esp': 50, 'gre': 47, 'icmp': 1,
                    'icmpv6': 58, 'igmp': 2, 'ipip': 4, 'ipv6-encap': 41, 'ipv6-frag': 44,
                    'ipv6-icmp': 58, 'ipv6-nonxt': 59, 'ipv6-opts': 60, 'ipv6-route': 43,
                    'ospf': 89, 'pgm': 113, 'rsvp': 46, 'sctp': 132, 'tcp': 6, 'udp': 17,
                    'udplite': 136, 'vrrp': 112}
PORT_PROTOCOLS = (6, 17, 33, 132, 136)  # the protocols with ports: tcp, udp, dccp, sctp, udplite
ICMP_PROTOCOLS = (1, 58)


def protocol_number(protocol):
    """``protocol`` (a name, a number as a string, or None/'any') as a number or None.

    :raises ValueError: not a protocol a rule may name.
    """
    if protocol is None or str(protocol).lower() in ('any', ''):
        return None
    text = str(protocol).lower()
    if text in PROTOCOL_NUMBERS:
        return PROTOCOL_NUMBERS[text]
    if text.isdigit() and 0 <= int(text) <= 255:
        return int(text)
    raise ValueError(f'unknown protocol {protocol!r}')
