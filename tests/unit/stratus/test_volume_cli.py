"""The volume commands: parsing, printing, and the requests they make (fake HTTP)."""
import json
import urllib.parse

import pytest
import requests
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint

import stratus
from stratus.cli import main, output
from stratus.cli import volume as volume_cli
from tests.unit.stratus.test_block_storage_proxy import ENDPOINT, PREFIX, VOLUME_ID, Cloud
from tests.unit.stratus.test_image_proxy import FakeTransport

VOLUME = {'id': VOLUME_ID, 'name': 'data', 'status': 'in-use', 'size': 2,
          'volume_type': 'fast', 'bootable': 'false', 'metadata': {'k': 'v'},
          'links': [{'rel': 'self', 'href': 'x'}],
          'attachments': [{'server_id': 'srv1', 'device': '/dev/vdb'}]}


@pytest.fixture
def cloud():
    """``cloud(routes)`` -> ``(conn, transport)``."""
    made = []

    def make(routes):
        transport = FakeTransport(Cloud(routes))
        http = requests.Session()
        http.mount('http://', transport)
        made.append(http)
        session = ks_session.Session(auth=token_endpoint.Token(ENDPOINT, 'token'), session=http)
        return stratus.Connection(session=session), transport

    yield make
    for http in made:
        http.close()


def _run(conn, argv):
    args = main.build_parser().parse_args(argv)
    return args.func(conn, args)


def _last(transport):
    method, url, _headers, body, _chunks = transport.sent[-1]
    parts = urllib.parse.urlsplit(url)
    return (method, parts.path.removeprefix(PREFIX), urllib.parse.parse_qs(parts.query),
            json.loads(body or 'null'))


def test_create_options():
    args = main.build_parser().parse_args([
        'volume', 'create', 'data', '--size', '2', '--type', 'fast', '--property', 'k=v',
        '--availability-zone', 'nova'])
    assert (args.name, args.size, args.type, args.properties, args.availability_zone) == (
        'data', 2, 'fast', [('k', 'v')], 'nova')


def test_a_volume_has_one_source(capsys):
    with pytest.raises(SystemExit):
        main.build_parser().parse_args(['volume', 'create', '--image', 'i', '--source', 'v'])
    assert 'not allowed with argument' in capsys.readouterr().err


def test_show_prints_metadata_as_properties_and_the_type_as_type(cloud):
    conn, _ = cloud({('GET', f'/volumes/{VOLUME_ID}'): {'volume': VOLUME}})
    record = _run(conn, ['volume', 'show', VOLUME_ID])
    assert record.fields['properties'] == {'k': 'v'}
    assert record.fields['type'] == 'fast'
    assert not {'links', 'metadata', 'volume_type'} & set(record.fields)


def test_list_shows_where_volumes_are_attached(cloud):
    conn, transport = cloud({('GET', '/volumes/detail'): {'volumes': [VOLUME]}})
    listing = _run(conn, ['volume', 'list', '--all-projects', '--long'])
    assert _last(transport)[2] == {'all_tenants': ['True']}
    text = output.render(listing, 'value', ['Attached to', 'Type', 'Properties'])
    assert text == 'Attached to srv1 on /dev/vdb fast {"k": "v"}'


def test_create_from_a_snapshot_named_by_name(cloud):
    conn, transport = cloud({
        ('GET', '/snapshots/detail'): {'snapshots': [{'id': 's1', 'name': 'nightly'}]},
        ('POST', '/volumes'): (202, {}, {'volume': {**VOLUME, 'status': 'creating'}})})
    record = _run(conn, ['volume', 'create', 'copy', '--snapshot', 'nightly',
                         '--property', 'k=v'])
    assert record.fields['status'] == 'creating'
    assert _last(transport)[3] == {'volume': {'name': 'copy', 'snapshot_id': 's1',
                                              'metadata': {'k': 'v'}}}


def test_delete_finds_each_volume_and_purges_when_asked(cloud):
    conn, transport = cloud({
        ('GET', '/volumes/detail'): {'volumes': [{'id': VOLUME_ID, 'name': 'data'}]},
        ('DELETE', f'/volumes/{VOLUME_ID}'): (202, {}, b'')})
    assert _run(conn, ['volume', 'delete', 'data', '--purge']) is None
    assert _last(transport)[:3] == ('DELETE', f'/volumes/{VOLUME_ID}', {'cascade': ['True']})


def test_attached_to_of_a_detached_volume_is_empty():
    assert volume_cli._attached_to([]) == ''
