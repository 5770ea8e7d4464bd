"""Quotas: defaults from [quotas], per-project limits (admin only), usage details."""


def test_defaults_are_neutrons(api):
    quota = api.get('/v2.0/quotas/project-p').get_json()['quota']
    assert quota == {'network': 100, 'subnet': 100, 'port': 500, 'router': 10,
                     'floatingip': 50, 'security_group': 10, 'security_group_rule': 100}
    default = api.get('/v2.0/quotas/project-p/default').get_json()['quota']
    assert default['port'] == 500


def test_another_projects_quota_is_403(api):
    assert api.get('/v2.0/quotas/project-q').status_code == 403


def test_set_show_details_and_reset(api):
    assert api.put('/v2.0/quotas/project-p', json={'quota': {'network': 1}}).status_code == 403
    response = api.put('/v2.0/quotas/project-p', json={'quota': {'network': 1}},
                       as_='cloud_admin')
    assert response.status_code == 200 and response.get_json()['quota']['network'] == 1
    api.network()
    over = api.post('/v2.0/networks', json={'network': {}})
    assert over.status_code == 409
    assert over.get_json()['NeutronError']['type'] == 'OverQuota'
    details = api.get('/v2.0/quotas/project-p/details').get_json()['quota']
    assert details['network'] == {'limit': 1, 'used': 1, 'reserved': 0}
    listed = api.get('/v2.0/quotas', as_='cloud_admin').get_json()['quotas']
    assert [q['project_id'] for q in listed] == ['project-p']
    assert api.delete('/v2.0/quotas/project-p', as_='cloud_admin').status_code == 204
    assert api.get('/v2.0/quotas/project-p').get_json()['quota']['network'] == 100


def test_bad_quota_values_are_400(api):
    for quota in ({'network': -2}, {'network': 'x'}, {'bogus': 1}):
        response = api.put('/v2.0/quotas/project-p', json={'quota': quota}, as_='cloud_admin')
        assert response.status_code == 400, quota


def test_check_limit_refuses_limits_below_usage_unless_forced(api):
    api.network()
    api.network()
    below = {'quota': {'network': 1, 'check_limit': True}}
    refused = api.put('/v2.0/quotas/project-p', json=below, as_='cloud_admin')
    assert refused.status_code == 409
    assert refused.get_json()['NeutronError']['type'] == 'InvalidQuotaValue'
    assert api.get('/v2.0/quotas/project-p').get_json()['quota']['network'] == 100
    at_usage = {'quota': {'network': 2, 'check_limit': True}}
    assert api.put('/v2.0/quotas/project-p', json=at_usage, as_='cloud_admin').status_code == 200
    forced = {'quota': {'network': 1, 'force': True}}
    response = api.put('/v2.0/quotas/project-p', json=forced, as_='cloud_admin')
    assert response.status_code == 200 and response.get_json()['quota']['network'] == 1
    bad = {'quota': {'network': 5, 'check_limit': 'yes'}}
    assert api.put('/v2.0/quotas/project-p', json=bad, as_='cloud_admin').status_code == 400
