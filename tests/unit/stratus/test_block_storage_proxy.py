"""``conn.block_storage`` against a fake HTTP transport: what is sent, and what is done
with answers."""
import datetime
import json
import urllib.parse

import pytest
import requests
from keystoneauth1 import access
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from keystoneauth1.identity import access as access_plugin

import stratus
from stratus import exceptions
from stratus.block_storage import proxy
from stratus.block_storage.exceptions import ResourceFailed, WaitTimeout
from tests.unit.stratus.test_image_proxy import FakeTransport

PROJECT_ID = '5d3f1b2a9c8e4f7a8b6c5d4e3f2a1b0c'
ROOT = 'http://volume.test:8776'
ENDPOINT = f'{ROOT}/v3/{PROJECT_ID}'
PREFIX = f'/v3/{PROJECT_ID}'
VOLUME_ID = '2c9e4a1b-7d3f-4e8a-9b6c-1d2e3f4a5b6c'
NOT_FOUND = (404, {}, {'itemNotFound': {'code': 404, 'message': 'Volume could not be found.'}})


def version_document(version='3.70'):
    """What Cinder answers at ``GET /v3``."""
    return {'versions': [{'id': 'v3.0', 'status': 'CURRENT', 'version': version,
                          'min_version': '3.0' if version else '', 'links': [
                              {'rel': 'self', 'href': f'{ROOT}/v3/'}]}]}


class Cloud:
    """Answers ``routes[(method, path below the project URL)]`` (a value, or a
    ``(status, headers, body)``; a list is taken in turn), the version document
    at ``/v3``, and a Cinder 404 for anything else."""

    def __init__(self, routes, server_max='3.70'):
        self.routes = {key: list(v) if isinstance(v, list) else [v] for key, v in routes.items()}
        self.server_max = server_max

    def __call__(self, request, body):
        path = request.path_url.split('?')[0]
        if request.method == 'GET' and path == '/v3':
            return 200, {}, version_document(self.server_max)
        answers = self.routes.get((request.method, path.removeprefix(PREFIX)))
        if not path.startswith(PREFIX + '/') or answers is None:
            return NOT_FOUND
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return answer if isinstance(answer, tuple) else (200, {}, answer)


def _catalog_plugin(service_type):
    """An auth plugin whose token's catalog lists the volume service as ``service_type``."""
    domain = {'id': 'default', 'name': 'Default'}
    token = {'token': {
        'methods': ['password'], 'expires_at': '2999-01-01T00:00:00Z',
        'user': {'id': 'u1', 'name': 'demo', 'domain': domain},
        'project': {'id': PROJECT_ID, 'name': 'demo', 'domain': domain},
        'catalog': [{'type': service_type, 'id': 's1', 'name': 'cinder', 'endpoints': [
            {'id': 'e1', 'interface': 'public', 'region': 'RegionOne',
             'region_id': 'RegionOne', 'url': ENDPOINT}]}]}}
    return access_plugin.AccessInfoPlugin(access.AccessInfoV3(token, auth_token='token'))


@pytest.fixture
def serve():
    """``serve(routes, server_max, auth)`` -> ``(conn, transport)``."""
    made = []

    def make(routes=None, server_max='3.70', auth=None):
        transport = FakeTransport(Cloud(routes or {}, server_max))
        http = requests.Session()
        http.mount('http://', transport)
        session = ks_session.Session(auth=auth or token_endpoint.Token(ENDPOINT, 'token'),
                                     session=http)
        made.append(http)
        return stratus.Connection(session=session), transport

    yield make
    for http in made:
        http.close()


def _sent(transport, index=-1):
    """``(method, path below the project URL, query, JSON body)`` of a sent request."""
    method, url, _headers, body, _chunks = transport.sent[index]
    parts = urllib.parse.urlsplit(url)
    return (method, parts.path.removeprefix(PREFIX), urllib.parse.parse_qs(parts.query),
            json.loads(body or 'null'))


def _volume(status='available', **attrs):
    return {'volume': {'id': VOLUME_ID, 'name': 'vol1', 'status': status, 'size': 1,
                       **attrs}}


# --- endpoint and microversions -------------------------------------------------------------

@pytest.mark.parametrize('endpoint, url', [
    (ENDPOINT, f'{ROOT}/v3'),
    (ENDPOINT + '/', f'{ROOT}/v3'),
    (f'{ROOT}/v3', f'{ROOT}/v3'),
    (f'http://h/volume/v3/{PROJECT_ID}', 'http://h/volume/v3'),
    ('http://h:8776', 'http://h:8776'),
])
def test_the_version_document_is_read_from_the_v3_url_without_the_project(endpoint, url):
    assert proxy.version_url(endpoint) == url


