"""Nova's second time format, seconds and ``Z``.

Most resources (services, aggregates, usage, key pairs, instance actions,
a server's ``launched_at``) show times as Nova's JSON encoder writes a
datetime (``common.wsgi.timestamps.microsecond_time``); a server's
``created``/``updated`` use seconds and ``Z``.  Clients parse both, but
Tempest's schemas and operators' scripts expect what Nova sends.
"""


def iso_z(value):
    """Seconds and ``Z``: ``2012-10-29T13:42:02Z``."""
    return value.strftime('%Y-%m-%dT%H:%M:%SZ') if value is not None else None
