"""``POST /servers/{id}/action``: states, races, locks, versions and isolation.

The conductor is ``RecordingConductor``: a test checks the exact
``run_action`` cast the API made, and plays the conductor by changing the
database itself when it needs a server in another state.
"""
import base64
import datetime
import json
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import attributes as orm_attributes

from common import exceptions
from compute import rpcapi
from compute.api import server_actions
from compute.api import support
from compute.api.schemas import server_actions as schemas
from compute.db import models as m
from compute.images import ImageNotFound, ImageServiceUnavailable
from tests.unit.image.fixtures import OTHER_PROJECT, PROJECT

FLAVOR = {'id': 'small', 'name': 'm1.small', 'vcpus': 1, 'ram': 512, 'disk': 1,
          'ephemeral': 0, 'swap': 0, 'extra_specs': {}}
IMAGE_ID = '155d900f-4e14-4e4c-a73d-069cbf4541e6'
NEW_IMAGE_ID = 'a2459075-d96c-40d5-893e-577ff92e721c'
LAUNCHED = datetime.datetime(2026, 1, 1, 12, 0, 0)


class FakeImages:
    """Stands in for ``compute.images.ImageClient``: images by id, snapshots and deletes
    recorded."""

    def __init__(self):
        self.images = {}
        self.snapshots = []
        self.deleted = []
        self.create_error = None
        self.url_error = None

    def add(self, image_id, **fields):
        self.images[image_id] = {'id': image_id, 'status': 'active', 'min_disk': 0,
                                 'min_ram': 0, 'size': 1024, 'properties': {}, **fields}

    def get(self, ctx, image_id):
        if image_id not in self.images:
            raise ImageNotFound(image_id=image_id)
        return self.images[image_id]

    def create_snapshot(self, ctx, name, properties):
        if self.create_error is not None:
            raise self.create_error
        image_id = str(uuid.uuid4())
        self.snapshots.append({'id': image_id, 'name': name, 'properties': properties,
                               'project_id': ctx.project_id})
        return image_id

    def delete(self, ctx, image_id):
        self.deleted.append(image_id)

    def image_url(self, ctx, image_id):
        if self.url_error is not None:
            raise self.url_error
        return f'http://image.example:9292/images/{image_id}'


@pytest.fixture
def images(env):
    fake = FakeImages()
    fake.add(IMAGE_ID)
    fake.add(NEW_IMAGE_ID, properties={'os_distro': 'cirros'})
    env.app.images = fake
    return fake


def make_server(env, *, project_id=PROJECT, user_id='user-member', vm_state='active',
                task_state=None, host='host-1', launched_at=LAUNCHED, flavor=FLAVOR,
                image_ref=IMAGE_ID, **fields):
    """A server row as the conductor leaves it after a build (ACTIVE on ``host-1``)."""
    with env.db.writer() as session:
        instance = m.Instance(
            display_name='vm1', project_id=project_id, user_id=user_id, image_ref=image_ref,
            flavor=json.dumps(flavor), vcpus=flavor['vcpus'], memory_mb=flavor['ram'],
            root_gb=flavor['disk'], vm_state=vm_state, task_state=task_state, host=host,
            node=host, launched_at=launched_at,
            request_spec=json.dumps({'image': {'id': IMAGE_ID, 'properties': {
                'hw_disk_bus': 'virtio', 'img_signature': 'sig', 'os_glance_x': 'y'}}}),
            **fields)
        session.add(instance)
        session.flush()
        return instance.uuid


def make_flavor(env, flavorid, *, vcpus=1, ram=512, disk=1, **fields):
    with env.db.writer() as session:
        session.add(m.Flavor(flavorid=flavorid, name=f'flavor-{flavorid}', vcpus=vcpus,
                             memory_mb=ram, root_gb=disk, **fields))


def server(env, server_id):
    with env.db.reader() as session:
        return session.execute(sa.select(m.Instance).where(
            m.Instance.uuid == server_id)).scalar_one()


def actions(env, server_id):
    with env.db.reader() as session:
        return [a.action for a in session.execute(
            sa.select(m.InstanceAction).where(m.InstanceAction.instance_uuid == server_id)
            .order_by(m.InstanceAction.id)).scalars()]


def act(api, server_id, body, **kwargs):
    kwargs.setdefault('version', '2.60')
    return api.post(f'/v2.1/servers/{server_id}/action', body, **kwargs)


