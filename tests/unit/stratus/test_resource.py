"""Resources are dicts whose keys read as attributes."""
import copy
import json
import pickle

import pytest

from stratus.resource import Resource


def test_keys_read_as_attributes():
    project = Resource({'id': 'p1', 'name': 'demo', 'enabled': True})
    assert project.id == project['id'] == 'p1'
    assert project.enabled is True
    assert isinstance(project, dict)


def test_nested_objects_and_lists_are_resources():
    token = Resource({'user': {'domain': {'name': 'Default'}},
                      'roles': [{'name': 'member'}, 'plain']})
    assert token.user.domain.name == 'Default'
    assert token.roles[0].name == 'member'
    assert token.roles[1] == 'plain'


def test_set_items_are_wrapped_too():
    resource = Resource()
    resource['scope'] = {'project': {'id': 'p'}}
    assert resource.scope.project.id == 'p'


def test_missing_keys_raise_attribute_error():
    resource = Resource({'id': 'x'})
    with pytest.raises(AttributeError, match="no attribute 'name'"):
        resource.name
    assert not hasattr(resource, 'name')
    assert getattr(resource, 'name', None) is None


def test_dict_methods_win_over_keys():
    resource = Resource({'items': [1], 'values': 2})
    assert callable(resource.items)
    assert resource['items'] == [1]


def test_serialises_copies_and_lists_keys_in_dir():
    resource = Resource({'id': 'x', 'links': {'self': 'u'}})
    assert json.loads(json.dumps(resource)) == {'id': 'x', 'links': {'self': 'u'}}
    assert pickle.loads(pickle.dumps(resource)).links.self == 'u'
    assert copy.deepcopy(resource) == resource
    assert {'id', 'links'} <= set(dir(resource))
