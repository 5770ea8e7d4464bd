"""Domains and projects (``identity/resource.py``)."""
import pytest

from identity import exceptions
from tests.unit.identity import factories as f


def test_find_domain_by_id_or_name(env):
    domain = f.make_domain(env.backend)
    with env.backend.reader() as session:
        r = env.backend.resource
        assert r.find_domain(session, domain_id=domain.id).name == domain.name
        assert r.find_domain(session, name=domain.name).id == domain.id
        with pytest.raises(exceptions.DomainNotFound):
            r.find_domain(session, name='no such domain')


def test_find_project_by_name_is_per_domain(env):
    domain = f.make_domain(env.backend)
    project = f.make_project(env.backend, domain=domain)
    with env.backend.reader() as session:
        assert env.backend.resource.find_project(session, name=project.name,
                                                 domain_id=domain.id).id == project.id
        with pytest.raises(exceptions.ProjectNotFound):
            env.backend.resource.find_project(session, name=project.name, domain_id='default')


def test_parent_equal_to_the_domain_means_top_level(env):
    """Clients send the domain id as parent of a top-level project, as Keystone shows it."""
    domain = f.make_domain(env.backend)
    project = f.make_project(env.backend, domain=domain, parent_id=domain.id)
    assert project.parent_id is None and project.domain_id == domain.id


def test_child_takes_its_parents_domain(env):
    domain = f.make_domain(env.backend)
    parent = f.make_project(env.backend, domain=domain)
    child = f.make_project(env.backend, parent=parent)
    assert child.domain_id == domain.id


def test_update_project_keeps_unmentioned_fields(env):
    project = f.make_project(env.backend, description='kept', tags=['a'], extra={'k': 'v'})
    with env.backend.writer() as session:
        updated = env.backend.resource.update_project(session, project.id,
                                                      {'extra': {'k2': 'v2'}})
    assert (updated.description, updated.tags, updated.extra) == ('kept', ['a'],
                                                                  {'k': 'v', 'k2': 'v2'})


def test_enabled_none_changes_nothing(env):
    project = f.make_project(env.backend)
    with env.backend.writer() as session:
        assert env.backend.resource.update_project(session, project.id,
                                                   {'enabled': None}).enabled is True