# (body, vm_state it may start from, task_state it sets, run_action action, recorded action)
STATE_ACTIONS = [
    ({'os-stop': None}, 'active', 'powering-off', 'stop', 'stop'),
    ({'os-stop': None}, 'error', 'powering-off', 'stop', 'stop'),
    ({'os-start': None}, 'stopped', 'powering-on', 'start', 'start'),
    ({'pause': None}, 'active', 'pausing', 'pause', 'pause'),
    ({'unpause': None}, 'paused', 'unpausing', 'unpause', 'unpause'),
    ({'suspend': None}, 'active', 'suspending', 'suspend', 'suspend'),
    ({'resume': None}, 'suspended', 'resuming', 'resume', 'resume'),
    ({'confirmResize': None}, 'resized', 'resize_confirming', 'confirm_resize',
     'confirmResize'),
]


class TestStateActions:

    @pytest.mark.parametrize('body,vm_state,task_state,rpc_action,recorded', STATE_ACTIONS)
    def test_starts_the_task_records_and_casts(self, env, api, body, vm_state, task_state,
                                               rpc_action, recorded):
        server_id = make_server(env, vm_state=vm_state)
        response = act(api, server_id, body)
        assert response.status_code == (204 if recorded == 'confirmResize' else 202)
        assert response.data == b''
        row = server(env, server_id)
        assert (row.vm_state, row.task_state) == (vm_state, task_state)
        assert actions(env, server_id) == [recorded]
        assert env.conductor.named('run_action') == [
            {'instance_uuid': server_id, 'action': rpc_action, 'params': {}}]

    @pytest.mark.parametrize('body,vm_state,name', [
        ({'os-stop': None}, 'stopped', 'stop'), ({'os-start': None}, 'active', 'start'),
        ({'pause': None}, 'paused', 'pause'), ({'unpause': None}, 'active', 'unpause'),
        ({'suspend': None}, 'stopped', 'suspend'), ({'resume': None}, 'active', 'resume'),
        ({'confirmResize': None}, 'active', 'confirmResize'),
        ({'revertResize': None}, 'active', 'revertResize'),
        ({'reboot': {'type': 'SOFT'}}, 'stopped', 'reboot'),
        ({'reboot': {'type': 'HARD'}}, 'building', 'reboot'),
        ({'resize': {'flavorRef': 'big'}}, 'paused', 'resize'),
        ({'rebuild': {'imageRef': NEW_IMAGE_ID}}, 'paused', 'rebuild'),
        ({'createImage': {'name': 'snap'}}, 'error', 'createImage')])
    def test_refused_vm_state_is_409_in_novas_words(self, env, api, images, body, vm_state,
                                                    name):
        server_id = make_server(env, vm_state=vm_state)
        response = act(api, server_id, body)
        assert response.status_code == 409
        assert response.json['conflictingRequest']['message'] == (
            f"Cannot '{name}' instance {server_id} while it is in vm_state {vm_state}")
        assert env.conductor.calls == [] and actions(env, server_id) == []
        assert server(env, server_id).task_state is None
        assert images.snapshots == []

    def test_a_running_task_refuses_another_action(self, env, api):
        server_id = make_server(env, task_state='pausing')
        response = act(api, server_id, {'os-stop': None})
        assert response.status_code == 409
        assert response.json['conflictingRequest']['message'] == (
            f"Cannot 'stop' instance {server_id} while it is in task_state pausing")

    def test_of_two_racing_actions_the_second_loses(self, env, api):
        server_id = make_server(env)
        assert act(api, server_id, {'os-stop': None}).status_code == 202
        # The conductor has not finished the stop: task_state is still set.
        second = act(api, server_id, {'pause': None})
        assert second.status_code == 409
        assert 'task_state powering-off' in second.json['conflictingRequest']['message']
        assert actions(env, server_id) == ['stop']
        assert len(env.conductor.named('run_action')) == 1

    def test_the_state_change_itself_is_conditional(self, env, api, monkeypatch):
        """A request that read the server just before another one's task committed loses."""
        server_id = make_server(env, task_state='pausing')
        real = support.instance_for

        def read_before_the_winner_committed(session, server_id_, action):
            instance = real(session, server_id_, action)
            orm_attributes.set_committed_value(instance, 'task_state', None)
            return instance
        monkeypatch.setattr(support, 'instance_for', read_before_the_winner_committed)
        response = act(api, server_id, {'os-stop': None})
        assert response.status_code == 409
        assert response.json['conflictingRequest']['message'] == (
            f"Cannot 'stop' instance {server_id} while it is in task_state pausing")
        assert actions(env, server_id) == [] and env.conductor.calls == []

    def test_a_server_never_launched_cannot_stop(self, env, api):
        server_id = make_server(env, vm_state='error', launched_at=None)
        response = act(api, server_id, {'os-stop': None})
        assert response.status_code == 409
        assert 'while it is in launched_at None' in response.json['conflictingRequest']['message']

    def test_a_server_without_host_is_not_ready_to_stop(self, env, api):
        server_id = make_server(env, vm_state='error', host=None)
        response = act(api, server_id, {'os-stop': None})
        assert response.status_code == 409
        assert response.json['conflictingRequest']['message'] == (
            f'Instance {server_id} is not ready')

    def test_the_start_notification_is_sent(self, env, api, monkeypatch):
        sent = []
        monkeypatch.setattr(env.app.notifier, 'info',
                            lambda ctx, event_type, payload: sent.append((event_type, payload)))
        server_id = make_server(env)
        act(api, server_id, {'suspend': None})
        act(api, server_id, {'resume': None})  # refused: nothing sent
        assert [(event, payload['instance_id'], payload['state'], payload['task_state'])
                for event, payload in sent] == [
            ('compute.instance.suspend.start', server_id, 'active', 'suspending')]

    def test_a_conductor_out_of_reach_leaves_the_server_as_it_was(self, env, api,
                                                                 monkeypatch):
        def unreachable(*args, **kwargs):
            raise ConnectionError('AMQP server on 127.0.0.1:5672 is unreachable')
        monkeypatch.setattr(env.conductor, 'run_action', unreachable)
        server_id = make_server(env)
        response = act(api, server_id, {'os-stop': None})
        assert response.status_code == 503
        assert server(env, server_id).task_state is None
        assert actions(env, server_id) == []

    def test_a_deleted_server_is_404(self, env, api):
        server_id = make_server(env, deleted_at=LAUNCHED, vm_state='deleted')
        assert act(api, server_id, {'os-stop': None}).status_code == 404


