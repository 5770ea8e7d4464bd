"""openstacksdk, unmodified, against the identity API: ``openstack.connect(cloud=...)``."""

import openstack
import pytest
from openstack import exceptions as sdk_exc

from tests.compat.conftest import ADMIN_CLOUD, MEMBER_CLOUD

PASSWORD = 'compat-Sdk-Secret-1'


@pytest.fixture(scope='module')
def conn(connect):
    return connect(ADMIN_CLOUD)


def test_projects(conn, admin_cloud, member_cloud):
    names = {project.name for project in conn.identity.projects()}
    assert {admin_cloud.project_name, member_cloud.project_name} <= names
    assert conn.current_project_id == conn.identity.find_project(admin_cloud.project_name).id


def test_project_and_user_lifecycle(conn, admin_cloud, cleanup, unique_name):
    project = conn.identity.create_project(name=unique_name('project'), description='sdk',
                                           domain_id='default')
    cleanup.project(project.id)
    assert project.is_enabled is True
    found = conn.identity.find_project(project.name)
    assert found.id == project.id
    assert found.description == 'sdk'
    assert conn.identity.get_project(project.id).name == project.name

    user = conn.identity.create_user(name=unique_name('user'), password=PASSWORD,
                                     default_project_id=project.id, domain_id='default')
    cleanup.user(user.id)
    assert conn.identity.find_user(user.name).id == user.id
    assert conn.identity.get_user(user.id).default_project_id == project.id

    member = conn.identity.find_role('member')
    conn.identity.assign_project_role_to_user(project, user, member)
    assert conn.identity.validate_user_has_project_role(project, user, member)
    assignments = list(conn.identity.role_assignments(scope_project_id=project.id,
                                                      user_id=user.id))
    assert [a.role['id'] for a in assignments] == [member.id]

    # The new user connects with the SDK too (no clouds.yaml entry needed).
    user_conn = openstack.connect(auth_url=admin_cloud.auth_url, username=user.name,
                                  password=PASSWORD, project_name=project.name,
                                  user_domain_name='Default', project_domain_name='Default',
                                  region_name=admin_cloud.region)
    try:
        assert user_conn.current_user_id == user.id
        assert user_conn.current_project_id == project.id
    finally:
        user_conn.close()

    conn.identity.delete_user(user)
    conn.identity.delete_project(project)
    assert conn.identity.find_user(user.name) is None
    assert conn.identity.find_project(project.name) is None
    with pytest.raises(sdk_exc.NotFoundException):
        conn.identity.get_project(project.id)


def test_get_validate_check_and_revoke_token(conn, connect, member_cloud):
    member = connect(MEMBER_CLOUD)
    token_id = member.identity.get_token()
    assert token_id

    token = conn.identity.validate_token(token_id)
    assert token.user['name'] == member_cloud.username
    assert token.project['name'] == member_cloud.project_name
    assert token.project['id'] == member.current_project_id
    assert 'member' in {role['name'] for role in token.roles}
    assert token.expires_at
    assert conn.identity.check_token(token_id) is True

    conn.identity.revoke_token(token_id)
    assert conn.identity.check_token(token_id) is False
    with pytest.raises(sdk_exc.NotFoundException):
        conn.identity.validate_token(token_id)


def test_admin_token_validates_itself(conn):
    token = conn.identity.validate_token(conn.identity.get_token())
    assert token.project['id'] == conn.current_project_id
    assert token.user['id'] == conn.current_user_id
    assert 'admin' in {role['name'] for role in token.roles}


def test_service_catalog(conn, admin_cloud):
    access = conn.session.auth.get_access(conn.session)
    catalog = access.service_catalog
    public = catalog.url_for(service_type='identity', interface='public',
                             region_name=admin_cloud.region)
    assert public.rstrip('/') in (admin_cloud.root, f'{admin_cloud.root}/v3')
    endpoints = catalog.get_endpoints(service_type='identity')['identity']
    assert {'public'} <= {e['interface'] for e in endpoints}
    assert all(e['region'] == e['region_id'] for e in endpoints)
    # The SDK's identity proxy resolves the same endpoint and discovers v3.
    data = conn.identity.get_endpoint_data()
    assert data.url.rstrip('/') == f'{admin_cloud.root}/v3'
    assert data.api_version[0] == 3
