"""Effective roles and role implications (``identity/assignment.py``)."""
import pytest

from common import exceptions as common_exc
from identity import assignment
from identity.db import models as m
from tests.unit.identity import factories as f


def test_expand_implied_is_transitive_and_stops_on_loops():
    implications = {'admin': {'member'}, 'member': {'reader'}, 'x': {'y'}, 'y': {'x'}}
    assert assignment.expand_implied(['admin'], implications) == {'admin', 'member', 'reader'}
    assert assignment.expand_implied(['reader'], implications) == {'reader'}
    assert assignment.expand_implied(['x'], implications) == {'x', 'y'}
    assert assignment.expand_implied([], implications) == set()


def _names(env, role_ids):
    with env.backend.reader() as session:
        return sorted(r.name for r in session.query(m.Role).filter(m.Role.id.in_(role_ids)))


def test_effective_roles_combine_user_groups_and_implications(env):
    project = f.make_project(env.backend)
    user = f.make_user(env.backend)
    f.grant(env.backend, 'reader', user=user, project=project)
    custom = f.make_role(env.backend)
    f.grant(env.backend, custom, group=f.make_group(env.backend, members=[user]),
            project=project)
    f.grant(env.backend, 'admin', group=f.make_group(env.backend), project=project)
    with env.backend.reader() as session:
        ids = env.backend.assignment.effective_role_ids(session, user.id, 'project', project.id)
    assert _names(env, ids) == sorted(['reader', custom.name])


def test_roles_on_one_target_do_not_leak_to_another(env):
    project, other = f.make_project(env.backend), f.make_project(env.backend)
    domain = f.make_domain(env.backend)
    inside = f.make_project(env.backend, domain=domain)
    user = f.make_user(env.backend)
    f.grant(env.backend, 'admin', user=user, project=project)
    f.grant(env.backend, 'admin', user=user, domain=domain)
    with env.backend.reader() as session:
        a = env.backend.assignment
        assert a.effective_role_ids(session, user.id, 'project', other.id) == set()
        assert a.effective_role_ids(session, user.id, 'system', m.SYSTEM_TARGET) == set()
        # A domain grant is not a grant on the domain's projects.
        assert a.effective_role_ids(session, user.id, 'project', inside.id) == set()


def test_project_and_domain_ids_of_user(env):
    user = f.make_user(env.backend)
    direct, via_group = f.make_project(env.backend), f.make_project(env.backend)
    domain = f.make_domain(env.backend)
    f.grant(env.backend, 'reader', user=user, project=direct)
    group = f.make_group(env.backend, members=[user])
    f.grant(env.backend, 'reader', group=group, project=via_group)
    f.grant(env.backend, 'reader', group=group, domain=domain)
    with env.backend.reader() as session:
        assert env.backend.assignment.project_ids_of_user(session, user.id) == {
            direct.id, via_group.id}
        assert env.backend.assignment.domain_ids_of_user(session, user.id) == {domain.id}


def test_grant_queues_a_notification_only_when_new(env, notifications):
    project = f.make_project(env.backend)
    user = f.make_user(env.backend)
    notifications.clear()
    f.grant(env.backend, 'reader', user=user, project=project)
    f.grant(env.backend, 'reader', user=user, project=project)
    assert notifications.events() == [('identity.role_assignment.created',
                                       {'resource_info': env.roles['reader'].id})]


def test_deleting_a_role_removes_it_from_application_credentials(env):
    project = f.make_project(env.backend)
    user = f.make_user(env.backend)
    custom = f.make_role(env.backend)
    f.grant(env.backend, custom, user=user, project=project)
    f.grant(env.backend, 'reader', user=user, project=project)
    credential, _ = f.make_application_credential(env.backend, user, project)
    with env.backend.writer() as session:
        env.backend.assignment.delete_role(session, custom.id)
    with env.backend.reader() as session:
        left = env.backend.app_credentials.roles_of(session, credential.id)
    assert [r.name for r in left] == ['reader']


def test_find_role_by_name_or_id(env):
    with env.backend.reader() as session:
        by_name = env.backend.assignment.find_role(session, 'member')
        assert env.backend.assignment.find_role(session, by_name.id).name == 'member'


def test_implication_loop_is_refused(env):
    with pytest.raises(common_exc.BadRequest):
        with env.backend.writer() as session:
            env.backend.assignment.create_implied_role(session, env.roles['reader'].id,
                                                       env.roles['admin'].id)


def test_list_grants_effective_has_no_group_rows(env):
    project = f.make_project(env.backend)
    users = [f.make_user(env.backend) for _ in range(2)]
    group = f.make_group(env.backend, members=users)
    f.grant(env.backend, 'reader', group=group, project=project)
    with env.backend.reader() as session:
        grants = env.backend.assignment.list_grants(session, project_id=project.id,
                                                    effective=True)
    assert {(g.user_id, g.group_id, g.via_group_id) for g in grants} == {
        (u.id, None, group.id) for u in users}