class TestReboot:

    @pytest.mark.parametrize('kind,vm_state,task_state', [
        ('SOFT', 'active', 'rebooting'), ('soft', 'active', 'rebooting'),
        ('HARD', 'active', 'rebooting_hard'), ('Hard', 'stopped', 'rebooting_hard'),
        ('HARD', 'paused', 'rebooting_hard'), ('HARD', 'suspended', 'rebooting_hard'),
        ('HARD', 'error', 'rebooting_hard')])
    def test_allowed_states(self, env, api, kind, vm_state, task_state):
        server_id = make_server(env, vm_state=vm_state)
        assert act(api, server_id, {'reboot': {'type': kind}}).status_code == 202
        assert server(env, server_id).task_state == task_state
        assert env.conductor.named('run_action') == [
            {'instance_uuid': server_id, 'action': 'reboot',
             'params': {'type': kind.upper()}}]
        assert actions(env, server_id) == ['reboot']

    def test_hard_reboot_takes_over_a_stuck_reboot_but_soft_does_not(self, env, api):
        server_id = make_server(env, task_state='rebooting')
        soft = act(api, server_id, {'reboot': {'type': 'SOFT'}})
        assert soft.status_code == 409
        assert 'task_state rebooting' in soft.json['conflictingRequest']['message']
        assert act(api, server_id, {'reboot': {'type': 'HARD'}}).status_code == 202
        assert server(env, server_id).task_state == 'rebooting_hard'

    def test_hard_reboot_does_not_take_over_a_resize(self, env, api):
        server_id = make_server(env, task_state='resize_prep')
        assert act(api, server_id, {'reboot': {'type': 'HARD'}}).status_code == 409

    @pytest.mark.parametrize('body', [{'reboot': {}}, {'reboot': {'type': 'WARM'}},
                                      {'reboot': {'type': 'SOFT', 'x': 1}}, {'reboot': None}])
    def test_invalid_bodies_are_400(self, env, api, body):
        response = act(api, make_server(env), body)
        assert response.status_code == 400
        assert 'badRequest' in response.json


