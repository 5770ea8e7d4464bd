"""Which user auth a service-to-service call carries (``common.clients._user_auth``)."""
import types

from keystoneauth1 import access
from keystoneauth1.identity import access as access_plugin
from keystoneauth1.identity import v3

from common import clients
from common.context import RequestContext

SERVICE_AUTH = types.SimpleNamespace(auth_url='http://identity.test/v3')
CATALOG = [{'type': 'image', 'name': 'glance', 'id': 's1', 'endpoints': [
    {'id': 'e1', 'interface': 'public', 'region_id': 'RegionOne', 'region': 'RegionOne',
     'url': 'http://image.test:9292'}]}]


def _validated(token, catalog):
    body = {'token': {'methods': ['password'], 'user': {'id': 'u1', 'name': 'u'},
                      'project': {'id': 'p1', 'name': 'p', 'domain': {'id': 'default'}},
                      'expires_at': '2099-01-01T00:00:00.000000Z'}}
    if catalog is not None:
        body['token']['catalog'] = catalog
    return access.create(body=body, auth_token=token)


def _ctx(token, validated=None):
    ctx = RequestContext(auth_token=token, project_id='p1', user_id='u1')
    if validated is not None:
        ctx.auth_plugin = types.SimpleNamespace(user=validated)
    return ctx


def test_a_validated_token_with_its_catalog_is_reused_without_identity():
    plugin = clients._user_auth(SERVICE_AUTH, _ctx('tok', _validated('tok', CATALOG)))
    assert isinstance(plugin, access_plugin.AccessInfoPlugin)
    assert plugin.get_token(session=None) == 'tok'
    assert plugin.get_endpoint(session=None, service_type='image',
                               interface='public') == 'http://image.test:9292'


def test_without_a_catalog_the_token_is_rescoped():
    plugin = clients._user_auth(SERVICE_AUTH, _ctx('tok', _validated('tok', None)))
    assert isinstance(plugin, v3.Token)


def test_an_rpc_context_without_a_validated_token_is_rescoped_in_its_project():
    plugin = clients._user_auth(SERVICE_AUTH, _ctx('tok'))
    assert isinstance(plugin, v3.Token)
    assert plugin.project_id == 'p1'


def test_a_validated_token_of_another_request_is_not_used():
    plugin = clients._user_auth(SERVICE_AUTH, _ctx('tok', _validated('other', CATALOG)))
    assert isinstance(plugin, v3.Token)