@pytest.mark.parametrize('document, version', [
    (version_document('3.59'), '3.59'),
    ({'version': {'id': 'v3.0', 'version': '3.50'}}, '3.50'),
    ({'versions': [{'id': 'v2.0', 'version': ''}, {'id': 'v3.0', 'version': '3.27'}]}, '3.27'),
    ({'versions': []}, None),
])
def test_advertised_version_reads_cinder_and_nova_shapes(document, version):
    assert proxy.advertised_version(document) == version


def test_every_request_names_the_negotiated_volume_version_after_one_discovery(serve):
    conn, transport = serve({('GET', f'/volumes/{VOLUME_ID}'): _volume()}, server_max='3.60')
    conn.block_storage.get_volume(VOLUME_ID)
    conn.block_storage.get_volume({'id': VOLUME_ID})
    assert [s[1] for s in transport.sent] == [f'{ROOT}/v3', f'{ENDPOINT}/volumes/{VOLUME_ID}',
                                              f'{ENDPOINT}/volumes/{VOLUME_ID}']
    for _method, _url, headers, _body, _chunks in transport.sent[1:]:
        assert headers['OpenStack-API-Version'] == 'volume 3.60'


def test_the_version_is_capped_at_3_65(serve):
    conn, transport = serve({('GET', f'/volumes/{VOLUME_ID}'): _volume()}, server_max='3.71')
    conn.block_storage.get_volume(VOLUME_ID)
    assert transport.sent[-1][2]['OpenStack-API-Version'] == 'volume 3.65'


def test_a_server_without_microversions_gets_no_version_header(serve):
    conn, transport = serve({('GET', f'/volumes/{VOLUME_ID}'): _volume()}, server_max='')
    conn.block_storage.get_volume(VOLUME_ID)
    assert 'OpenStack-API-Version' not in transport.sent[-1][2]


@pytest.mark.parametrize('service_type', ['block-storage', 'volumev3', 'volume'])
def test_the_endpoint_is_found_under_the_service_type_or_its_aliases(serve, service_type):
    conn, transport = serve({('GET', f'/volumes/{VOLUME_ID}'): _volume()},
                            auth=_catalog_plugin(service_type))
    assert conn.block_storage.get_volume(VOLUME_ID).id == VOLUME_ID
    assert transport.sent[-1][1] == f'{ENDPOINT}/volumes/{VOLUME_ID}'
    assert transport.sent[-1][2]['X-Auth-Token'] == 'token'


def test_a_catalog_without_the_service_is_an_sdk_error(serve):
    conn, _ = serve(auth=_catalog_plugin('compute'))
    with pytest.raises(exceptions.SDKError):
        conn.block_storage.get_volume(VOLUME_ID)


# --- volumes -------------------------------------------------------------------------

def test_create_volume_sends_cinder_names_and_leaves_out_none(serve):
    conn, transport = serve({('POST', '/volumes'): (202, {}, _volume('creating'))})
    created = conn.block_storage.create_volume(
        2, name='vol1', image_id={'id': 'img'}, volume_type='fast', metadata={'k': 'v'},
        description=None, backup_id=None)
    assert created.status == 'creating'
    assert _sent(transport)[:2] == ('POST', '/volumes')
    assert _sent(transport)[3] == {'volume': {'size': 2, 'name': 'vol1', 'imageRef': 'img',
                                              'volume_type': 'fast', 'metadata': {'k': 'v'}}}


def test_create_volume_from_a_snapshot_or_a_volume_takes_resources(serve):
    conn, transport = serve({('POST', '/volumes'): (202, {}, _volume('creating'))})
    conn.block_storage.create_volume(snapshot_id={'id': 's1'}, multiattach=False)
    assert _sent(transport)[3] == {'volume': {'snapshot_id': 's1', 'multiattach': False}}
    conn.block_storage.create_volume(source_volid={'id': VOLUME_ID})
    assert _sent(transport)[3] == {'volume': {'source_volid': VOLUME_ID}}


def test_volumes_follow_the_next_links_and_send_all_tenants(serve):
    page2 = f'{ENDPOINT}/volumes/detail?all_tenants=True&marker=a'
    conn, transport = serve({('GET', '/volumes/detail'): [
        {'volumes': [{'id': 'a'}], 'volumes_links': [{'rel': 'next', 'href': page2}]},
        {'volumes': [{'id': 'b'}]}]})
    volumes = list(conn.block_storage.volumes(all_projects=True, status='available',
                                              name=None))
    assert [v.id for v in volumes] == ['a', 'b']
    assert _sent(transport, 1)[2] == {'all_tenants': ['True'], 'status': ['available']}
    assert _sent(transport)[2] == {'all_tenants': ['True'], 'marker': ['a']}


