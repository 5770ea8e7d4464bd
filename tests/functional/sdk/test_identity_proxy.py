"""``conn.identity`` against the real identity API: CRUD round trips of every resource."""
import pytest

import stratus
from stratus import exceptions
from tests.functional.sdk.conftest import unique, user_settings


def test_project_round_trip(conn):
    identity = conn.identity
    name = unique('project')
    project = identity.create_project(name=name, description='first', tags=['a'])
    assert (project.name, project.description, project.domain_id) == (name, 'first', 'default')
    assert identity.get_project(project.id) == project
    assert identity.get_project(project) == project
    assert [p.id for p in identity.projects(name=name)] == [project.id]
    updated = identity.update_project(project, description='second', enabled=False)
    assert (updated.description, updated.enabled, updated.tags) == ('second', False, ['a'])
    identity.delete_project(project)
    assert list(identity.projects(name=name)) == []
    identity.delete_project(project)  # already gone: ignored
    with pytest.raises(exceptions.NotFound):
        identity.delete_project(project, ignore_missing=False)


def test_domain_round_trip(conn):
    identity = conn.identity
    domain = identity.create_domain(name=unique('domain'), description='d')
    assert identity.find_domain(domain.name) == domain
    assert domain.id in [d.id for d in identity.domains()]
    with pytest.raises(exceptions.HttpError, match='disable it first'):
        identity.delete_domain(domain)
    assert identity.update_domain(domain, enabled=False).enabled is False
    identity.delete_domain(domain)
    assert identity.find_domain(domain.id, ignore_missing=True) is None


def test_user_round_trip_and_password_change(identity, conn, make_user):
    user, password, project = make_user()
    assert 'password' not in user
    assert conn.identity.get_user(user).default_project_id == project.id
    assert conn.identity.update_user(user, email='u@example.com').email == 'u@example.com'
    assert [p.id for p in conn.identity.user_projects(user)] == [project.id]
    with stratus.connect(**user_settings(identity, user, password, project)) as as_user:
        with pytest.raises(exceptions.Unauthorized):
            as_user.identity.change_password(user, original_password='wrong', password='new')
        as_user.identity.change_password(user, original_password=password, password='new-pw')
    with stratus.connect(**user_settings(identity, user, 'new-pw', project)) as again:
        assert again.access.user_id == user.id
    with stratus.connect(**user_settings(identity, user, password, project)) as old:
        with pytest.raises(exceptions.Unauthorized):
            old.access


def test_groups_and_membership(conn, make_user):
    identity = conn.identity
    user, _password, _project = make_user()
    group = identity.create_group(name=unique('group'), description='g')
    try:
        assert identity.find_group(group.name) == group
        assert identity.update_group(group, description='h').description == 'h'
        assert not identity.is_user_in_group(user, group)
        identity.add_user_to_group(user, group)
        assert identity.is_user_in_group(user, group)
        assert [u.id for u in identity.group_users(group)] == [user.id]
        assert [g.id for g in identity.user_groups(user)] == [group.id]
        identity.remove_user_from_group(user, group)
        assert list(identity.group_users(group)) == []
        with pytest.raises(exceptions.NotFound):
            identity.remove_user_from_group(user, group)
    finally:
        identity.delete_group(group)
    assert identity.find_group(group.id, ignore_missing=True) is None


def test_roles_and_implications(conn):
    identity = conn.identity
    prior = identity.create_role(name=unique('prior'))
    implied = identity.create_role(name=unique('implied'))
    try:
        assert identity.find_role(prior.name) == prior
        assert identity.update_role(prior, description='p').description == 'p'
        identity.add_implied_role(prior, implied)
        assert [r.id for r in identity.implied_roles(prior)] == [implied.id]
        rules = {rule.prior_role.id: rule for rule in identity.role_inferences()}
        assert [r.id for r in rules[prior.id].implies] == [implied.id]
        identity.remove_implied_role(prior, implied)
        assert identity.implied_roles(prior) == []
    finally:
        identity.delete_role(prior)
        identity.delete_role(implied)
    assert identity.find_role(prior.name, ignore_missing=True) is None


def test_grants_on_projects_domains_and_the_system(conn, make_user):
    identity = conn.identity
    user, _password, project = make_user(roles=())
    reader = identity.find_role('reader')
    group = identity.create_group(name=unique('group'))
    try:
        for actor in ({'user': user}, {'group': group}):
            for target in ({'project': project}, {'domain': 'default'}, {'system': True}):
                assert not identity.has_role(reader, **actor, **target)
                identity.grant_role(reader, **actor, **target)
                assert identity.has_role(reader, **actor, **target)
                assert [r.id for r in identity.granted_roles(**actor, **target)] == [reader.id]
                identity.revoke_role(reader, **actor, **target)
                assert not identity.has_role(reader, **actor, **target)
        with pytest.raises(TypeError, match='exactly one of project, domain or system'):
            identity.grant_role(reader, user=user, project=project, system=True)
        with pytest.raises(TypeError, match='exactly one of user or group'):
            identity.grant_role(reader, project=project)
    finally:
        identity.delete_group(group)