class TestDispatch:

    def test_unknown_action_is_400(self, env, api):
        response = act(api, make_server(env), {'levitate': None})
        assert response.status_code == 400
        assert response.json['badRequest']['message'] == 'There is no such action: levitate'

    @pytest.mark.parametrize('body', [{}, {'os-stop': None, 'os-start': None}, [1]])
    def test_not_exactly_one_key_is_malformed(self, env, api, body):
        response = act(api, make_server(env), body)
        assert response.status_code == 400
        assert response.json['badRequest']['message'] == 'Malformed request body'

    def test_unknown_server_is_404(self, api):
        assert act(api, str(uuid.uuid4()), {'os-stop': None}).status_code == 404


ALL_BODIES = [
    {'os-stop': None}, {'os-start': None}, {'reboot': {'type': 'HARD'}}, {'pause': None},
    {'unpause': None}, {'suspend': None}, {'resume': None},
    {'rebuild': {'imageRef': NEW_IMAGE_ID}}, {'resize': {'flavorRef': 'big'}},
    {'confirmResize': None}, {'revertResize': None}, {'createImage': {'name': 'snap'}},
    {'lock': None}, {'unlock': None}, {'os-getConsoleOutput': {}}]


class TestIsolation:

    @pytest.mark.parametrize('body', ALL_BODIES, ids=lambda b: next(iter(b)))
    def test_another_projects_server_is_404_for_every_action(self, env, api, images, body):
        server_id = make_server(env, project_id=OTHER_PROJECT, user_id='user-other_member')
        response = act(api, server_id, body)
        assert response.status_code == 404
        assert response.json['itemNotFound']['message'] == (
            f'Instance {server_id} could not be found.')
        assert env.conductor.calls == [] and actions(env, server_id) == []

    @pytest.mark.parametrize('body', ALL_BODIES, ids=lambda b: next(iter(b)))
    def test_a_reader_of_the_project_is_403(self, env, api, images, body):
        response = act(api, make_server(env), body, as_='reader')
        assert response.status_code == 403
        assert env.conductor.calls == []

    def test_a_cloud_admin_acts_on_any_project(self, env, api):
        server_id = make_server(env, project_id=OTHER_PROJECT)
        assert act(api, server_id, {'os-stop': None}, as_='cloud_admin').status_code == 202


class TestLock:

    def test_a_locked_server_refuses_changes_by_its_project(self, env, api):
        server_id = make_server(env)
        assert act(api, server_id, {'lock': None}).status_code == 202
        row = server(env, server_id)
        assert (row.locked, row.locked_by) == (True, 'owner')
        response = act(api, server_id, {'os-stop': None})
        assert response.status_code == 409
        assert response.json['conflictingRequest']['message'] == (
            f'Instance {server_id} is locked')
        assert env.conductor.calls == []

    def test_a_cloud_admin_acts_on_a_locked_server(self, env, api):
        server_id = make_server(env, locked=True, locked_by='owner')
        assert act(api, server_id, {'os-stop': None}, as_='cloud_admin').status_code == 202

    def test_a_locked_server_may_still_be_snapshotted(self, env, api, images):
        server_id = make_server(env, locked=True, locked_by='owner')
        assert act(api, server_id, {'createImage': {'name': 'snap'}}).status_code == 202

    def test_lock_and_unlock_are_recorded_with_their_api_event(self, env, api):
        server_id = make_server(env)
        act(api, server_id, {'lock': None})
        act(api, server_id, {'lock': {}})  # the owner locking again changes nothing
        assert act(api, server_id, {'unlock': None}).status_code == 202
        assert (server(env, server_id).locked, server(env, server_id).locked_by) == \
            (False, None)
        assert actions(env, server_id) == ['lock', 'unlock']
        with env.db.reader() as session:
            events = session.execute(sa.select(m.InstanceActionEvent.event,
                                               m.InstanceActionEvent.result)
                                     .order_by(m.InstanceActionEvent.id)).all()
        assert [tuple(e) for e in events] == [('api_lock', 'Success'),
                                              ('api_unlock', 'Success')]
        assert env.conductor.calls == []

    def test_only_an_admin_unlocks_what_an_admin_locked(self, env, api):
        server_id = make_server(env)
        assert act(api, server_id, {'lock': None}, as_='cloud_admin').status_code == 202
        assert server(env, server_id).locked_by == 'admin'
        assert act(api, server_id, {'unlock': None}).status_code == 403
        assert server(env, server_id).locked
        assert act(api, server_id, {'unlock': None}, as_='cloud_admin').status_code == 202
        assert not server(env, server_id).locked

    def test_an_admin_lock_replaces_the_owners(self, env, api):
        server_id = make_server(env, locked=True, locked_by='owner')
        act(api, server_id, {'lock': None}, as_='cloud_admin')
        assert server(env, server_id).locked_by == 'admin'


