"""Nova's two time formats.

Most resources (services, aggregates, usage, key pairs, instance actions,
a server's ``launched_at``) show times as Nova's JSON encoder writes a
datetime, naive UTC with microseconds (``2012-10-29T13:42:02.000000``);
a server's ``created``/``updated`` use seconds and ``Z``.  Clients parse
both, but Tempest's schemas and operators' scripts expect what Nova sends.
"""


def nova_time(value):
    """Microseconds, no zone: ``2012-10-29T13:42:02.000000``."""
    return value.strftime('%Y-%m-%dT%H:%M:%S.%f') if value is not None else None


def iso_z(value):
    """Seconds and ``Z``: ``2012-10-29T13:42:02Z``."""
    return value.strftime('%Y-%m-%dT%H:%M:%SZ') if value is not None else None
