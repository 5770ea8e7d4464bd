"""``tenant_usage`` bodies: ``compute.usage`` sums with Nova's time format."""
from common.wsgi.timestamps import microsecond_time

_TIMES = ('start', 'stop', 'started_at', 'ended_at')


def _with_times(entry):
    return {key: microsecond_time(value) if key in _TIMES else value
            for key, value in entry.items()}


def render(summary):
    body = _with_times(summary)
    if 'server_usages' in summary:
        body['server_usages'] = [_with_times(u) for u in summary['server_usages']]
    return body
