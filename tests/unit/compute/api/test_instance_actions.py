"""``/servers/{id}/os-instance-actions``: shapes per version, events, paging, isolation."""
import datetime
import urllib.parse

import pytest
import sqlalchemy as sa

from compute.db import models as m
from tests.unit.compute.api.test_server_actions import LAUNCHED, act, make_server
from tests.unit.image.fixtures import OTHER_PROJECT

ACTION_KEYS = {'action', 'instance_uuid', 'request_id', 'user_id', 'project_id', 'start_time',
               'message'}


def record(env, server_id, action, request_id, *, start, events=()):
    """An action as the API and the conductor leave it, with ``(event, result, tb)`` events."""
    with env.db.writer() as session:
        row = m.InstanceAction(action=action, instance_uuid=server_id, request_id=request_id,
                               user_id='user-member', project_id='project-p',
                               start_time=start, updated_at=start)
        session.add(row)
        session.flush()
        for offset, (event, result, traceback) in enumerate(events):
            session.add(m.InstanceActionEvent(
                action_id=row.id, event=event, result=result, traceback=traceback,
                start_time=start + datetime.timedelta(seconds=offset),
                finish_time=start + datetime.timedelta(seconds=offset + 1)))


def url(server_id, suffix=''):
    return f'/v2.1/servers/{server_id}/os-instance-actions{suffix}'


@pytest.fixture
def server_id(env):
    server_id = make_server(env)
    for i in range(3):
        record(env, server_id, ['create', 'stop', 'start'][i], f'req-{i}',
               start=LAUNCHED + datetime.timedelta(minutes=i))
    record(env, server_id, 'reboot', 'req-boom', start=LAUNCHED + datetime.timedelta(hours=1),
           events=[('compute_reboot_instance', 'Error', 'Traceback: boom')])
    return server_id


class TestList:

    def test_newest_first_in_the_2_1_shape(self, api, server_id):
        response = api.get(url(server_id))
        assert response.status_code == 200
        listed = response.json['instanceActions']
        assert [a['request_id'] for a in listed] == ['req-boom', 'req-2', 'req-1', 'req-0']
        assert set(listed[0]) == ACTION_KEYS
        assert listed[0]['start_time'] == '2026-01-01T13:00:00.000000'
        assert 'links' not in response.json

    def test_updated_at_from_2_58(self, api, server_id):
        listed = api.get(url(server_id), version='2.58').json['instanceActions']
        assert set(listed[0]) == ACTION_KEYS | {'updated_at'}

    def test_an_action_taken_through_the_api_is_listed(self, env, api):
        server_id = make_server(env)
        act(api, server_id, {'os-stop': None})
        (listed,) = api.get(url(server_id), version='2.60').json['instanceActions']
        assert (listed['action'], listed['user_id'], listed['project_id']) == \
            ('stop', 'user-member', 'project-p')
        assert listed['request_id'].startswith('req-')
        shown = api.get(url(server_id, f"/{listed['request_id']}")).json['instanceAction']
        assert shown['action'] == 'stop'

    def test_pages_by_request_id_from_2_58(self, api, server_id):
        response = api.get(url(server_id, '?limit=2'), version='2.58')
        assert [a['request_id'] for a in response.json['instanceActions']] == \
            ['req-boom', 'req-2']
        (link,) = response.json['links']
        assert link['rel'] == 'next'
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(link['href']).query)
        assert query == {'limit': ['2'], 'marker': ['req-2']}
        response = api.get(url(server_id, '?limit=2&marker=req-2'), version='2.58')
        assert [a['request_id'] for a in response.json['instanceActions']] == ['req-1', 'req-0']

    def test_paging_parameters_are_ignored_below_2_58(self, api, server_id):
        response = api.get(url(server_id, '?limit=1&marker=nope'), version='2.57')
        assert len(response.json['instanceActions']) == 4

    @pytest.mark.parametrize('query', ['marker=req-unknown', 'limit=-1', 'limit=x',
                                       'changes-since=yesterday'])
    def test_bad_paging_parameters_are_400(self, api, server_id, query):
        response = api.get(url(server_id, f'?{query}'), version='2.58')
        assert response.status_code == 400
        assert 'badRequest' in response.json

    def test_changes_since(self, api, server_id):
        since = urllib.parse.quote('2026-01-01T12:01:00Z')
        response = api.get(url(server_id, f'?changes-since={since}'), version='2.58')
        assert [a['request_id'] for a in response.json['instanceActions']] == \
            ['req-boom', 'req-2', 'req-1']

    def test_another_projects_server_is_404(self, api, server_id):
        assert api.get(url(server_id), as_='other_member').status_code == 404
        assert api.get(url(server_id, '/req-0'), as_='other_member').status_code == 404

    def test_a_reader_and_a_cloud_admin_may_list(self, api, server_id):
        assert api.get(url(server_id), as_='reader').status_code == 200
        assert api.get(url(server_id), as_='cloud_admin').status_code == 200
        assert api.get(url(server_id), as_='foo').status_code == 403


class TestShow:

    def test_no_events_for_members_below_2_51(self, api, server_id):
        shown = api.get(url(server_id, '/req-boom'), version='2.50').json['instanceAction']
        assert set(shown) == ACTION_KEYS

    def test_events_without_traceback_for_members_from_2_51(self, api, server_id):
        shown = api.get(url(server_id, '/req-boom'), version='2.51').json['instanceAction']
        assert shown['events'] == [{'event': 'compute_reboot_instance',
                                    'start_time': '2026-01-01T13:00:00.000000',
                                    'finish_time': '2026-01-01T13:00:01.000000',
                                    'result': 'Error'}]

    def test_admins_see_tracebacks_at_every_version(self, api, server_id):
        for version in ('2.1', '2.60'):
            shown = api.get(url(server_id, '/req-boom'), as_='cloud_admin',
                            version=version).json['instanceAction']
            assert shown['events'][0]['traceback'] == 'Traceback: boom'

    def test_unknown_request_id_is_404(self, api, server_id):
        response = api.get(url(server_id, '/req-nope'))
        assert response.status_code == 404
        assert response.json['itemNotFound']['message'] == 'Action req-nope not found'

    def test_another_servers_request_id_is_404(self, env, api, server_id):
        other = make_server(env)
        assert api.get(url(other, '/req-0')).status_code == 404


class TestDeletedServer:

    @pytest.fixture
    def deleted(self, env, server_id):
        with env.db.writer() as session:
            session.execute(sa.update(m.Instance).where(m.Instance.uuid == server_id)
                            .values(deleted_at=LAUNCHED, vm_state='deleted'))
        return server_id

    def test_readable_from_2_21(self, api, deleted):
        assert api.get(url(deleted), version='2.21').status_code == 200
        assert api.get(url(deleted, '/req-0'), version='2.21').status_code == 200

    def test_gone_below_2_21(self, api, deleted):
        assert api.get(url(deleted), version='2.20').status_code == 404

    def test_still_invisible_to_other_projects(self, env, api):
        server_id = make_server(env, project_id=OTHER_PROJECT, deleted_at=LAUNCHED,
                                vm_state='deleted')
        assert api.get(url(server_id), version='2.21').status_code == 404
