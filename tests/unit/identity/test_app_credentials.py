"""Application credentials (``identity/app_credentials.py``)."""
import datetime

import pytest

from common import exceptions as common_exc
from common.db.types import utcnow
from identity import app_credentials
from identity import exceptions
from tests.unit.identity import factories as f


@pytest.fixture
def owner(env):
    project = f.make_project(env.backend)
    user = f.make_user(env.backend)
    f.grant(env.backend, 'member', user=user, project=project)
    return user, project


def test_expiry_is_stored_in_utc():
    parsed = app_credentials._parse_expiry('2999-01-01T12:00:00+02:00')
    assert parsed == datetime.datetime(2999, 1, 1, 10, 0)
    assert app_credentials._parse_expiry('2999-01-01T12:00:00Z') == \
        datetime.datetime(2999, 1, 1, 12, 0)
    assert app_credentials._parse_expiry(None) is None


@pytest.mark.parametrize('value, error', [('yesterday', common_exc.ValidationError),
                                          ('2000-01-01T00:00:00', common_exc.BadRequest)])
def test_bad_expiry(value, error):
    with pytest.raises(error):
        app_credentials._parse_expiry(value)


def test_default_roles_are_all_the_user_holds(env, owner):
    credential, _ = f.make_application_credential(env.backend, *owner)
    with env.backend.reader() as session:
        roles = env.backend.app_credentials.roles_of(session, credential.id)
    assert sorted(r.name for r in roles) == ['member', 'reader']


def test_secret_is_hashed_and_checked(env, owner):
    credential, secret = f.make_application_credential(env.backend, *owner)
    assert secret not in credential.secret_hash
    with env.backend.reader() as session:
        manager = env.backend.app_credentials
        assert manager.authenticate(session, credential_id=credential.id,
                                    secret=secret).id == credential.id
        assert manager.authenticate(session, name=credential.name, user_id=owner[0].id,
                                    secret=secret).id == credential.id
        with pytest.raises(exceptions.AuthenticationFailed):
            manager.authenticate(session, credential_id=credential.id, secret=secret + 'x')


def test_expired_credential_fails(env, owner):
    credential, secret = f.make_application_credential(
        env.backend, *owner, expires_at=utcnow() - datetime.timedelta(seconds=1))
    with env.backend.reader() as session:
        with pytest.raises(exceptions.AuthenticationFailed):
            env.backend.app_credentials.authenticate(session, credential_id=credential.id,
                                                     secret=secret)


def test_get_belongs_to_its_user(env, owner):
    credential, _ = f.make_application_credential(env.backend, *owner)
    with env.backend.reader() as session:
        with pytest.raises(exceptions.ApplicationCredentialNotFound):
            env.backend.app_credentials.get(session, 'someone-else', credential.id)


def test_deleting_the_user_deletes_the_credentials(env, owner):
    user, project = owner
    credential, secret = f.make_application_credential(env.backend, user, project)
    with env.backend.writer() as session:
        env.backend.users.delete_user(session, user.id)
    with env.backend.reader() as session:
        with pytest.raises(exceptions.AuthenticationFailed):
            env.backend.app_credentials.authenticate(session, credential_id=credential.id,
                                                     secret=secret)