class TestResize:

    @pytest.fixture
    def big(self, env):
        make_flavor(env, 'big', vcpus=2, ram=1024, disk=2)

    def test_resize_casts_the_new_flavor(self, env, api, big):
        server_id = make_server(env, vm_state='stopped')
        response = act(api, server_id, {'resize': {'flavorRef': 'big',
                                                   'OS-DCF:diskConfig': 'AUTO'}})
        assert response.status_code == 202
        row = server(env, server_id)
        assert (row.task_state, row.auto_disk_config) == ('resize_prep', True)
        assert env.conductor.named('run_action') == [{
            'instance_uuid': server_id, 'action': 'resize', 'params': {'flavor': {
                'id': 'big', 'name': 'flavor-big', 'vcpus': 2, 'ram': 1024, 'disk': 2,
                'ephemeral': 0, 'swap': 0, 'extra_specs': {}}}}]
        assert actions(env, server_id) == ['resize']

    def test_same_flavor_is_400(self, env, api):
        make_flavor(env, 'small')
        response = act(api, make_server(env), {'resize': {'flavorRef': 'small'}})
        assert response.status_code == 400
        assert response.json['badRequest']['message'] == (
            'When resizing, instances must change flavor!')

    def test_unknown_disabled_or_private_flavor_is_400(self, env, api):
        make_flavor(env, 'off', disabled=True)
        make_flavor(env, 'hidden', is_public=False)
        server_id = make_server(env)
        for ref in ('nope', 'off', 'hidden'):
            response = act(api, server_id, {'resize': {'flavorRef': ref}})
            assert response.status_code == 400
            assert response.json['badRequest']['message'] == f'Flavor {ref} could not be found.'
        assert server(env, server_id).task_state is None

    def test_zero_disk_flavor_is_400(self, env, api):
        make_flavor(env, 'zero', vcpus=2, disk=0)
        response = act(api, make_server(env), {'resize': {'flavorRef': 'zero'}})
        assert response.status_code == 400
        assert 'Resize to zero disk flavor is not allowed.' in \
            response.json['badRequest']['message']

    def test_growth_beyond_the_cores_quota_is_403(self, make_env):
        env = make_env(quota__cores=1)
        make_flavor(env, 'big', vcpus=2, ram=1024, disk=2)
        server_id = make_server(env)
        response = act(env.api, server_id, {'resize': {'flavorRef': 'big'}})
        assert response.status_code == 403
        assert 'Quota exceeded for cores' in response.json['forbidden']['message']
        assert server(env, server_id).task_state is None and env.conductor.calls == []

    def test_shrinking_needs_no_quota(self, make_env):
        env = make_env(quota__cores=1, quota__ram=512)
        make_flavor(env, 'tiny', vcpus=1, ram=256, disk=1)
        assert act(env.api, make_server(env), {'resize': {'flavorRef': 'tiny'}}) \
            .status_code == 202

    def test_a_server_without_host_is_not_ready(self, env, api, big):
        server_id = make_server(env, host=None)
        assert act(api, server_id, {'resize': {'flavorRef': 'big'}}).status_code == 409

    def test_revert_needs_a_resize_to_revert(self, env, api):
        server_id = make_server(env, vm_state='resized')
        response = act(api, server_id, {'revertResize': None})
        assert response.status_code == 400
        assert response.json['badRequest']['message'] == 'Instance has not been resized.'

    def test_revert_goes_back_to_the_old_flavor(self, env, api):
        server_id = make_server(env, vm_state='resized', old_flavor=json.dumps(FLAVOR))
        assert act(api, server_id, {'revertResize': None}).status_code == 202
        assert server(env, server_id).task_state == 'resize_reverting'
        assert env.conductor.named('run_action')[0]['action'] == 'revert_resize'
        assert actions(env, server_id) == ['revertResize']

    def test_revert_over_quota_is_403(self, make_env):
        env = make_env(quota__ram=600)
        big = {**FLAVOR, 'id': 'big', 'ram': 1024}
        # The server has the small flavor now; going back to 1024 MiB does not fit.
        server_id = make_server(env, vm_state='resized', old_flavor=json.dumps(big))
        assert act(env.api, server_id, {'revertResize': None}).status_code == 403

    def test_confirm_and_revert_cannot_both_start(self, env, api):
        server_id = make_server(env, vm_state='resized', old_flavor=json.dumps(FLAVOR))
        assert act(api, server_id, {'confirmResize': None}).status_code == 204
        response = act(api, server_id, {'revertResize': None})
        assert response.status_code == 409
        assert 'task_state resize_confirming' in response.json['conflictingRequest']['message']


