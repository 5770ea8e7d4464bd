"""The request context (``common/context.py``) and its path over the wire."""
from common.context import RequestContext


def test_for_request_is_anonymous_and_not_admin():
    ctx = RequestContext.for_request('req-1', 'req-2')
    assert (ctx.request_id, ctx.global_request_id) == ('req-1', 'req-2')
    assert not ctx.is_admin and not ctx.is_admin_project
    assert ctx.user_id is None and ctx.roles == []


def test_admin_context_for_the_service_itself():
    ctx = RequestContext.admin()
    assert ctx.is_admin and ctx.roles == ['admin']
    assert ctx.request_id.startswith('req-')
    assert RequestContext.admin('req-x').request_id == 'req-x'


def test_round_trip_through_a_dict():
    ctx = RequestContext(user_id='u', project_id='p', roles=['member'], system_scope=None,
                         request_id='req-1', global_request_id='req-2', overwrite=False)
    copy = RequestContext.from_dict(ctx.to_dict())
    assert isinstance(copy, RequestContext)
    assert (copy.user_id, copy.project_id, copy.roles, copy.request_id,
            copy.global_request_id) == ('u', 'p', ['member'], 'req-1', 'req-2')
