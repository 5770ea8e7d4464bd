"""Users, groups and passwords (``identity/users.py``)."""
import pytest

from common import exceptions as common_exc
from identity import exceptions
from tests.unit.identity import factories as f


def _check(env, user, password):
    with env.backend.reader() as session:
        current = user and env.backend.users.find_user(session, user_id=user.id)
        return env.backend.users.check_password(session, current, password)


def test_check_password(env):
    user = f.make_user(env.backend)
    assert _check(env, user, f.PASSWORD).id == user.id
    with pytest.raises(exceptions.AuthenticationFailed):
        _check(env, user, 'wrong')


def test_unknown_user_fails_like_a_wrong_password(env):
    with pytest.raises(exceptions.AuthenticationFailed) as unknown:
        _check(env, None, f.PASSWORD)
    user = f.make_user(env.backend)
    with pytest.raises(exceptions.AuthenticationFailed) as wrong:
        _check(env, user, 'wrong')
    assert unknown.value.message == wrong.value.message


def test_disabled_user_or_domain_fails(env):
    with pytest.raises(exceptions.AuthenticationFailed):
        _check(env, f.make_user(env.backend, enabled=False), f.PASSWORD)
    domain = f.make_domain(env.backend, enabled=False)
    with pytest.raises(exceptions.AuthenticationFailed):
        _check(env, f.make_user(env.backend, domain=domain), f.PASSWORD)


def test_password_is_stored_hashed(env):
    user = f.make_user(env.backend)
    assert f.PASSWORD not in user.password_hash
    assert user.password_hash.startswith('bcrypt-sha256$')
    assert user.password_changed_at is not None


def test_extra_attributes_are_kept_without_nulls(env):
    user = f.make_user(env.backend, email='a@b.c', description=None)
    assert user.extra == {'email': 'a@b.c'}


def test_change_password_of_disabled_user_fails(env):
    user = f.make_user(env.backend, enabled=False)
    with pytest.raises(exceptions.AuthenticationFailed):
        with env.backend.writer() as session:
            env.backend.users.change_password(session, user.id, f.PASSWORD, 'new')


def test_clearing_the_password(env):
    user = f.make_user(env.backend)
    with env.backend.writer() as session:
        env.backend.users.update_user(session, user.id, {'password': None})
    with pytest.raises(exceptions.AuthenticationFailed):
        _check(env, user, f.PASSWORD)


def test_group_in_unknown_domain_is_refused(env):
    with pytest.raises(common_exc.BadRequest):
        f.make_group(env.backend, domain='no-such-domain')


def test_members_and_groups_of(env):
    group = f.make_group(env.backend)
    users = sorted((f.make_user(env.backend) for _ in range(3)), key=lambda u: u.id)
    for user in users:
        f.add_member(env.backend, group, user)
    with env.backend.reader() as session:
        assert [u.id for u in env.backend.users.members(session, group.id, limit=2)] == \
            [u.id for u in users[:2]]
        assert [g.id for g in env.backend.users.groups_of(session, users[0].id)] == [group.id]
