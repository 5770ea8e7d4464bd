"""Name-or-id lookups, the server's error messages, and pagination."""
import pytest

import stratus
from stratus import exceptions
from tests.functional.sdk.conftest import unique, user_settings


@pytest.fixture
def domain(conn):
    """A new domain, deleted (with what is left in it) after the test."""
    domain = conn.identity.create_domain(name=unique('domain'))
    yield domain
    for project in conn.identity.projects(domain_id=domain.id):
        conn.identity.delete_project(project)
    for user in conn.identity.users(domain_id=domain.id):
        conn.identity.delete_user(user)
    conn.identity.update_domain(domain, enabled=False)
    conn.identity.delete_domain(domain)


def test_find_by_name_and_by_id(conn):
    project = conn.identity.create_project(name=unique('project'))
    try:
        assert conn.identity.find_project(project.name) == project
        assert conn.identity.find_project(project.id) == project
        assert conn.identity.find_role('member').name == 'member'
        admin = conn.identity.find_user('admin')
        assert conn.identity.find_user(admin.id).name == 'admin'
    finally:
        conn.identity.delete_project(project)


def test_find_nothing(conn):
    name = unique('missing')
    with pytest.raises(exceptions.NotFound) as raised:
        conn.identity.find_project(name)
    assert raised.value.message == f"No project with a name or ID of '{name}' exists."
    assert conn.identity.find_project(name, ignore_missing=True) is None
    with pytest.raises(exceptions.NotFound, match='No application credential with a name'):
        conn.identity.find_application_credential(name)


def test_a_name_in_two_domains_needs_the_domain(conn, domain):
    name = unique('twin')
    here = conn.identity.create_project(name=name)
    try:
        there = conn.identity.create_project(name=name, domain_id=domain.id)
        with pytest.raises(exceptions.DuplicateResource,
                           match=f"More than one project exists with the name '{name}'"):
            conn.identity.find_project(name)
        assert conn.identity.find_project(name, domain_id=domain.id) == there
        assert conn.identity.find_project(name, domain_id='default') == here
    finally:
        conn.identity.delete_project(here)


def test_not_found_carries_the_servers_message(conn):
    with pytest.raises(exceptions.NotFound) as raised:
        conn.identity.get_user('no-such-user')
    error = raised.value
    assert (error.status_code, error.message) == (404, 'Could not find user: no-such-user.')
    assert error.method == 'GET' and error.url.endswith('/v3/users/no-such-user')
    assert error.request_id.startswith('req-')


def test_conflict_carries_the_servers_message(conn):
    project = conn.identity.create_project(name=unique('project'))
    try:
        with pytest.raises(exceptions.Conflict) as raised:
            conn.identity.create_project(name=project.name)
        assert raised.value.status_code == 409
        assert raised.value.message == ('Conflict occurred attempting to store project - '
                                        f'Duplicate entry found with name {project.name}.')
    finally:
        conn.identity.delete_project(project)


def test_bad_request_carries_the_servers_message(conn):
    with pytest.raises(exceptions.BadRequest) as raised:
        conn.identity.create_endpoint(service_id='x', interface='sideways', url='http://a')
    assert raised.value.status_code == 400
    assert 'sideways' in raised.value.message
    with pytest.raises(exceptions.BadRequest, match="Invalid value 'many' for 'limit'"):
        list(conn.identity.projects(limit='many'))


def test_forbidden_carries_the_servers_message(identity, make_user):
    user, password, project = make_user()
    with stratus.connect(**user_settings(identity, user, password, project)) as as_user:
        with pytest.raises(exceptions.Forbidden) as raised:
            as_user.identity.create_project(name=unique('project'))
    assert raised.value.message == 'Policy does not allow identity:create_project to be performed.'


def test_lists_follow_next_links(conn, domain):
    made = [conn.identity.create_project(name=unique('page'), domain_id=domain.id)
            for _ in range(5)]
    expected = sorted(p.id for p in made)
    first_page = conn.identity.request('GET', '/projects', params={
        'domain_id': domain.id, 'limit': 2}).json()
    assert len(first_page['projects']) == 2 and first_page['links']['next']
    for page_size in (1, 2, 5, 10):
        listed = [p.id for p in conn.identity.projects(domain_id=domain.id, limit=page_size)]
        assert sorted(listed) == expected, page_size
        assert len(set(listed)) == len(listed)
    assert len(list(conn.identity.users(limit=1))) == len(list(conn.identity.users()))