def test_volumes_without_details(serve):
    conn, transport = serve({('GET', '/volumes'): {'volumes': [{'id': 'a', 'name': 'n'}]}})
    assert [v.name for v in conn.block_storage.volumes(details=False)] == ['n']
    assert _sent(transport)[2] == {}


def test_find_volume_falls_back_to_an_exact_name_in_the_detailed_list(serve):
    conn, transport = serve({('GET', '/volumes/detail'): {'volumes': [
        {'id': 'a', 'name': 'data'}, {'id': 'b', 'name': 'data-2'}]}})
    assert conn.block_storage.find_volume('data').id == 'a'
    assert _sent(transport, -2)[:2] == ('GET', '/volumes/data')
    assert _sent(transport)[:3] == ('GET', '/volumes/detail', {'name': ['data']})


def test_find_volume_by_id_reads_it_directly(serve):
    conn, transport = serve({('GET', f'/volumes/{VOLUME_ID}'): _volume()})
    assert conn.block_storage.find_volume(VOLUME_ID).name == 'vol1'
    assert len(transport.sent) == 2  # the version document, and the volume


def test_find_volume_refuses_a_name_two_volumes_have(serve):
    conn, _ = serve({('GET', '/volumes/detail'): {'volumes': [
        {'id': 'a', 'name': 'data'}, {'id': 'b', 'name': 'data'}]}})
    with pytest.raises(exceptions.DuplicateResource, match="name 'data'"):
        conn.block_storage.find_volume('data')


def test_find_volume_missing_raises_or_returns_none(serve):
    conn, transport = serve({('GET', '/volumes/detail'): {'volumes': []}})
    assert conn.block_storage.find_volume('data', ignore_missing=True,
                                          all_projects=True) is None
    assert _sent(transport)[2] == {'name': ['data'], 'all_tenants': ['True']}
    with pytest.raises(exceptions.NotFound, match="No volume with a name or ID of 'data'"):
        conn.block_storage.find_volume('data')


def test_update_volume_is_a_put(serve):
    conn, transport = serve({('PUT', f'/volumes/{VOLUME_ID}'): _volume(name='new')})
    assert conn.block_storage.update_volume(VOLUME_ID, name='new').name == 'new'
    assert _sent(transport)[0] == 'PUT'
    assert _sent(transport)[3] == {'volume': {'name': 'new'}}


def test_delete_volume_sends_cascade_and_force_only_when_asked(serve):
    conn, transport = serve({('DELETE', f'/volumes/{VOLUME_ID}'): (202, {}, b'')})
    conn.block_storage.delete_volume(VOLUME_ID)
    assert _sent(transport)[:3] == ('DELETE', f'/volumes/{VOLUME_ID}', {})
    conn.block_storage.delete_volume({'id': VOLUME_ID}, cascade=True, force=True)
    assert _sent(transport)[2] == {'cascade': ['True'], 'force': ['True']}


def test_delete_volume_ignores_a_missing_one_unless_asked(serve):
    conn, _ = serve()
    conn.block_storage.delete_volume(VOLUME_ID)
    with pytest.raises(exceptions.NotFound, match='Volume could not be found'):
        conn.block_storage.delete_volume(VOLUME_ID, ignore_missing=False)


@pytest.mark.parametrize('call, body', [
    (lambda c: c.extend_volume(VOLUME_ID, 5), {'os-extend': {'new_size': 5}}),
    (lambda c: c.set_volume_bootable_status(VOLUME_ID, True),
     {'os-set_bootable': {'bootable': True}}),
    (lambda c: c.set_volume_readonly(VOLUME_ID), {'os-update_readonly_flag': {'readonly': True}}),
    (lambda c: c.set_volume_readonly(VOLUME_ID, False),
     {'os-update_readonly_flag': {'readonly': False}}),
    (lambda c: c.reset_volume_status(VOLUME_ID, 'available', attach_status='detached'),
     {'os-reset_status': {'status': 'available', 'attach_status': 'detached'}}),
])
def test_volume_actions_post_cinder_bodies(serve, call, body):
    conn, transport = serve({('POST', f'/volumes/{VOLUME_ID}/action'): (202, {}, b'')})
    assert call(conn.block_storage) is None
    assert _sent(transport)[:2] == ('POST', f'/volumes/{VOLUME_ID}/action')
    assert _sent(transport)[3] == body


