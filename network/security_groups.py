"""Security groups and their rules, with each project's ``default`` group.

The ``default`` group of a project is created on first use (listing groups,
creating a group or a port), exactly once: a row keyed by the project in
``default_security_groups`` makes a second, concurrent creation fail, and
the loser uses the winner's group.  Its rules are Neutron's: all egress,
and ingress from members of the same group, for IPv4 and IPv6.
"""
import hashlib

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common.db.session import is_duplicate_entry
from network import cidrs
from network import exceptions as net_exc
from network import protocols
from network import quotas
from network.db import api as db_api
from network.db import models as m

ETHERTYPES = ('IPv4', 'IPv6')


def visible(caller):
    return sa.true() if caller.is_admin else m.SecurityGroup.project_id == caller.project_id


def get(session, caller, group_id):
    group = session.execute(sa.select(m.SecurityGroup).where(
        m.SecurityGroup.id == group_id, visible(caller))).scalar_one_or_none()
    if group is None:
        raise net_exc.SecurityGroupNotFound(id=group_id)
    return group


def _new_group(session, project_id, name, description):
    group = m.SecurityGroup(project_id=project_id, name=name, description=description)
    session.add(group)
    session.flush()
    for ethertype in ETHERTYPES:
        _add_rule(session, group, {'direction': 'egress', 'ethertype': ethertype})
    return group


def ensure_default(session, project_id):
    """The project's ``default`` group, created now if it has none."""
    existing = session.get(m.DefaultSecurityGroup, project_id)
    if existing is not None:
        return session.get(m.SecurityGroup, existing.security_group_id)
    try:
        with session.begin_nested():
            group = _new_group(session, project_id, 'default', 'Default security group')
            for ethertype in ETHERTYPES:
                _add_rule(session, group, {'direction': 'ingress', 'ethertype': ethertype,
                                           'remote_group_id': group.id})
            session.add(m.DefaultSecurityGroup(project_id=project_id,
                                               security_group_id=group.id))
            session.flush()
        return group
    except sa_exc.IntegrityError as exc:
        if not is_duplicate_entry(exc):
            raise
    winner = session.execute(sa.select(m.DefaultSecurityGroup).where(
        m.DefaultSecurityGroup.project_id == project_id)).scalar_one()
    return session.get(m.SecurityGroup, winner.security_group_id)


def is_default(session, group):
    return session.execute(sa.select(m.DefaultSecurityGroup).where(
        m.DefaultSecurityGroup.security_group_id == group.id)).first() is not None


def create(session, conf, project_id, attrs):
    ensure_default(session, project_id)
    if attrs.get('name') == 'default':
        raise net_exc.SecurityGroupDefaultAlreadyExists()
    quotas.check(session, conf, project_id, 'security_group')
    return _new_group(session, project_id, attrs.get('name') or '',
                      attrs.get('description') or '')


def delete(session, caller, group):
    if is_default(session, group) and not caller.is_admin:
        raise net_exc.DefaultSecurityGroupUndeletable()
    in_use = session.execute(sa.select(m.PortSecurityGroup).where(
        m.PortSecurityGroup.security_group_id == group.id)).first()
    if in_use is not None:
        raise net_exc.SecurityGroupInUse(id=group.id)
    session.delete(group)


def protocol_number(protocol):
    """``protocols.protocol_number``, refusing unknown ones as Neutron does."""
    try:
        return protocols.protocol_number(protocol)
    except ValueError:
        raise net_exc.InvalidInput(detail=f'Security group rule protocol {protocol} not '
                                          f'supported. Only protocol values '
                                          f'{sorted(protocols.PROTOCOL_NUMBERS)} and integer '
                                          'representations [0 to 255] are supported') from None


def _check_ports(number, low, high):
    if number in protocols.PORT_PROTOCOLS:
        for value in (low, high):
            if value is not None and not 0 <= value <= 65535:
                raise net_exc.InvalidInput(detail=f'Invalid value for port {value}')
        if low is not None and high is not None and low > high:
            raise net_exc.InvalidInput(detail='For TCP/UDP protocols, port_range_min must '
                                              'be <= port_range_max')
        if (low is None) != (high is None):
            raise net_exc.InvalidInput(detail='Both port_range_min and port_range_max must '
                                              'be given, or neither')
    elif number in protocols.ICMP_PROTOCOLS:
        for name, value in (('type', low), ('code', high)):
            if value is not None and not 0 <= value <= 255:
                raise net_exc.InvalidInput(detail=f'Invalid value for ICMP {name} {value}')
        if low is None and high is not None:
            raise net_exc.InvalidInput(detail='ICMP code (port-range-max) given without '
                                              'ICMP type (port-range-min)')
    elif low is not None or high is not None:
        raise net_exc.InvalidInput(detail='Port range is only allowed for TCP, UDP, UDPLITE, '
                                          'SCTP, DCCP, ICMP and ICMPv6 protocols')


