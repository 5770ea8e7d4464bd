"""Security groups and rules: the default group, validation, duplicates."""
import pytest


def _groups(api, as_='member', query=''):
    return api.get(f'/v2.0/security-groups{query}', as_=as_).get_json()['security_groups']


def _rule(api, group_id, as_='member', **attrs):
    body = {'security_group_id': group_id, 'direction': 'ingress', **attrs}
    return api.post('/v2.0/security-group-rules', json={'security_group_rule': body}, as_=as_)


def test_default_group_has_neutrons_four_rules(api):
    (group,) = _groups(api)
    assert group['name'] == 'default'
    rules = {(r['direction'], r['ethertype'], r['remote_group_id'])
             for r in group['security_group_rules']}
    assert rules == {('egress', 'IPv4', None), ('egress', 'IPv6', None),
                     ('ingress', 'IPv4', group['id']), ('ingress', 'IPv6', group['id'])}
    assert _groups(api) == [group]  # not created twice


def test_new_group_allows_egress(api):
    response = api.post('/v2.0/security-groups', json={'security_group': {
        'name': 'web', 'description': 'd'}})
    assert response.status_code == 201
    group = response.get_json()['security_group']
    assert {(r['direction'], r['ethertype']) for r in group['security_group_rules']} == {
        ('egress', 'IPv4'), ('egress', 'IPv6')}
    assert len(_groups(api)) == 2


def test_default_group_is_not_deletable_by_its_project(api):
    (group,) = _groups(api)
    response = api.delete(f"/v2.0/security-groups/{group['id']}")
    assert response.status_code == 409
    assert api.delete(f"/v2.0/security-groups/{group['id']}", as_='cloud_admin')\
        .status_code == 204


def test_group_in_use_is_409(api):
    net = api.network()
    port = api.port(net['id'])
    group_id = port['security_groups'][0]
    assert api.delete(f'/v2.0/security-groups/{group_id}', as_='cloud_admin').status_code == 409


def test_rule_create_and_duplicate_is_409(api):
    (group,) = _groups(api)
    response = _rule(api, group['id'], ethertype='IPv4', protocol='tcp', port_range_min=22,
                     port_range_max=22, remote_ip_prefix='0.0.0.0/0')
    assert response.status_code == 201, response.get_data(as_text=True)
    rule = response.get_json()['security_group_rule']
    assert rule['protocol'] == 'tcp' and rule['port_range_min'] == 22
    again = _rule(api, group['id'], ethertype='IPv4', protocol='6', port_range_min=22,
                  port_range_max=22)
    assert again.status_code == 409
    assert again.get_json()['NeutronError']['type'] == 'SecurityGroupRuleExists'
    assert rule['id'] in again.get_json()['NeutronError']['message']


@pytest.mark.parametrize('attrs', [
    {'protocol': 'tcp', 'port_range_min': 30, 'port_range_max': 20},
    {'protocol': 'tcp', 'port_range_min': 70000, 'port_range_max': 70000},
    {'protocol': 'bogus'},
    {'protocol': '300'},
    {'protocol': 'gre', 'port_range_min': 1, 'port_range_max': 2},
    {'protocol': 'icmp', 'port_range_min': 300},
    {'remote_ip_prefix': '2001:db8::/64'},
    {'remote_ip_prefix': 'nonsense'},
    {'direction': 'sideways'},
    {'ethertype': 'IPv5'},
])
def test_invalid_rules_are_400(api, attrs):
    (group,) = _groups(api)
    assert _rule(api, group['id'], **attrs).status_code == 400


def test_prefix_and_remote_group_are_exclusive(api):
    (group,) = _groups(api)
    response = _rule(api, group['id'], remote_ip_prefix='10.0.0.0/8',
                     remote_group_id=group['id'])
    assert response.status_code == 400


def test_remote_group_of_another_project_is_404(api):
    (group,) = _groups(api)
    (other,) = _groups(api, as_='other_member')
    assert _rule(api, group['id'], remote_group_id=other['id']).status_code == 404


def test_rules_list_filter_and_delete(api):
    (group,) = _groups(api)
    rule = _rule(api, group['id'], protocol='udp', port_range_min=53, port_range_max=53)\
        .get_json()['security_group_rule']
    listed = api.get(f"/v2.0/security-group-rules?security_group_id={group['id']}"
                     '&protocol=udp').get_json()['security_group_rules']
    assert [r['id'] for r in listed] == [rule['id']]
    assert api.delete(f"/v2.0/security-group-rules/{rule['id']}").status_code == 204
    assert api.get(f"/v2.0/security-group-rules/{rule['id']}").status_code == 404


def test_admin_listing_by_project_sees_only_that_project(api):
    _groups(api)
    _groups(api, as_='other_member')
    found = _groups(api, as_='cloud_admin', query='?project_id=project-p&name=default')
    assert [g['project_id'] for g in found] == ['project-p']


def test_group_quota(make_env):
    env = make_env(quotas__quota_security_group=2)
    assert env.api.post('/v2.0/security-groups', json={'security_group': {'name': 'a'}})\
        .status_code == 201  # the default group counts too
    response = env.api.post('/v2.0/security-groups', json={'security_group': {'name': 'b'}})
    assert response.status_code == 409


def test_second_default_group_is_409(api):
    response = api.post('/v2.0/security-groups', json={'security_group': {'name': 'default'}})
    assert response.status_code == 409
    assert len(_groups(api)) == 1


def test_default_group_keeps_its_name(api):
    (group,) = _groups(api)
    response = api.put(f"/v2.0/security-groups/{group['id']}",
                       json={'security_group': {'name': 'renamed'}})
    assert response.status_code == 400
    response = api.put(f"/v2.0/security-groups/{group['id']}",
                       json={'security_group': {'description': 'mine'}})
    assert response.get_json()['security_group']['description'] == 'mine'


def test_group_revision_moves_when_a_rule_goes(api):
    group = api.post('/v2.0/security-groups', json={'security_group': {'name': 'g'}})\
        .get_json()['security_group']
    rule_id = group['security_group_rules'][0]['id']
    assert api.delete(f'/v2.0/security-group-rules/{rule_id}').status_code == 204
    changed = api.get(f"/v2.0/security-groups/{group['id']}").get_json()['security_group']
    assert changed['revision_number'] == group['revision_number'] + 1
