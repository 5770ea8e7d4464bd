"""The backend's transactions (``identity/backend.py``): notify only what committed."""
import pytest

from identity import exceptions
from tests.unit.identity import factories as f


def test_writer_notifies_after_commit(env, notifications):
    with env.backend.writer() as session:
        project = env.backend.resource.create_project(session, {'name': f.unique('p')})
        # Nothing is sent before the commit.
        assert notifications.sent == []
    assert notifications.events() == [('identity.project.created',
                                       {'resource_info': project.id})]


def test_failed_transaction_notifies_nothing(env, notifications):
    name = f.unique('p')
    f.make_project(env.backend, name=name)
    notifications.clear()
    with pytest.raises(exceptions.DuplicateEntry):
        with env.backend.writer() as session:
            env.backend.resource.create_project(session, {'name': f.unique('p')})
            env.backend.resource.create_project(session, {'name': name})
    assert notifications.sent == []
    with env.backend.reader() as session:
        assert len(env.backend.resource.list_projects(session, name=name)) == 1


def test_backend_without_notifier(fresh_env):
    fresh_env.backend.notifier = None
    f.make_project(fresh_env.backend)  # no error


def test_default_database_is_sqlite_under_state_path(tmp_path):
    from identity.backend import Backend
    from tests.unit import make_conf
    from tests.unit.identity.fixtures import register_opts
    conf = make_conf(tmp_path, register=register_opts)
    backend = Backend(conf)
    try:
        assert backend.db.url.database == str(tmp_path / 'identity' / 'identity.sqlite')
    finally:
        backend.db.dispose()
