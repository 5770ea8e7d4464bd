"""Log lines carry the request ids (``common/log.py``)."""
import logging

from common import log
from common.context import RequestContext


def _record():
    return logging.LogRecord('x', logging.INFO, __file__, 1, 'hello', None, None)


def test_filter_adds_the_current_request_ids():
    ctx = RequestContext.for_request('req-1', 'req-2')
    ctx.update_store()
    record = _record()
    assert log.RequestIdFilter().filter(record)
    assert (record.request_id, record.global_request_id) == ('req-1', 'req-2')


def test_filter_outside_a_request(monkeypatch):
    monkeypatch.setattr('oslo_context.context.get_current', lambda: None)
    record = _record()
    log.RequestIdFilter().filter(record)
    assert (record.request_id, record.global_request_id) == ('-', '-')
