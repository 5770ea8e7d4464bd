"""Times in API bodies as Nova's and Cinder's JSON encoders write a datetime.

Naive UTC with microseconds (``2012-10-29T13:42:02.000000``): clients parse
any ISO 8601 time, but Tempest's schemas and operators' scripts expect what
the OpenStack services send.  This module imports nothing, so that pure
modules (``volume.snapshot_schedules``) can use it.
"""
import datetime


def microsecond_time(value):
    """A UTC time, naive or aware, as ``2012-10-29T13:42:02.000000``; ``None`` stays ``None``."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc)
    return value.strftime('%Y-%m-%dT%H:%M:%S.%f')
