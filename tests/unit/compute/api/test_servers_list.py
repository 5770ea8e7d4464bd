"""GET /servers and /servers/detail: isolation, filters, sorting, paging."""
import datetime
import json

import pytest

from common.db.types import utcnow
from compute.db import models
from tests.unit.compute.api import server_fakes as fakes
from tests.unit.compute.api.server_fakes import IMAGE_ID, OTHER_IMAGE_ID, make_server


@pytest.fixture
def cloud(env):
    return fakes.prepare(env)


def _names(response):
    assert response.status_code == 200, response.json
    return [s['name'] for s in response.json['servers']]


def _list(cloud, query='', detail=False, **kwargs):
    kwargs.setdefault('version', '2.60')
    path = '/v2.1/servers/detail' if detail else '/v2.1/servers'
    return cloud.api.get(f'{path}?{query}' if query else path, **kwargs)


def test_projects_see_only_their_servers_newest_first(cloud):
    make_server(cloud, name='a')
    make_server(cloud, name='b')
    make_server(cloud, name='theirs', project_id=fakes.OTHER_PROJECT)
    response = _list(cloud)
    assert _names(response) == ['b', 'a']
    assert set(response.json['servers'][0]) == {'id', 'links', 'name'}
    assert _names(_list(cloud, as_='other_member')) == ['theirs']
    assert _names(_list(cloud, as_='reader', detail=True)) == ['b', 'a']


def test_all_tenants_is_for_cloud_admins(cloud):
    make_server(cloud, name='a')
    make_server(cloud, name='theirs', project_id=fakes.OTHER_PROJECT)
    assert _list(cloud, 'all_tenants=True').status_code == 403
    assert sorted(_names(_list(cloud, 'all_tenants=True', as_='cloud_admin'))) == \
        ['a', 'theirs']
    assert _names(_list(cloud, 'all_tenants=1&project_id=project-q', as_='cloud_admin')) == \
        ['theirs']
    assert _names(_list(cloud, 'all_tenants&tenant_id=project-p', as_='cloud_admin')) == ['a']
    assert _names(_list(cloud, as_='cloud_admin')) == []  # the admin's own project


def test_deleted_servers_are_hidden_and_deleted_false_is_accepted(cloud):
    make_server(cloud, name='alive')
    make_server(cloud, name='gone', vm_state='deleted', deleted_at=utcnow())
    assert _names(_list(cloud, 'deleted=False', detail=True)) == ['alive']
    assert _names(_list(cloud, 'deleted=True')) == ['alive']  # ignored for non-admins
    assert _names(_list(cloud, 'all_tenants=1&deleted=True', as_='cloud_admin')) == ['gone']
    response = _list(cloud, 'status=DELETED')
    assert response.status_code == 403
    assert response.json['forbidden']['message'] == \
        'Only administrators may list deleted instances'


def test_changes_since_includes_recently_deleted(cloud):
    old = utcnow() - datetime.timedelta(days=2)
    make_server(cloud, name='old', updated_at=old, created_at=old)
    make_server(cloud, name='new')
    make_server(cloud, name='gone', vm_state='deleted', deleted_at=utcnow())
    since = (utcnow() - datetime.timedelta(days=1)).strftime('%Y-%m-%dT%H:%M:%SZ')
    assert sorted(_names(_list(cloud, f'changes-since={since}'))) == ['gone', 'new']
    assert _list(cloud, 'changes-since=yesterday').status_code == 400


def test_name_is_a_regular_expression(cloud):
    for name in ('web-1', 'web-2', 'db-1'):
        make_server(cloud, name=name)
    assert sorted(_names(_list(cloud, 'name=web'))) == ['web-1', 'web-2']
    assert _names(_list(cloud, 'name=^db-1$')) == ['db-1']
    assert _list(cloud, 'name=(').status_code == 400


def test_status_image_flavor_and_reservation_filters(cloud):
    make_server(cloud, name='running')
    make_server(cloud, name='stopped', vm_state='stopped')
    make_server(cloud, name='rebooting', task_state='rebooting')
    make_server(cloud, name='other-image', image_ref=OTHER_IMAGE_ID, reservation_id='r-1')
    small = json.dumps({'id': '2', 'name': 'm1.small', 'vcpus': 2, 'ram': 2048, 'disk': 20})
    make_server(cloud, name='small', flavor=small)
    assert sorted(_names(_list(cloud, 'status=SHUTOFF&status=REBOOT'))) == \
        ['rebooting', 'stopped']
    assert sorted(_names(_list(cloud, 'status=active'))) == ['other-image', 'running', 'small']
    assert _names(_list(cloud, 'status=NOPE')) == []
    assert 'other-image' not in _names(_list(cloud, f'image={IMAGE_ID}'))
    assert _names(_list(cloud, f'image=http://x/images/{OTHER_IMAGE_ID}')) == ['other-image']
    assert _names(_list(cloud, 'flavor=2')) == ['small']
    assert _names(_list(cloud, 'reservation_id=r-1')) == ['other-image']