def test_role_assignments_with_filters(conn, make_user):
    identity = conn.identity
    user, _password, project = make_user(roles=('member',))
    member = identity.find_role('member')
    group = identity.create_group(name=unique('group'))
    try:
        identity.add_user_to_group(user, group)
        identity.grant_role(identity.find_role('reader'), group=group, domain='default')
        direct = list(identity.role_assignments(user=user))
        assert [(a.role.id, a.scope.project.id) for a in direct] == [(member.id, project.id)]
        assert list(identity.role_assignments(user=user, project=project, role=member)) == \
            direct
        assert list(identity.role_assignments(user=user, domain='default')) == []

        named = list(identity.role_assignments(user=user, project=project,
                                               include_names=True))
        assert named[0].user.name == user.name
        assert named[0].scope.project.name == project.name
        assert named[0].role.name == 'member'

        effective = list(identity.role_assignments(user=user, effective=True,
                                                   include_names=True))
        scopes = {(a.role.name, 'project' if 'project' in a.scope else 'domain')
                  for a in effective}
        # member implies reader; the group's reader on the domain counts for the user.
        assert {('member', 'project'), ('reader', 'project'), ('reader', 'domain')} <= scopes
        assert [a.group.id for a in identity.role_assignments(group=group)] == [group.id]
        system = list(identity.role_assignments(system=True, user=conn.current_user_id))
        assert [a.role.id for a in system] == [identity.find_role('admin').id]
        assert all(a.scope.system == {'all': True} for a in system)
    finally:
        identity.delete_group(group)


def test_regions_services_and_endpoints(conn):
    identity = conn.identity
    region = identity.create_region(id=unique('Region'), description='r')
    generated = identity.create_region(description='generated id')
    service = identity.create_service(type=unique('type'), name=unique('svc'), description='s')
    try:
        assert identity.get_region(region.id).description == 'r'
        assert generated.id in [r.id for r in identity.regions()]
        assert identity.update_region(region, description='q').description == 'q'

        assert identity.find_service(service.name) == service
        assert [s.id for s in identity.services(type=service.type)] == [service.id]
        assert identity.update_service(service, enabled=False).enabled is False

        endpoint = identity.create_endpoint(service_id=service.id, interface='public',
                                            url='http://a.example/v1', region_id=region.id)
        assert identity.get_endpoint(endpoint.id).url == 'http://a.example/v1'
        assert [e.id for e in identity.endpoints(service=service)] == [endpoint.id]
        assert list(identity.endpoints(service=service, interface='internal')) == []
        moved = identity.update_endpoint(endpoint, url='http://b.example/v1')
        assert moved.url == 'http://b.example/v1'
        identity.delete_endpoint(endpoint)
        assert list(identity.endpoints(service=service)) == []
    finally:
        identity.delete_service(service)
        identity.delete_region(region)
        identity.delete_region(generated)
    with pytest.raises(exceptions.NotFound, match='Could not find region'):
        identity.get_region(region.id)


def test_application_credentials(identity, make_user):
    user, password, project = make_user(roles=('member',))
    with stratus.connect(**user_settings(identity, user, password, project)) as as_user:
        credentials = as_user.identity
        name = unique('cred')
        created = credentials.create_application_credential(
            name=name, description='ci', roles=[{'name': 'reader'}])
        assert created.secret
        assert [r.name for r in created.roles] == ['reader']
        assert created.project_id == project.id
        shown = credentials.get_application_credential(created)
        assert 'secret' not in shown and shown.name == name
        assert credentials.find_application_credential(name).id == created.id
        assert credentials.find_application_credential(created.id, user=user).id == created.id
        assert [c.id for c in credentials.application_credentials()] == [created.id]
        credentials.delete_application_credential(created)
        assert list(credentials.application_credentials(user=user.id)) == []


def test_tokens_validate_check_revoke(identity, conn, make_user):
    user, password, project = make_user()
    with stratus.connect(**user_settings(identity, user, password, project)) as as_user:
        token = as_user.access.auth_token
    body = conn.identity.validate_token(token)
    assert (body.user.id, body.project.id) == (user.id, project.id)
    assert 'identity' in [entry.type for entry in body.catalog]
    assert 'catalog' not in conn.identity.validate_token(token, nocatalog=True)
    assert conn.identity.check_token(token)
    conn.identity.revoke_token(token)
    assert not conn.identity.check_token(token)
    with pytest.raises(exceptions.NotFound):
        conn.identity.validate_token(token)


def test_what_the_current_token_reaches(identity, make_user):
    user, password, project = make_user()
    with stratus.connect(**user_settings(identity, user, password, project)) as as_user:
        catalog = as_user.identity.auth_catalog()
        assert 'identity' in [entry.type for entry in catalog]
        assert [p.id for p in as_user.identity.auth_projects()] == [project.id]
        assert list(as_user.identity.auth_domains()) == []
        assert as_user.identity.auth_system() == []