def test_a_refused_action_raises_with_the_cinder_message(serve):
    conn, _ = serve({('POST', f'/volumes/{VOLUME_ID}/action'): (400, {}, {'badRequest': {
        'code': 400, 'message': 'Invalid volume: Volume status must be available to extend, '
                                'but current status is: in-use.'}})})
    with pytest.raises(exceptions.BadRequest, match='current status is: in-use') as raised:
        conn.block_storage.extend_volume(VOLUME_ID, 5)
    assert raised.value.status_code == 400


def test_over_quota_is_payload_too_large(serve):
    conn, _ = serve({('POST', '/volumes'): (413, {}, {'overLimit': {
        'code': 413, 'message': 'VolumeSizeExceedsAvailableQuota: Requested volume or '
                                'snapshot exceeds allowed gigabytes quota.'}})})
    with pytest.raises(exceptions.PayloadTooLarge, match='gigabytes quota'):
        conn.block_storage.create_volume(1000)


def test_upload_volume_to_image_returns_the_upload(serve):
    conn, transport = serve({('POST', f'/volumes/{VOLUME_ID}/action'): (202, {}, {
        'os-volume_upload_image': {'id': VOLUME_ID, 'image_id': 'img', 'status': 'uploading',
                                   'disk_format': 'qcow2'}})})
    upload = conn.block_storage.upload_volume_to_image(VOLUME_ID, 'snap', disk_format='qcow2',
                                                       force=True)
    assert (upload.image_id, upload.status) == ('img', 'uploading')
    assert _sent(transport)[3] == {'os-volume_upload_image': {
        'image_name': 'snap', 'force': True, 'disk_format': 'qcow2'}}


def test_volume_metadata_set_get_and_delete(serve):
    metadata = f'/volumes/{VOLUME_ID}/metadata'
    conn, transport = serve({
        ('POST', metadata): {'metadata': {'a': '1', 'os:b': '2'}},
        ('GET', metadata): {'metadata': {'a': '1', 'os:b': '2'}},
        ('DELETE', metadata + '/a'): b'',
        ('DELETE', metadata + '/os%3Ab'): b''})
    volume = conn.block_storage
    assert volume.set_volume_metadata(VOLUME_ID, a='1', **{'os:b': '2'}) == {'a': '1',
                                                                            'os:b': '2'}
    assert _sent(transport)[:2] == ('POST', metadata)
    assert _sent(transport)[3] == {'metadata': {'a': '1', 'os:b': '2'}}
    assert volume.get_volume_metadata(VOLUME_ID)['os:b'] == '2'
    volume.delete_volume_metadata(VOLUME_ID, ['a'])
    assert _sent(transport)[:2] == ('DELETE', metadata + '/a')
    volume.delete_volume_metadata(VOLUME_ID)  # every key: read, then one DELETE each
    assert [s[:2] for s in map(lambda i: _sent(transport, i), (-3, -2, -1))] == [
        ('GET', metadata), ('DELETE', metadata + '/a'), ('DELETE', metadata + '/os%3Ab')]


def test_deleting_a_missing_metadata_key_is_not_found(serve):
    conn, _ = serve()
    with pytest.raises(exceptions.NotFound):
        conn.block_storage.delete_volume_metadata(VOLUME_ID, ['nope'])


# --- waiting ---------------------------------------------------------------------------------

def test_wait_for_status_returns_once_available(serve):
    conn, _ = serve({('GET', f'/volumes/{VOLUME_ID}'): [_volume('creating'),
                                                        _volume('AVAILABLE')]})
    assert conn.block_storage.wait_for_status(VOLUME_ID, interval=0).status == 'AVAILABLE'


@pytest.mark.parametrize('status', ['error', 'error_extending'])
def test_wait_for_status_stops_at_an_error_status(serve, status):
    conn, _ = serve({('GET', f'/volumes/{VOLUME_ID}'): _volume(status)})
    with pytest.raises(ResourceFailed, match=f'Volume {VOLUME_ID} is {status}') as raised:
        conn.block_storage.wait_for_status(VOLUME_ID, interval=0)
    assert raised.value.resource.status == status


def test_wait_for_status_with_given_failures_and_an_awaited_error(serve):
    conn, _ = serve({('GET', f'/volumes/{VOLUME_ID}'): _volume('error')})
    assert conn.block_storage.wait_for_status(VOLUME_ID, 'error', interval=0).id == VOLUME_ID
    with pytest.raises(WaitTimeout):
        conn.block_storage.wait_for_status(VOLUME_ID, failures=['killed'], interval=0, wait=0)