class TestCreateImage:

    def test_below_2_45_the_image_is_in_location(self, env, api, images):
        server_id = make_server(env, vm_state='paused')
        response = act(api, server_id, {'createImage': {'name': 'snap', 'metadata': {'k': 'v'}}},
                       version='2.44')
        assert response.status_code == 202
        assert response.data == b''
        (snapshot,) = images.snapshots
        assert response.headers['Location'] == \
            f'http://image.example:9292/images/{snapshot["id"]}'
        assert snapshot['name'] == 'snap' and snapshot['project_id'] == PROJECT
        assert snapshot['properties'] == {
            'hw_disk_bus': 'virtio', 'instance_uuid': server_id, 'user_id': 'user-member',
            'image_type': 'snapshot', 'base_image_ref': IMAGE_ID, 'k': 'v'}
        assert server(env, server_id).task_state == 'image_snapshot'
        assert env.conductor.named('run_action') == [{
            'instance_uuid': server_id, 'action': 'snapshot',
            'params': {'image_id': snapshot['id']}}]
        assert actions(env, server_id) == ['createImage']

    def test_from_2_45_the_body_names_the_image(self, env, api, images):
        response = act(api, make_server(env), {'createImage': {'name': 'snap'}})
        assert response.status_code == 202
        assert response.json == {'image_id': images.snapshots[0]['id']}
        assert 'Location' not in response.headers

    def test_image_service_refusal_releases_the_server(self, env, api, images):
        images.create_error = exceptions.Forbidden('Image quota exceeded')
        server_id = make_server(env)
        response = act(api, server_id, {'createImage': {'name': 'snap'}})
        assert response.status_code == 403
        assert response.json['forbidden']['message'] == 'Image quota exceeded'
        assert server(env, server_id).task_state is None
        assert actions(env, server_id) == [] and env.conductor.calls == []
        images.create_error = ImageServiceUnavailable(reason='down')
        assert act(api, server_id, {'createImage': {'name': 'snap'}}).status_code == 503
        assert server(env, server_id).task_state is None

    def test_no_image_url_below_2_45_means_no_snapshot(self, env, api, images):
        images.url_error = ImageServiceUnavailable(reason='no endpoint')
        server_id = make_server(env)
        response = act(api, server_id, {'createImage': {'name': 'snap'}}, version='2.44')
        assert response.status_code == 503
        assert server(env, server_id).task_state is None and env.conductor.calls == []
        assert images.deleted == [images.snapshots[0]['id']]  # the image made is not left

    def test_metadata_quota_is_checked_below_2_39_only(self, make_env):
        env = make_env(quota__metadata_items=1)
        env.app.images = FakeImages()
        body = {'createImage': {'name': 'snap', 'metadata': {'a': '1', 'b': '2'}}}
        server_id = make_server(env)
        assert act(env.api, server_id, body, version='2.38').status_code == 403
        assert act(env.api, server_id, body, version='2.39').status_code == 202

    @pytest.mark.parametrize('name', ['', ' padded', 'x' * 256, None])
    def test_invalid_name_is_400(self, env, api, images, name):
        assert act(api, make_server(env), {'createImage': {'name': name}}).status_code == 400

    def test_volume_backed_server_is_400(self, env, api, images):
        server_id = make_server(env, image_ref='')
        with env.db.writer() as session:
            session.add(m.BlockDeviceMapping(instance_uuid=server_id, boot_index=0,
                                             source_type='volume', destination_type='volume',
                                             volume_id=str(uuid.uuid4())))
        assert act(api, server_id, {'createImage': {'name': 'snap'}}).status_code == 400
        assert images.snapshots == []


