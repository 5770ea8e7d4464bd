"""Fixtures of the SDK tests: connections to the session's real identity API.

Names are unique (``unique``): one identity server serves the whole
session, and other test modules use it too.
"""
import os
import uuid

import pytest
import yaml
from oslo_config import cfg

import stratus
from common import config as common_config
from stratus import exceptions
from tests import servers


def unique(prefix):
    return f'{prefix}-{uuid.uuid4().hex[:12]}'


def admin_settings(identity):
    """``connect`` arguments of the cloud admin (admin of the admin project)."""
    return dict(auth_url=f'{identity.url}/v3', username='admin',
                password=servers.ADMIN_PASSWORD, project_name='admin',
                user_domain_name='Default', project_domain_name='Default',
                region_name='RegionOne')


@pytest.fixture(autouse=True)
def _no_os_variables(monkeypatch):
    """A developer's OS_* variables must not choose the cloud of a test."""
    for name in list(os.environ):
        if name.startswith('OS_'):
            monkeypatch.delenv(name)


@pytest.fixture
def conn(identity):
    """A ``Connection`` of the cloud admin, closed after the test."""
    with stratus.connect(**admin_settings(identity)) as connection:
        yield connection


@pytest.fixture
def write_clouds_yaml(tmp_path):
    """``write_clouds_yaml({name: cloud})`` writes a clouds.yaml and returns its path."""
    def write(clouds):
        path = tmp_path / 'clouds.yaml'
        path.write_text(yaml.safe_dump({'clouds': clouds}))
        return path
    return write


@pytest.fixture
def make_user(conn):
    """``make_user(roles=('member',), project=None)``: a user with a new project.

    Returns ``(user, password, project)``; everything made is deleted after
    the test.
    """
    users, projects = [], []

    def make(roles=('member',), project=None):
        if project is None:
            project = conn.identity.create_project(name=unique('project'))
            projects.append(project)
        password = unique('pw')
        user = conn.identity.create_user(name=unique('user'), password=password,
                                         default_project_id=project.id)
        users.append(user)
        for role in roles:
            conn.identity.grant_role(conn.identity.find_role(role), user=user, project=project)
        return user, password, project

    yield make
    for user in users:
        conn.identity.delete_user(user)
    for project in projects:
        conn.identity.delete_project(project)


def user_settings(identity, user, password, project):
    return dict(auth_url=f'{identity.url}/v3', username=user.name, password=password,
                project_id=project.id, user_domain_name='Default', region_name='RegionOne')


@pytest.fixture
def service_user(conn):
    """A user holding the ``service`` role in the ``service`` project, as services have.

    Returns ``(user, password)``; the user is deleted after the test, the
    shared ``service`` project is kept.
    """
    project = conn.identity.find_project('service', ignore_missing=True)
    if project is None:
        try:
            project = conn.identity.create_project(name='service',
                                                   description='The services\' own users.')
        except exceptions.Conflict:  # made meanwhile by another test
            project = conn.identity.find_project('service')
    password = unique('pw')
    user = conn.identity.create_user(name=unique('service-user'), password=password,
                                     default_project_id=project.id)
    conn.identity.grant_role(conn.identity.find_role('service'), user=user, project=project)
    yield user, password
    conn.identity.delete_user(user)


@pytest.fixture
def service_conf(identity, service_user, tmp_path):
    """A parsed service configuration whose ``[service_user]`` is ``service_user``."""
    user, password = service_user
    path = tmp_path / 'service.conf'
    path.write_text(f"""[service_user]
auth_type = password
auth_url = {identity.url}/v3
username = {user.name}
password = {password}
project_name = service
user_domain_name = Default
project_domain_name = Default
region_name = RegionOne
""")
    conf = cfg.ConfigOpts()
    common_config.register_common_opts(conf)
    conf(args=['--config-file', str(path)], project='stratus', default_config_files=[],
         default_config_dirs=[])
    return conf