def test_wait_for_status_times_out(serve):
    conn, _ = serve({('GET', f'/volumes/{VOLUME_ID}'): _volume('creating')})
    with pytest.raises(WaitTimeout, match='still creating'):
        conn.block_storage.wait_for_status(VOLUME_ID, interval=0, wait=0)


def test_wait_for_a_snapshot_or_a_backup_reads_its_own_collection(serve):
    conn, transport = serve({
        ('GET', '/snapshots/s1'): {'snapshot': {'id': 's1', 'status': 'available'}},
        ('GET', '/backups/b1'): {'backup': {'id': 'b1', 'status': 'error'}}})
    conn.block_storage.wait_for_status({'id': 's1'}, kind='snapshot', interval=0)
    assert _sent(transport)[1] == '/snapshots/s1'
    with pytest.raises(ResourceFailed, match='Backup b1 is error'):
        conn.block_storage.wait_for_status('b1', kind='backup', interval=0)
    with pytest.raises(ValueError, match="Cannot wait for a 'server'"):
        conn.block_storage.wait_for_status('x', kind='server')


def test_wait_for_delete_returns_at_404(serve):
    conn, transport = serve({('GET', f'/volumes/{VOLUME_ID}'): [_volume('deleting'),
                                                                NOT_FOUND]})
    conn.block_storage.wait_for_delete({'id': VOLUME_ID}, interval=0)
    assert len(transport.sent) == 3


def test_wait_for_delete_stops_at_error_deleting_or_times_out(serve):
    conn, _ = serve({('GET', f'/volumes/{VOLUME_ID}'): _volume('error_deleting'),
                     ('GET', '/snapshots/s1'): {'snapshot': {'id': 's1', 'status': 'deleting'}}})
    with pytest.raises(ResourceFailed, match='could not be deleted'):
        conn.block_storage.wait_for_delete(VOLUME_ID, interval=0)
    with pytest.raises(WaitTimeout, match=r'Snapshot s1 still exists \(deleting\)'):
        conn.block_storage.wait_for_delete('s1', kind='snapshot', interval=0, wait=0)


# --- volume types ------------------------------------------------------------------------

def test_create_type_sends_the_access_flag_under_its_cinder_name(serve):
    conn, transport = serve({('POST', '/types'): {'volume_type': {'id': 't1', 'name': 'fast'}}})
    assert conn.block_storage.create_type('fast', is_public=False,
                                          extra_specs={'volume_backend_name': 'file'}).id == 't1'
    assert _sent(transport)[3] == {'volume_type': {
        'name': 'fast', 'os-volume-type-access:is_public': False,
        'extra_specs': {'volume_backend_name': 'file'}}}


def test_find_type_matches_names_among_public_and_private_types(serve):
    conn, transport = serve({('GET', '/types'): {'volume_types': [
        {'id': 't1', 'name': 'fast'}, {'id': 't2', 'name': 'slow'}]}})
    assert conn.block_storage.find_type('slow').id == 't2'
    assert _sent(transport)[2] == {'is_public': ['None']}
    assert conn.block_storage.find_type('none', ignore_missing=True) is None


def test_type_update_default_and_delete(serve):
    conn, transport = serve({
        ('PUT', '/types/t1'): {'volume_type': {'id': 't1', 'is_public': False}},
        ('GET', '/types/default'): {'volume_type': {'id': 't0', 'name': '__DEFAULT__'}},
        ('DELETE', '/types/t1'): (202, {}, b'')})
    assert conn.block_storage.update_type({'id': 't1'}, is_public=False).is_public is False
    assert _sent(transport)[3] == {'volume_type': {'is_public': False}}
    assert conn.block_storage.get_default_type().name == '__DEFAULT__'
    conn.block_storage.delete_type('t1')
    assert _sent(transport)[:2] == ('DELETE', '/types/t1')


def test_type_extra_specs(serve):
    conn, transport = serve({
        ('POST', '/types/t1/extra_specs'): {'extra_specs': {'volume_backend_name': 'file'}},
        ('DELETE', '/types/t1/extra_specs/volume_backend_name'): b''})
    specs = conn.block_storage.update_type_extra_specs('t1', volume_backend_name='file')
    assert specs == {'volume_backend_name': 'file'}
    assert _sent(transport)[3] == {'extra_specs': {'volume_backend_name': 'file'}}
    conn.block_storage.delete_type_extra_specs('t1', ['volume_backend_name'])
    assert _sent(transport)[:2] == ('DELETE', '/types/t1/extra_specs/volume_backend_name')


