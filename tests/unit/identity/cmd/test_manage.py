"""``stratus-manage identity …`` (``identity/cmd/manage.py``) on a SQLite file."""
import argparse
import logging
import os

import pytest

from common.db import migration
from identity.backend import Backend, key_repository
from identity.cmd import manage
from tests.unit import make_conf
from tests.unit.identity.fixtures import register_opts


@pytest.fixture(autouse=True)
def _keep_logging():
    """The commands configure the root logger; give pytest's handlers back."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def conf(tmp_path):
    return make_conf(tmp_path, register=register_opts, identity__password_hash_rounds=4)


def _bootstrap_args(password='pw-1'):
    return argparse.Namespace(
        bootstrap_username='admin', bootstrap_password=password,
        bootstrap_project_name='admin', bootstrap_role_name='admin',
        bootstrap_service_name='keystone', bootstrap_region_id='RegionOne',
        bootstrap_public_url='http://h:5000/v3', bootstrap_internal_url=None,
        bootstrap_admin_url=None)


def _login(conf, password):
    backend = Backend(conf)
    try:
        with backend.reader() as session:
            user = backend.users.find_user(session, name='admin', domain_id='default')
            try:
                backend.users.check_password(session, user, password)
            except Exception:
                return False
            return True
    finally:
        backend.db.dispose()


def test_bootstrap_needs_db_sync_first(conf):
    with pytest.raises(SystemExit, match='db-sync'):
        manage.run_bootstrap(conf, _bootstrap_args())


def test_db_sync_fernet_setup_bootstrap(conf, capsys):
    manage.db_sync(conf, None)
    manage.fernet_setup(conf, None)
    manage.fernet_setup(conf, None)
    manage.run_bootstrap(conf, _bootstrap_args())
    manage.run_bootstrap(conf, _bootstrap_args('pw-2'))
    out = capsys.readouterr().out
    assert 'identity database at revision' in out
    assert 'created Fernet keys' in out and 'kept existing Fernet keys' in out
    assert 'user admin is admin of project admin' in out
    assert _login(conf, 'pw-2') and not _login(conf, 'pw-1')
    repo = key_repository(conf)
    assert sorted(os.listdir(repo)) == ['0', '1']


def test_fernet_rotate(conf, capsys):
    manage.fernet_setup(conf, None)
    conf.set_override('max_active_keys', 3, group='fernet_tokens')
    for _ in range(3):
        manage.fernet_rotate(conf, None)
    assert 'Fernet key 4 is now primary' in capsys.readouterr().out
    assert sorted(int(k) for k in os.listdir(key_repository(conf))) == [0, 3, 4]


def test_ensure_user(conf, capsys):
    manage.db_sync(conf, None)
    manage.run_bootstrap(conf, _bootstrap_args())
    args = argparse.Namespace(name='demo', password='pw', project='demo', role=['member'],
                              domain='Default')
    manage.ensure_user(conf, args)
    manage.ensure_user(conf, args)
    assert 'user demo holds member on project demo' in capsys.readouterr().out
    backend = Backend(conf)
    try:
        assert migration.is_current(backend.db, manage.MIGRATIONS)
        with backend.reader() as session:
            user = backend.users.find_user(session, name='demo', domain_id='default')
            project = backend.resource.find_project(session, name='demo', domain_id='default')
            roles = backend.assignment.effective_roles(session, user.id, 'project', project.id)
        assert sorted(r.name for r in roles) == ['member', 'reader']
    finally:
        backend.db.dispose()


def test_register_adds_the_identity_commands():
    parser = argparse.ArgumentParser()
    manage.register(parser.add_subparsers(dest='service'))
    args = parser.parse_args(['identity', 'bootstrap', '--bootstrap-password', 'x'])
    assert args.run is manage.run_bootstrap and args.bootstrap_username == 'admin'
    args = parser.parse_args(['identity', 'ensure-user', '--name', 'n', '--password', 'p',
                              '--project', 'p', '--role', 'a', '--role', 'b'])
    assert args.role == ['a', 'b'] and args.run is manage.ensure_user