class TestRebuild:

    def test_rebuild_answers_the_server_and_casts(self, env, api, images):
        server_id = make_server(env, vm_state='stopped')
        body = {'rebuild': {'imageRef': NEW_IMAGE_ID, 'name': 'vm2', 'adminPass': 'secret',
                            'metadata': {'role': 'web'}, 'preserve_ephemeral': 'true',
                            'description': 'rebuilt'}}
        response = act(api, server_id, body)
        assert response.status_code == 202
        got = response.json['server']
        assert (got['id'], got['name'], got['adminPass'], got['metadata']) == \
            (server_id, 'vm2', 'secret', {'role': 'web'})
        assert got['image']['id'] == NEW_IMAGE_ID and got['status'] == 'REBUILD'
        assert got['description'] == 'rebuilt' and got['user_data'] is None
        assert not any(k.startswith(('OS-EXT-STS:', 'OS-EXT-SRV-ATTR:')) for k in got)
        assert response.headers['Location'].endswith(f'/v2.1/servers/{server_id}')
        row = server(env, server_id)
        assert (row.image_ref, row.task_state, row.display_name) == \
            (NEW_IMAGE_ID, 'rebuilding', 'vm2')
        assert json.loads(row.request_spec)['image']['properties'] == {'os_distro': 'cirros'}
        assert env.conductor.named('run_action') == [{
            'instance_uuid': server_id, 'action': 'rebuild',
            'params': {'image_ref': NEW_IMAGE_ID, 'admin_password': 'secret',
                       'preserve_ephemeral': True}}]
        assert actions(env, server_id) == ['rebuild']

    def test_a_password_is_made_when_none_is_given(self, env, api, images):
        response = act(api, make_server(env), {'rebuild': {'imageRef': IMAGE_ID}})
        password = response.json['server']['adminPass']
        assert len(password) >= 8
        assert env.conductor.named('run_action')[0]['params']['admin_password'] == password

    def test_an_image_whose_kernel_the_user_cannot_read_is_400(self, env, api, images):
        server_id = make_server(env)
        images.images[NEW_IMAGE_ID]['properties'] = {'kernel_id': str(uuid.uuid4())}
        response = act(api, server_id, {'rebuild': {'imageRef': NEW_IMAGE_ID}})
        assert response.status_code == 400
        assert server(env, server_id).task_state is None

    def test_unknown_image_is_400(self, env, api, images):
        server_id = make_server(env)
        response = act(api, server_id, {'rebuild': {'imageRef': str(uuid.uuid4())}})
        assert response.status_code == 400
        assert response.json['badRequest']['message'] == 'Cannot find image for rebuild'
        assert server(env, server_id).task_state is None

    @pytest.mark.parametrize('fields,message', [
        ({'status': 'queued'}, f'Image {NEW_IMAGE_ID} is not active.'),
        ({'min_ram': 4096}, "Flavor's memory is too small for requested image."),
        ({'min_disk': 5}, "minimum size is 5368709120 bytes."),
        ({'size': 2 * 1024 ** 3}, 'image is 2147483648 bytes.')])
    def test_an_image_the_flavor_cannot_take_is_400(self, env, api, images, fields, message):
        images.add(NEW_IMAGE_ID, **fields)
        response = act(api, make_server(env), {'rebuild': {'imageRef': NEW_IMAGE_ID}})
        assert response.status_code == 400
        assert message in response.json['badRequest']['message']

    def test_fields_follow_the_version(self, env, api, images):
        server_id = make_server(env)
        for version, field, value in (('2.18', 'description', 'd'),
                                      ('2.53', 'key_name', None),
                                      ('2.56', 'user_data', None),
                                      ('2.60', 'personality', [])):
            response = act(api, server_id, {'rebuild': {'imageRef': IMAGE_ID, field: value}},
                           version=version)
            assert response.status_code == 400, (version, field)

    def test_key_name_at_2_54(self, env, api, images):
        with env.db.writer() as session:
            session.add(m.KeyPair(name='mine', user_id='user-member', fingerprint='f',
                                  public_key='ssh-ed25519 AAAA'))
        server_id = make_server(env)
        response = act(api, server_id, {'rebuild': {'imageRef': IMAGE_ID, 'key_name': 'mine'}},
                       version='2.54')
        assert response.json['server']['key_name'] == 'mine'
        assert server(env, server_id).key_data == 'ssh-ed25519 AAAA'
        env_server = make_server(env)
        response = act(api, env_server, {'rebuild': {'imageRef': IMAGE_ID, 'key_name': 'x'}},
                       version='2.54')
        assert response.status_code == 400
        assert response.json['badRequest']['message'] == 'Invalid key_name provided.'

    def test_user_data_at_2_57(self, env, api, images):
        data = base64.b64encode(b'#!/bin/sh\necho hi\n').decode()
        server_id = make_server(env)
        response = act(api, server_id, {'rebuild': {'imageRef': IMAGE_ID, 'user_data': data}},
                       version='2.57')
        assert response.json['server']['user_data'] == data
        assert server(env, server_id).user_data == data

    @pytest.mark.parametrize('user_data', ['not base64!', 'éé', 'aGk'])
    def test_user_data_that_is_not_base64_is_400(self, env, api, images, user_data):
        server_id = make_server(env)
        response = act(api, server_id,
                       {'rebuild': {'imageRef': IMAGE_ID, 'user_data': user_data}},
                       version='2.57')
        assert response.status_code == 400
        assert response.json['badRequest']['message'] == 'User data needs to be valid base 64.'
        assert server(env, server_id).task_state is None

    def test_metadata_quota(self, make_env):
        env = make_env(quota__metadata_items=1)
        env.app.images = FakeImages()
        env.app.images.add(IMAGE_ID)
        response = act(env.api, make_server(env),
                       {'rebuild': {'imageRef': IMAGE_ID, 'metadata': {'a': '1', 'b': '2'}}})
        assert response.status_code == 403

    def test_locked_server_is_409(self, env, api, images):
        server_id = make_server(env, locked=True, locked_by='owner')
        response = act(api, server_id, {'rebuild': {'imageRef': IMAGE_ID}})
        assert response.status_code == 409