def test_type_access(serve):
    conn, transport = serve({
        ('POST', '/types/t1/action'): (202, {}, b''),
        ('GET', '/types/t1/os-volume-type-access'): {'volume_type_access': [
            {'volume_type_id': 't1', 'project_id': 'p2'}]}})
    conn.block_storage.add_type_access('t1', {'id': 'p2'})
    assert _sent(transport)[3] == {'addProjectAccess': {'project': 'p2'}}
    conn.block_storage.remove_type_access('t1', 'p2')
    assert _sent(transport)[3] == {'removeProjectAccess': {'project': 'p2'}}
    assert [a.project_id for a in conn.block_storage.get_type_access('t1')] == ['p2']


# --- snapshots ---------------------------------------------------------------------------

def test_create_snapshot_names_the_volume_and_sends_force_when_given(serve):
    conn, transport = serve({('POST', '/snapshots'): (202, {}, {'snapshot': {
        'id': 's1', 'status': 'creating'}})})
    conn.block_storage.create_snapshot({'id': VOLUME_ID}, name='s', force=False)
    assert _sent(transport)[3] == {'snapshot': {'volume_id': VOLUME_ID, 'name': 's',
                                                'force': False}}
    conn.block_storage.create_snapshot(VOLUME_ID)
    assert _sent(transport)[3] == {'snapshot': {'volume_id': VOLUME_ID}}


def test_find_snapshot_uses_the_detailed_list(serve):
    conn, transport = serve({('GET', '/snapshots/detail'): {'snapshots': [
        {'id': 's1', 'name': 'nightly'}]}})
    assert conn.block_storage.find_snapshot('nightly').id == 's1'
    assert _sent(transport)[:3] == ('GET', '/snapshots/detail', {'name': ['nightly']})


def test_snapshot_update_metadata_and_delete(serve):
    conn, transport = serve({
        ('PUT', '/snapshots/s1'): {'snapshot': {'id': 's1', 'name': 'new'}},
        ('POST', '/snapshots/s1/metadata'): {'metadata': {'k': 'v'}},
        ('GET', '/snapshots/s1/metadata'): {'metadata': {'k': 'v'}},
        ('DELETE', '/snapshots/s1/metadata/k'): b'',
        ('DELETE', '/snapshots/s1'): (202, {}, b''),
        ('GET', '/snapshots'): {'snapshots': [{'id': 's1', 'volume_id': VOLUME_ID}]}})
    storage = conn.block_storage
    assert storage.update_snapshot('s1', name='new').name == 'new'
    assert _sent(transport)[:2] == ('PUT', '/snapshots/s1')
    assert storage.set_snapshot_metadata('s1', k='v') == {'k': 'v'}
    assert storage.get_snapshot_metadata('s1') == {'k': 'v'}
    storage.delete_snapshot_metadata('s1', ['k'])
    assert _sent(transport)[:2] == ('DELETE', '/snapshots/s1/metadata/k')
    storage.delete_snapshot('s1')
    assert _sent(transport)[:2] == ('DELETE', '/snapshots/s1')
    snapshots = storage.snapshots(details=False, all_projects=True, volume_id=VOLUME_ID)
    assert [s.id for s in snapshots] == ['s1']
    assert _sent(transport)[2] == {'all_tenants': ['True'], 'volume_id': [VOLUME_ID]}


# --- backups -----------------------------------------------------------------------------

def test_create_backup_incremental_of_a_snapshot(serve):
    conn, transport = serve({('POST', '/backups'): (202, {}, {'backup': {'id': 'b1'}})})
    conn.block_storage.create_backup(VOLUME_ID, name='b', incremental=True, force=True,
                                     snapshot_id={'id': 's1'}, container=None)
    assert _sent(transport)[3] == {'backup': {'volume_id': VOLUME_ID, 'name': 'b',
                                              'incremental': True, 'force': True,
                                              'snapshot_id': 's1'}}


def test_restore_backup_onto_a_new_or_an_existing_volume(serve):
    conn, transport = serve({('POST', '/backups/b1/restore'): (202, {}, {'restore': {
        'backup_id': 'b1', 'volume_id': VOLUME_ID, 'volume_name': 'restored'}})})
    restore = conn.block_storage.restore_backup({'id': 'b1'}, name='restored')
    assert restore.volume_id == VOLUME_ID
    assert _sent(transport)[3] == {'restore': {'name': 'restored'}}
    conn.block_storage.restore_backup('b1', volume_id={'id': VOLUME_ID})
    assert _sent(transport)[3] == {'restore': {'volume_id': VOLUME_ID}}


