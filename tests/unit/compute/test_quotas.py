"""The quota engine: limits, usage counted from the tables, enforcement, overrides.

``add_instance`` and ``add_group`` also serve the quota-set and limits API tests.
"""
import json
import uuid

import pytest

from common.db.types import utcnow
from compute import quotas
from compute.db import models

PROJECT = 'project-p'


def add_instance(session, project_id=PROJECT, vcpus=2, ram=1024, deleted=False):
    session.add(models.Instance(
        display_name='vm', project_id=project_id, user_id='u', flavor=json.dumps({}),
        vcpus=vcpus, memory_mb=ram, root_gb=1, vm_state='active',
        deleted_at=utcnow() if deleted else None))
    session.flush()


def add_group(session, project_id=PROJECT, members=0):
    group = models.ServerGroup(name='g', project_id=project_id, user_id='u', policy='affinity')
    session.add(group)
    session.flush()
    for _ in range(members):
        session.add(models.ServerGroupMember(group_id=group.id, instance_uuid=str(uuid.uuid4())))
    session.flush()
    return group


@pytest.fixture
def engine(env):
    return quotas.Quotas(env.conf)


def test_limits_are_defaults_overridden_per_project(env, engine):
    with env.db.writer() as session:
        engine.set_limits(session, PROJECT, {'instances': 3, 'ram': -1})
    with env.db.reader() as session:
        mine = engine.limits(session, PROJECT)
        theirs = engine.limits(session, 'project-q')
    assert (mine['instances'], mine['ram'], mine['cores']) == (3, -1, 20)
    assert theirs['instances'] == 10
    with env.db.writer() as session:
        engine.reset(session, PROJECT)
    with env.db.reader() as session:
        assert engine.limits(session, PROJECT) == engine.defaults()


def test_usage_counts_live_instances_groups_and_the_users_keys(env, engine):
    with env.db.writer() as session:
        add_instance(session, vcpus=2, ram=512)
        add_instance(session, vcpus=4, ram=1024)
        add_instance(session, deleted=True)
        add_instance(session, project_id='project-q')
        add_group(session)
        session.add(models.KeyPair(name='k', user_id='u1', fingerprint='f', public_key='p'))
    with env.db.reader() as session:
        used = engine.usage(session, PROJECT, user_id='u1')
        assert engine.usage(session, PROJECT)['key_pairs'] == 0
    assert (used['instances'], used['cores'], used['ram']) == (2, 6, 1536)
    assert (used['server_groups'], used['key_pairs']) == (1, 1)


def test_enforce_refuses_what_goes_over_with_novas_message(env, engine):
    with env.db.writer() as session:
        engine.set_limits(session, PROJECT, {'cores': 20})
        for _ in range(9):
            add_instance(session, vcpus=2)
    with env.db.writer() as session:
        engine.enforce(session, PROJECT, {'instances': 1, 'cores': 2})
        with pytest.raises(quotas.QuotaExceeded) as caught:
            engine.enforce(session, PROJECT, {'instances': 1, 'cores': 4})
    assert caught.value.code == 403
    assert caught.value.message == ('Quota exceeded for cores: Requested 4, but already used '
                                    '18 of 20 cores')


def test_unlimited_and_zero_deltas_always_pass(env, engine):
    with env.db.writer() as session:
        engine.set_limits(session, PROJECT, {'instances': -1, 'ram': 0})
        for _ in range(20):
            add_instance(session)
        engine.enforce(session, PROJECT, {'instances': 5, 'ram': 0})


def test_per_request_limits_look_at_the_delta_alone(env, engine):
    with env.db.writer() as session:
        engine.enforce(session, PROJECT, {'metadata_items': 128})
        with pytest.raises(quotas.QuotaExceeded, match='Maximum number of metadata items '
                                                       'exceeds 128'):
            engine.enforce(session, PROJECT, {'metadata_items': 129})
        with pytest.raises(quotas.QuotaExceeded, match='Personality file limit exceeded'):
            engine.enforce(session, PROJECT, {'injected_files': 6})


def test_key_pairs_are_counted_per_user(env, engine):
    with env.db.writer() as session:
        engine.set_limits(session, PROJECT, {'key_pairs': 1})
        session.add(models.KeyPair(name='k', user_id='u1', fingerprint='f', public_key='p'))
        session.flush()
        engine.enforce(session, PROJECT, {'key_pairs': 1}, user_id='u2')
        with pytest.raises(quotas.QuotaExceeded, match='too many key pairs'):
            engine.enforce(session, PROJECT, {'key_pairs': 1}, user_id='u1')
        with pytest.raises(ValueError):
            engine.enforce(session, PROJECT, {'key_pairs': 1})


def test_server_groups_and_their_members(env, engine):
    with env.db.writer() as session:
        engine.set_limits(session, PROJECT, {'server_groups': 1, 'server_group_members': 2})
        group = add_group(session, members=2)
        other = add_group(session, project_id='project-q')
        with pytest.raises(quotas.QuotaExceeded, match='too many server groups'):
            engine.enforce(session, PROJECT, {'server_groups': 1})
        for group_ref in (group.id, group.uuid):
            with pytest.raises(quotas.QuotaExceeded, match='too many servers in group'):
                engine.enforce(session, PROJECT, {'server_group_members': 1},
                               group_id=group_ref)
        engine.enforce(session, PROJECT, {'server_group_members': 2}, group_id=other.uuid)


def test_enforce_creates_the_lock_rows_it_needs(env, engine):
    with env.db.writer() as session:
        engine.enforce(session, PROJECT, {'instances': 1, 'key_pairs': 1}, user_id='u1')
        engine.enforce(session, PROJECT, {'instances': 1})
    with env.db.reader() as session:
        owners = sorted(r.owner_id for r in session.query(models.QuotaLock))
    assert owners == [PROJECT, 'u1']


def test_lowering_below_usage_needs_force(env, engine):
    with env.db.writer() as session:
        add_instance(session)
        add_instance(session)
    with env.db.writer() as session:
        with pytest.raises(quotas.QuotaBelowUsage, match='Quota limit 1 for instances must '
                                                         'be greater than or equal to already '
                                                         'used and reserved 2.'):
            engine.set_limits(session, PROJECT, {'instances': 1}, force=False)
        engine.set_limits(session, PROJECT, {'instances': -1}, force=False)
        engine.set_limits(session, PROJECT, {'instances': 1})


def test_unknown_resources_are_programming_errors(env, engine):
    with env.db.writer() as session:
        with pytest.raises(ValueError):
            engine.enforce(session, PROJECT, {'gpus': 1})
        with pytest.raises(ValueError):
            engine.set_limits(session, PROJECT, {'gpus': 1})
