"""Response builders: ORM rows to the JSON Keystone clients expect."""
import datetime


def iso(value):
    """Keystone's time format: ``2026-01-01T00:00:00.000000Z``."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value.strftime('%Y-%m-%dT%H:%M:%S.%fZ')
