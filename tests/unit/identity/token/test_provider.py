"""Issuing and validating tokens in the provider (``identity/token/provider.py``)."""
import pytest

from identity import exceptions
from tests.unit.identity import factories as f


def _validate(env, token):
    with env.backend.reader() as session:
        return env.backend.tokens.validate(session, token)


def test_admin_project_is_found_once_it_exists(fresh_env):
    """The admin project id is not cached while it does not exist."""
    with fresh_env.backend.writer() as session:
        fresh_env.backend.resource.update_project(session, fresh_env.admin_project.id,
                                                  {'name': 'renamed'})
    fresh_env.backend.tokens._admin_project_id = None
    with fresh_env.backend.reader() as session:
        assert fresh_env.backend.tokens.admin_project_id(session) is None
    admin_project = f.make_project(fresh_env.backend, name='admin')
    with fresh_env.backend.reader() as session:
        assert fresh_env.backend.tokens.admin_project_id(session) == admin_project.id


def test_project_admin_elsewhere_is_not_on_the_admin_project(env):
    project = f.make_project(env.backend, name='admin', domain=f.make_domain(env.backend))
    user = f.make_user(env.backend)
    f.grant(env.backend, 'admin', user=user, project=project)
    validated = _validate(env, f.token_for(env.backend, user, project=project))
    assert validated.is_admin_project is False
    assert validated.role_names == ['admin', 'member', 'reader']


def test_project_in_a_disabled_domain_is_refused(env):
    domain = f.make_domain(env.backend)
    project = f.make_project(env.backend, domain=domain)
    user = f.make_user(env.backend)  # in the default domain
    f.grant(env.backend, 'member', user=user, project=project)
    token = f.token_for(env.backend, user, project=project)
    with env.backend.writer() as session:
        # Straight to the column: no revocation event, only the check at validation.
        env.backend.resource.get_domain(session, domain.id).enabled = False
    with pytest.raises(exceptions.TokenNotFound):
        _validate(env, token)


def test_disabled_user_is_refused_even_without_an_event(env):
    user = f.make_user(env.backend)
    f.grant(env.backend, 'reader', user=user, system=True)
    token = f.token_for(env.backend, user, system=True)
    with env.backend.writer() as session:
        env.backend.users.get_user(session, user.id).enabled = False
    with pytest.raises(exceptions.TokenNotFound):
        _validate(env, token)


def test_roles_are_read_at_validation(env):
    project = f.make_project(env.backend)
    user = f.make_user(env.backend)
    f.grant(env.backend, 'reader', user=user, project=project)
    token = f.token_for(env.backend, user, project=project)
    custom = f.make_role(env.backend)
    f.grant(env.backend, custom, user=user, project=project)
    assert sorted(_validate(env, token).role_names) == sorted(['reader', custom.name])


def test_application_credential_token_has_its_project_without_a_scope(env):
    project = f.make_project(env.backend)
    user = f.make_user(env.backend)
    f.grant(env.backend, 'member', user=user, project=project)
    credential, _ = f.make_application_credential(env.backend, user, project,
                                                  roles=['member'])
    validated = _validate(env, f.token_for(env.backend, user,
                                           application_credential=credential))
    assert validated.payload.project_id == project.id
    # member implies reader, for a credential as for its user.
    assert validated.role_names == ['member', 'reader']
    assert validated.application_credential.id == credential.id


def test_expiry_is_whole_seconds(env):
    validated = _validate(env, env.admin_token())
    assert validated.payload.expires_at.microsecond == 0
    assert validated.payload.issued_at < validated.payload.expires_at
