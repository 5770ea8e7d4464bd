"""Response builders: ORM rows to the JSON Glance clients expect."""


def iso(value):
    """Glance's time format: ``2026-01-01T00:00:00Z``."""
    return value.strftime('%Y-%m-%dT%H:%M:%SZ') if value is not None else None