def test_delete_backup_plain_or_forced(serve):
    conn, transport = serve({('DELETE', '/backups/b1'): (202, {}, b''),
                             ('POST', '/backups/b1/action'): (202, {}, b'')})
    conn.block_storage.delete_backup('b1')
    assert _sent(transport)[:2] == ('DELETE', '/backups/b1')
    conn.block_storage.delete_backup('b1', force=True)
    assert _sent(transport)[:2] == ('POST', '/backups/b1/action')
    assert _sent(transport)[3] == {'os-force_delete': {}}
    conn.block_storage.delete_backup('b2', force=True)
    with pytest.raises(exceptions.NotFound):
        conn.block_storage.delete_backup('b2', ignore_missing=False)


def test_backups_and_find_backup(serve):
    conn, transport = serve({('GET', '/backups/detail'): {'backups': [
        {'id': 'b1', 'name': 'weekly'}]}})
    assert [b.id for b in conn.block_storage.backups(all_projects=True)] == ['b1']
    assert _sent(transport)[2] == {'all_tenants': ['True']}
    assert conn.block_storage.find_backup('weekly').id == 'b1'


# --- attachments ---------------------------------------------------------------------------

def test_attachment_lifecycle(serve):
    connector = {'host': 'compute-1', 'initiator': None}
    attachment = {'attachment': {'id': 'a1', 'status': 'attaching', 'connection_info': {
        'driver_volume_type': 'file', 'data': {'device_path': '/v/x', 'format': 'raw'}}}}
    conn, transport = serve({('POST', '/attachments'): attachment,
                             ('PUT', '/attachments/a1'): attachment,
                             ('POST', '/attachments/a1/action'): (204, {}, b''),
                             ('DELETE', '/attachments/a1'): b''})
    storage = conn.block_storage
    created = storage.create_attachment({'id': VOLUME_ID}, {'id': 'srv'}, mode='rw')
    assert created.connection_info.data.format == 'raw'
    assert _sent(transport)[3] == {'attachment': {'volume_uuid': VOLUME_ID,
                                                  'instance_uuid': 'srv', 'mode': 'rw'}}
    storage.update_attachment(created, connector)
    assert _sent(transport)[:2] == ('PUT', '/attachments/a1')
    assert _sent(transport)[3] == {'attachment': {'connector': connector}}
    storage.complete_attachment('a1')
    assert _sent(transport)[3] == {'os-complete': {}}
    storage.delete_attachment('a1')
    assert _sent(transport)[:2] == ('DELETE', '/attachments/a1')


def test_attachments_list_and_show(serve):
    conn, transport = serve({
        ('GET', '/attachments/detail'): {'attachments': [{'id': 'a1', 'instance': 'srv'}]},
        ('GET', '/attachments/a1'): {'attachment': {'id': 'a1', 'attach_mode': 'ro'}}})
    assert [a.instance for a in conn.block_storage.attachments(volume_id=VOLUME_ID)] == ['srv']
    assert _sent(transport)[2] == {'volume_id': [VOLUME_ID]}
    assert conn.block_storage.get_attachment('a1').attach_mode == 'ro'


# --- quotas, limits, administration ------------------------------------------------------------

def test_quota_sets(serve):
    conn, transport = serve({
        ('GET', '/os-quota-sets/p2'): {'quota_set': {
            'id': 'p2', 'gigabytes': {'limit': 1000, 'in_use': 3, 'reserved': 0,
                                      'allocated': 0}}},
        ('GET', '/os-quota-sets/p2/defaults'): {'quota_set': {'id': 'p2', 'volumes': 10}},
        ('PUT', '/os-quota-sets/p2'): {'quota_set': {'volumes': 20}},
        ('DELETE', '/os-quota-sets/p2'): b''})
    storage = conn.block_storage
    assert storage.get_quota_set({'id': 'p2'}, usage=True).gigabytes.in_use == 3
    assert _sent(transport)[2] == {'usage': ['True']}
    storage.get_quota_set('p2')
    assert _sent(transport)[2] == {}
    assert storage.get_quota_set_defaults('p2').volumes == 10
    assert storage.update_quota_set('p2', volumes=20).volumes == 20
    assert _sent(transport)[:2] == ('PUT', '/os-quota-sets/p2')
    assert _sent(transport)[3] == {'quota_set': {'volumes': 20}}
    storage.revert_quota_set('p2')
    assert _sent(transport)[:2] == ('DELETE', '/os-quota-sets/p2')