def _normalise(attrs):
    """The rule's columns, validated, and its fingerprint."""
    ethertype = attrs.get('ethertype') or 'IPv4'
    direction = attrs['direction']
    number = protocol_number(attrs.get('protocol'))
    if number == 1 and ethertype == 'IPv6':
        number = 58  # Neutron treats "icmp" on IPv6 as ICMPv6
    low, high = attrs.get('port_range_min'), attrs.get('port_range_max')
    _check_ports(number, low, high)
    prefix = attrs.get('remote_ip_prefix')
    if prefix is not None and attrs.get('remote_group_id') is not None:
        raise net_exc.InvalidInput(detail='Only remote_ip_prefix or remote_group_id may be '
                                          'provided.')
    if prefix is not None:
        network = cidrs.parse_network(prefix, 'remote_ip_prefix')
        if f'IPv{network.version}' != ethertype:
            raise net_exc.InvalidInput(detail=f'Conflicting value ethertype {ethertype} for '
                                              f'CIDR {prefix}')
        prefix = str(network)
    values = {'direction': direction, 'ethertype': ethertype,
              'protocol': attrs.get('protocol') if attrs.get('protocol') not in ('any', '')
              else None,
              'port_range_min': low, 'port_range_max': high, 'remote_ip_prefix': prefix,
              'remote_group_id': attrs.get('remote_group_id')}
    # 0.0.0.0/0 and ::/0 mean "anywhere", the same as no prefix.
    fingerprint_prefix = None if prefix in ('0.0.0.0/0', '::/0') else prefix
    key = '|'.join(str(v) for v in (direction, ethertype, number, low, high,
                                     fingerprint_prefix, values['remote_group_id']))
    values['fingerprint'] = hashlib.sha256(key.encode()).hexdigest()
    return values


def _add_rule(session, group, attrs, description=''):
    values = _normalise(attrs)
    duplicate = session.execute(sa.select(m.SecurityGroupRule.id).where(
        m.SecurityGroupRule.security_group_id == group.id,
        m.SecurityGroupRule.fingerprint == values['fingerprint'])).scalar()
    if duplicate is not None:
        raise net_exc.SecurityGroupRuleExists(id=duplicate)
    rule = m.SecurityGroupRule(project_id=group.project_id, security_group_id=group.id,
                               description=description or '', **values)
    try:
        with session.begin_nested():
            session.add(rule)
    except sa_exc.IntegrityError as exc:
        if not is_duplicate_entry(exc):
            raise
        raise net_exc.SecurityGroupRuleExists(id='(created concurrently)') from None
    return rule


def rules_visible(caller):
    if caller.is_admin:
        return sa.true()
    owned_groups = sa.select(m.SecurityGroup.id).where(
        m.SecurityGroup.project_id == caller.project_id)
    return sa.or_(m.SecurityGroupRule.project_id == caller.project_id,
                  m.SecurityGroupRule.security_group_id.in_(owned_groups))


def get_rule(session, caller, rule_id):
    rule = session.execute(sa.select(m.SecurityGroupRule).where(
        m.SecurityGroupRule.id == rule_id, rules_visible(caller))).scalar_one_or_none()
    if rule is None:
        raise net_exc.SecurityGroupRuleNotFound(id=rule_id)
    return rule


def delete_rule(session, rule):
    """Delete ``rule``; its group's revision moves, as when a rule is added."""
    db_api.bump_revision(session.get(m.SecurityGroup, rule.security_group_id))
    session.delete(rule)


def create_rule(session, conf, caller, attrs):
    group = get(session, caller, attrs['security_group_id'])
    if attrs.get('remote_group_id') is not None:
        get(session, caller, attrs['remote_group_id'])
    quotas.check(session, conf, group.project_id, 'security_group_rule')
    rule = _add_rule(session, group, attrs, attrs.get('description'))
    db_api.bump_revision(group)
    session.flush()
    return rule