def test_ip_filter_matches_addresses(cloud):
    info = [{'port_id': 'p', 'network_id': 'n', 'network_name': 'private',
             'mac': 'fa:16:3e:00:00:01',
             'ips': [{'addr': '10.0.0.5', 'version': 4, 'type': 'fixed'},
                     {'addr': 'fd00::5', 'version': 6, 'type': 'fixed'}]}]
    make_server(cloud, name='addressed', network_info=json.dumps(info))
    make_server(cloud, name='bare')
    assert _names(_list(cloud, 'ip=10.0.0.5')) == ['addressed']
    assert _names(_list(cloud, r'ip=^10\.0\.0\.6$')) == []
    assert _names(_list(cloud, 'ip6=fd00::5')) == ['addressed']


def test_admin_only_filters_are_ignored_for_projects(cloud):
    make_server(cloud, name='h1')
    make_server(cloud, name='h2', host='host2', user_id='someone')
    assert sorted(_names(_list(cloud, 'host=host2'))) == ['h1', 'h2']
    assert sorted(_names(_list(cloud, 'user_id=someone'))) == ['h1', 'h2']
    admin = {'as_': 'cloud_admin'}
    assert _names(_list(cloud, 'all_tenants=1&host=host2', **admin)) == ['h2']
    assert _names(_list(cloud, 'all_tenants=1&user_id=someone', **admin)) == ['h2']


def test_tag_filters_from_2_26(cloud):
    tagged = {'a': ['red', 'big'], 'b': ['red'], 'c': []}
    for name, tags in tagged.items():
        uuid = make_server(cloud, name=name)
        for tag in tags:
            with cloud.db.writer() as session:
                session.add(models.InstanceTag(instance_uuid=uuid, tag=tag))
    assert _names(_list(cloud, 'tags=red,big')) == ['a']
    assert sorted(_names(_list(cloud, 'tags-any=big,red'))) == ['a', 'b']
    assert sorted(_names(_list(cloud, 'not-tags=red,big'))) == ['b', 'c']
    assert _names(_list(cloud, 'not-tags-any=red')) == ['c']
    assert len(_names(_list(cloud, 'tags=red', version='2.25'))) == 3


def test_sort_keys_and_directions(cloud):
    for name in ('b', 'c', 'a'):
        make_server(cloud, name=name)
    assert _names(_list(cloud, 'sort_key=display_name&sort_dir=asc')) == ['a', 'b', 'c']
    assert _names(_list(cloud, 'sort_key=display_name')) == ['c', 'b', 'a']
    assert _list(cloud, 'sort_key=nope').status_code == 400
    assert _list(cloud, 'sort_key=display_name&sort_dir=up').status_code == 400
    response = _list(cloud, 'sort_key=display_name&sort_dir=asc&sort_dir=desc')
    assert response.json['badRequest']['message'] == 'Sort direction size exceeds sort key size'


def test_marker_and_limit_page_through_with_next_links(cloud):
    for i in range(5):
        make_server(cloud, name=f's{i}')
    response = _list(cloud, 'limit=2&sort_key=display_name&sort_dir=asc')
    assert _names(response) == ['s0', 's1']
    (link,) = response.json['servers_links']
    assert link['rel'] == 'next'
    assert f"marker={response.json['servers'][-1]['id']}" in link['href']
    assert '/v2.1/servers?' in link['href']
    seen = _names(response)
    while 'servers_links' in response.json:
        href = response.json['servers_links'][0]['href']
        response = cloud.api.get(href[href.index('/v2.1'):], version='2.60')
        seen += _names(response)
    assert seen == [f's{i}' for i in range(5)]


def test_default_page_size_and_max_limit(make_env):
    cloud = fakes.prepare(make_env(compute__limit_param_default=2, api__max_limit=3))
    for i in range(4):
        make_server(cloud, name=f's{i}')
    assert len(_names(_list(cloud))) == 2
    assert len(_names(_list(cloud, 'limit=10'))) == 3


def test_unknown_marker_is_400(cloud):
    response = _list(cloud, 'marker=9b5b4c1d-3d8e-4a8d-9c52-0a4f4c3f2a11')
    assert response.status_code == 400
    assert response.json['badRequest']['message'] == \
        'marker [9b5b4c1d-3d8e-4a8d-9c52-0a4f4c3f2a11] not found'


def test_unknown_filters_are_ignored(cloud):
    make_server(cloud, name='a')
    assert _names(_list(cloud, 'frobnicate=1')) == ['a']
