"""Version-discovery entries (``common/wsgi/versions.py``)."""
from common.wsgi.versions import version_entry


def test_entry_without_microversions():
    entry = version_entry('v2', 'http://h:9292/v2/', updated='2020-01-01T00:00:00Z')
    assert entry == {
        'id': 'v2', 'status': 'CURRENT', 'updated': '2020-01-01T00:00:00Z',
        'links': [{'rel': 'self', 'href': 'http://h:9292/v2/'}],
        'media-types': [{'base': 'application/json', 'type': 'application/json'}]}


def test_entry_with_microversions_and_media_type():
    entry = version_entry('v2.1', 'http://h:8774/v2.1/', updated='2013-07-23T11:33:21Z',
                          media_type='application/vnd.openstack.compute+json;version=2.1',
                          min_version='2.1', max_version='2.60')
    assert entry['min_version'] == '2.1' and entry['version'] == '2.60'
    assert entry['media-types'][0]['type'].startswith('application/vnd.openstack.compute')
