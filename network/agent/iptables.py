"""The agent's own chains of the filter table: read by iptables-save, written by iptables-restore.

The agent never edits rules one at a time: it writes the whole content of
its chains in one ``iptables-restore --noflush`` transaction, so a change
is atomic (no instant where a port is half filtered) and nobody else's
rules are touched: with ``--noflush`` only the chains declared in the input
are flushed and rewritten.  The built-in chains are never declared (that
would reset their policy); the agent's jumps from them are inserted or
deleted one by one inside the same transaction.
"""
import collections
import dataclasses

from network.agent import ip_lib

_SAVE = {4: 'iptables-save', 6: 'ip6tables-save'}
_RESTORE = {4: 'iptables-restore', 6: 'ip6tables-restore'}


@dataclasses.dataclass(frozen=True)
class Observed:
    """Which chains of the agent's prefix exist, and the jumps to them from other chains.

    :ivar chains: chain names.
    :ivar jumps: sorted ``(from_chain, to_chain)`` pairs, repeated as often as
        the rule is found (a jump inserted twice must be deleted twice).
    """
    chains: frozenset
    jumps: tuple


@dataclasses.dataclass(frozen=True)
class Table:
    """What the filter table must hold of the agent's.

    :ivar chains: ``{chain name: (rule, ...)}``, rules in ``iptables -A``
        syntax without the ``-A <chain>`` head.
    :ivar jumps: ``(built-in chain, our chain)`` pairs: each built-in chain
        starts with ``-j <our chain>``.
    """
    chains: dict
    jumps: tuple

    def expected(self):
        """The ``Observed`` form of this table once written."""
        return Observed(frozenset(self.chains), tuple(sorted(self.jumps)))


def observe(version, prefix):
    """The chains ``prefix…`` of the IPv4 (4) or IPv6 (6) filter table, and the jumps to them."""
    chains, jumps = set(), []
    for line in ip_lib.run([_SAVE[version], '-t', 'filter']).splitlines():
        if line.startswith(':' + prefix):
            chains.add(line[1:].split()[0])
        elif line.startswith('-A '):
            words = line.split()
            if (len(words) == 4 and words[2] == '-j' and words[3].startswith(prefix)
                    and not words[1].startswith(prefix)):
                jumps.append((words[1], words[3]))
    return Observed(frozenset(chains), tuple(sorted(jumps)))


def render(table, observed):
    """The iptables-restore input that turns ``observed`` into ``table``.

    Our chains are all declared (so flushed) first, so that a stale chain is
    no longer referenced when it is deleted at the end.
    """
    stale = sorted(observed.chains - table.chains.keys())
    lines = ['*filter']
    lines += [f':{name} - [0:0]' for name in [*table.chains, *stale]]
    present = collections.Counter(observed.jumps)
    for (builtin, target), count in sorted(present.items()):
        keep = 1 if (builtin, target) in table.jumps else 0
        lines += [f'-D {builtin} -j {target}'] * (count - keep)
    for name, rules in table.chains.items():
        lines += [f'-A {name} {rule}' for rule in rules]
    lines += [f'-I {builtin} 1 -j {target}' for builtin, target in table.jumps
              if not present[(builtin, target)]]
    lines += [f'-X {name}' for name in stale]
    lines.append('COMMIT')
    return '\n'.join(lines) + '\n'


def restore(version, text):
    """Apply ``text`` (from ``render``) to the IPv4 (4) or IPv6 (6) filter table, atomically.

    :raises ip_lib.CommandError: the input was refused; nothing was changed.
    """
    ip_lib.run([_RESTORE[version], '-w', '--noflush'], input=text)