class TestConsoleOutput:

    def test_output_with_control_characters_removed(self, env, api):
        env.conductor.replies['get_console_output'] = 'boot\x07ing\x1b[0m\nlogin: \x00'
        server_id = make_server(env)
        response = act(api, server_id, {'os-getConsoleOutput': {'length': '5'}})
        assert response.status_code == 200
        assert response.json == {'output': 'booting[0m\nlogin: '}
        assert env.conductor.named('get_console_output') == [
            {'instance_uuid': server_id, 'length': 5}]

    @pytest.mark.parametrize('body', [{}, {'length': None}, {'length': -1}, {'length': '-1'}])
    def test_no_length_or_minus_one_means_everything(self, env, api, body):
        env.conductor.replies['get_console_output'] = ''
        act(api, make_server(env), {'os-getConsoleOutput': body})
        assert env.conductor.named('get_console_output')[0]['length'] is None

    @pytest.mark.parametrize('length', [-2, '-3', 'ten', 1.5])
    def test_invalid_length_is_400(self, env, api, length):
        response = act(api, make_server(env), {'os-getConsoleOutput': {'length': length}})
        assert response.status_code == 400
        assert env.conductor.calls == []

    def test_a_server_without_host_is_409(self, env, api):
        server_id = make_server(env, vm_state='building', host=None, launched_at=None)
        response = act(api, server_id, {'os-getConsoleOutput': {}})
        assert response.status_code == 409
        assert response.json['conflictingRequest']['message'] == (
            f'Instance {server_id} is not ready')

    def test_no_answer_in_time_is_503(self, env, api, monkeypatch):
        def silent(*args, **kwargs):
            raise rpcapi.Timeout('No reply on topic compute.conductor')
        monkeypatch.setattr(env.conductor, 'get_console_output', silent)
        response = act(api, make_server(env), {'os-getConsoleOutput': {}})
        assert response.status_code == 503
        assert 'could not be read in time' in response.json['serviceUnavailable']['message']

    def test_a_locked_server_still_shows_its_console(self, env, api):
        env.conductor.replies['get_console_output'] = 'x'
        server_id = make_server(env, locked=True, locked_by='admin')
        assert act(api, server_id, {'os-getConsoleOutput': {}}).status_code == 200


def test_every_action_has_a_schema_and_a_handler():
    assert set(server_actions._HANDLERS) == schemas.ACTIONS
