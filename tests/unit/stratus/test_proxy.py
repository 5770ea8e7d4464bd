"""Next links in every shape OpenStack services write them; microversion negotiation."""
import pytest

from stratus import exceptions, proxy


@pytest.mark.parametrize('body, link', [
    ({'projects': [], 'links': {'self': 's', 'previous': None, 'next': 'http://h/v3/p?m=1'}},
     'http://h/v3/p?m=1'),
    ({'projects': [], 'links': {'self': 's', 'next': None}}, None),
    ({'images': [], 'next': '/v2/images?marker=x'}, '/v2/images?marker=x'),
    ({'servers': [], 'servers_links': [{'rel': 'next', 'href': 'http://h/servers?marker=s'}]},
     'http://h/servers?marker=s'),
    ({'servers': [], 'servers_links': [{'rel': 'self', 'href': 'x'}]}, None),
    ({'projects': []}, None),
])
def test_next_link(body, link):
    collection = next(iter(body))
    assert proxy._next_link(body, collection) == link


@pytest.mark.parametrize('endpoint, link, url', [
    ('http://h:9292', '/v2/images?marker=x', 'http://h:9292/v2/images?marker=x'),
    ('http://h/image/', '/v2/images?marker=x', 'http://h/image/v2/images?marker=x'),
    ('http://h/image', 'v2/images?marker=x', 'http://h/image/v2/images?marker=x'),
    ('http://h/image', 'http://other/v3/p?m=1', 'http://other/v3/p?m=1'),
])
def test_next_links_resolve_against_the_endpoint(endpoint, link, url):
    assert proxy._resolve(endpoint, link) == url


def test_resource_id_and_quote():
    assert proxy.resource_id({'id': 'x', 'name': 'n'}) == 'x'
    assert proxy.resource_id('x') == 'x'
    assert proxy.quote('a b/c') == 'a%20b%2Fc'


@pytest.mark.parametrize('server_max, sent', [('2.96', '2.60'), ('2.60', '2.60'),
                                              ('2.9', '2.9'), ('2.38', '2.38'),
                                              ('3.100', '2.60'), ('', None), (None, None)])
def test_negotiate_microversion_takes_the_lower_maximum_numerically(server_max, sent):
    assert proxy.negotiate_microversion(server_max, '2.60') == sent


def test_single_match():
    assert proxy.single_match([{'id': 'x'}], 'volume type', 'gold', False) == {'id': 'x'}
    assert proxy.single_match([], 'volume type', 'gold', True) is None
    with pytest.raises(exceptions.NotFound,
                       match="No volume type with a name or ID of 'gold' exists."):
        proxy.single_match([], 'volume type', 'gold', False)
    with pytest.raises(exceptions.DuplicateResource, match=(
            r"More than one volume type exists with the name 'gold'; use its ID\.$")):
        proxy.single_match([{'id': 'x'}, {'id': 'y'}], 'volume type', 'gold', True)
    with pytest.raises(exceptions.DuplicateResource, match='; narrow it down.$'):
        proxy.single_match([{'id': 'x'}, {'id': 'y'}], 'x', 'g', False, advice='narrow it down')