def test_limits_and_availability_zones(serve):
    conn, _ = serve({
        ('GET', '/limits'): {'limits': {'rate': [], 'absolute': {'maxTotalVolumes': 10,
                                                                 'totalVolumesUsed': 2}}},
        ('GET', '/os-availability-zone'): {'availabilityZoneInfo': [
            {'zoneName': 'nova', 'zoneState': {'available': True}}]}})
    assert conn.block_storage.get_limits().absolute.totalVolumesUsed == 2
    zones = conn.block_storage.availability_zones()
    assert [(z.zoneName, z.zoneState.available) for z in zones] == [('nova', True)]


def test_services_list_enable_and_disable(serve):
    service = {'host': 'node-1@file', 'binary': 'stratus-volume-agent', 'state': 'up'}
    conn, transport = serve({
        ('GET', '/os-services'): {'services': [service]},
        ('PUT', '/os-services/enable'): {**service, 'status': 'enabled', 'disabled': False},
        ('PUT', '/os-services/disable'): {**service, 'status': 'disabled', 'disabled': True},
        ('PUT', '/os-services/disable-log-reason'): {**service, 'status': 'disabled',
                                                     'disabled_reason': 'maintenance'}})
    storage = conn.block_storage
    [found] = storage.services(binary='stratus-volume-agent')
    assert _sent(transport)[2] == {'binary': ['stratus-volume-agent']}
    assert storage.enable_service(found).status == 'enabled'
    assert _sent(transport)[3] == {'host': 'node-1@file', 'binary': 'stratus-volume-agent'}
    assert storage.disable_service(found).disabled is True
    assert _sent(transport)[1] == '/os-services/disable'
    assert storage.disable_service(found, reason='maintenance').disabled_reason == 'maintenance'
    assert _sent(transport)[3] == {'host': 'node-1@file', 'binary': 'stratus-volume-agent',
                                   'disabled_reason': 'maintenance'}


# --- snapshot policies and usage (Stratus extensions) --------------------------------------------

def test_snapshot_policy_lifecycle(serve):
    policy = {'snapshot_policy': {'id': 'sp1', 'volume_id': VOLUME_ID, 'max_snaps': 7}}
    conn, transport = serve({
        ('POST', '/snapshot-policies'): (201, {}, policy),
        ('GET', '/snapshot-policies'): {'snapshot_policies': [policy['snapshot_policy']]},
        ('GET', '/snapshot-policies/sp1'): policy,
        ('PUT', '/snapshot-policies/sp1'): policy,
        ('DELETE', '/snapshot-policies/sp1'): (204, {}, b'')})
    storage = conn.block_storage
    created = storage.create_snapshot_policy({'id': VOLUME_ID}, interval_type='daily',
                                             schedule='30:02', max_snaps=7,
                                             timezone='Europe/Paris')
    assert created.id == 'sp1'
    assert _sent(transport)[3] == {'snapshot_policy': {
        'volume_id': VOLUME_ID, 'interval_type': 'daily', 'schedule': '30:02',
        'timezone': 'Europe/Paris', 'max_snaps': 7}}
    assert [p.id for p in storage.snapshot_policies({'id': VOLUME_ID})] == ['sp1']
    assert _sent(transport)[2] == {'volume_id': [VOLUME_ID]}
    assert [p.id for p in storage.snapshot_policies()] == ['sp1']
    assert _sent(transport)[2] == {}
    assert storage.get_snapshot_policy('sp1').max_snaps == 7
    storage.update_snapshot_policy(created, enabled=False)
    assert _sent(transport)[:2] == ('PUT', '/snapshot-policies/sp1')
    assert _sent(transport)[3] == {'snapshot_policy': {'enabled': False}}
    storage.delete_snapshot_policy('sp1')
    assert _sent(transport)[:2] == ('DELETE', '/snapshot-policies/sp1')


def test_get_usage_sends_the_period_in_iso_8601(serve):
    conn, transport = serve({('GET', '/os-usage/p2'): {'usage': {
        'project_id': 'p2', 'volume_gb_hours': 48.0, 'snapshot_gb_hours': 1.5}}})
    usage = conn.block_storage.get_usage({'id': 'p2'},
                                         datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
                                         '2026-01-03T00:00:00Z')
    assert (usage.volume_gb_hours, usage.snapshot_gb_hours) == (48.0, 1.5)
    assert _sent(transport)[2] == {'start': ['2026-01-01T00:00:00+00:00'],
                                   'end': ['2026-01-03T00:00:00Z']}
