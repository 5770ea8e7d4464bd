"""Quota sets and flavor access are refused for a project the identity service does not
know (400, as Nova), and accepted for one it does: asked of the real identity service."""
import uuid

import pytest

from tests.functional.compute import helpers


@pytest.fixture(scope='module')
def cloud_admin(compute):
    return compute.admin()


def test_quota_set_of_an_unknown_project_is_refused(cloud_admin, make_account):
    unknown = uuid.uuid4().hex
    refused = cloud_admin.put(f'/os-quota-sets/{unknown}', json={'quota_set': {'instances': 3}})
    assert refused.status_code == 400, refused.text
    assert refused.json()['badRequest']['message'] == \
        f'Project ID {unknown} is not a valid project.'
    known = make_account().project_id
    accepted = cloud_admin.put(f'/os-quota-sets/{known}', json={'quota_set': {'instances': 3}})
    assert accepted.status_code == 200, accepted.text
    assert cloud_admin.get(f'/os-quota-sets/{known}').json()['quota_set']['instances'] == 3


def test_flavor_access_for_an_unknown_project_is_refused(cloud_admin):
    flavor = helpers.make_flavor(cloud_admin, is_public=False)
    try:
        refused = cloud_admin.post(f'/flavors/{flavor["id"]}/action', json={
            'addTenantAccess': {'tenant': uuid.uuid4().hex}})
        assert refused.status_code == 400, refused.text
        listed = cloud_admin.get(f'/flavors/{flavor["id"]}/os-flavor-access').json()
        assert listed == {'flavor_access': []}
    finally:
        cloud_admin.delete(f'/flavors/{flavor["id"]}')
