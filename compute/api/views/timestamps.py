"""Nova's time format for admin resources: naive UTC with microseconds.

Services, aggregates and usage reports show times as Nova's JSON encoder
writes a datetime (``2012-10-29T13:42:02.000000``), not the ``Z`` form
of servers; clients parse both, but Tempest's schemas and operators'
scripts expect what Nova sends.
"""


def nova_time(value):
    return value.strftime('%Y-%m-%dT%H:%M:%S.%f') if value is not None else None
