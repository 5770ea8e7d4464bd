"""``image.reconcile``: what a crash left behind is repaired at start-up.

Each test puts images in the state a crash at some step would leave
(``factories.force_state``) and checks the rule of the module docstring
that applies, then that the image is usable again through the API.
"""
import pytest

from image import reconcile
from tests.unit.image import factories as f


@pytest.fixture
def run(env):
    def run():
        reconcile.reconcile(env.db, env.backend.store, env.backend.staging)
    return run


def stage(api, image_id, data):
    response = api.put(f'/v2/images/{image_id}/stage', data=data,
                       content_type='application/octet-stream')
    assert response.status_code == 204


def test_saving_with_its_data_in_place_becomes_active(env, run):
    """Crash between committing the data (5) and activating (6)."""
    image = f.make_active_image(env.api)
    f.force_state(env.backend, image['id'], status='saving', upload_id='crashed-upload')
    run()
    row = f.row(env.backend, image['id'])
    assert (row.status, row.upload_id) == ('active', None)
    body = f.show(env.api, image['id'])
    assert (body['size'], body['checksum']) == (image['size'], image['checksum'])
    assert env.api.get(f'/v2/images/{image["id"]}/file').data == f.raw_data()


def test_importing_with_its_data_committed_becomes_active(env, run):
    """An import that crashed after committing its data only missed activation."""
    image = f.make_active_image(env.api)
    f.force_state(env.backend, image['id'], status='importing', upload_id='crashed-import')
    run()
    row = f.row(env.backend, image['id'])
    assert (row.status, row.upload_id) == ('active', None)
    assert env.api.get(f'/v2/images/{image["id"]}/file').data == f.raw_data()


def test_saving_with_recorded_data_missing_goes_back_to_queued(env, run):
    """Crash between recording the data (4) and committing it (5)."""
    image = f.make_active_image(env.api)
    env.backend.store.delete(env.backend.store.location_of(image['id']))
    f.force_state(env.backend, image['id'], status='saving', upload_id='crashed-upload')
    run()
    row = f.row(env.backend, image['id'])
    assert row.status == 'queued'
    for column in ('size', 'checksum', 'os_hash_algo', 'os_hash_value', 'virtual_size',
                   'location', 'upload_id'):
        assert getattr(row, column) is None, column
    assert f.upload(env.api, image['id'], f.raw_data()).status_code == 204


def test_saving_while_streaming_goes_back_to_queued(env, run):
    """Crash while streaming: nothing recorded, a partial file in the store."""
    image = f.make_image(env.api)
    f.force_state(env.backend, image['id'], status='saving', upload_id='crashed-upload')
    writer = env.backend.store.begin_write(image['id'])
    writer.write(b'half an image')
    assert len(env.store_files()) == 1
    run()
    assert env.store_files() == []
    writer.abort()  # closes the file the crashed writer held
    assert f.row(env.backend, image['id']).status == 'queued'
    assert f.upload(env.api, image['id'], f.raw_data()).status_code == 204


def test_importing_with_staged_data_goes_back_to_uploading(env, run):
    image = f.make_image(env.api)
    stage(env.api, image['id'], f.raw_data())
    f.force_state(env.backend, image['id'], status='importing', upload_id='crashed-import')
    run()
    row = f.row(env.backend, image['id'])
    assert (row.status, row.upload_id) == ('uploading', None)
    assert env.staging_files() == [image['id']]
    response = env.api.post(f'/v2/images/{image["id"]}/import',
                            json={'method': {'name': 'glance-direct'}})
    assert response.status_code == 202
    f.join_import(image['id'])
    assert f.show(env.api, image['id'])['status'] == 'active'


def test_importing_without_staged_data_goes_back_to_queued(env, run):
    image = f.make_image(env.api)
    stage(env.api, image['id'], f.raw_data())
    env.backend.staging.delete(env.backend.staging.location_of(image['id']))
    f.force_state(env.backend, image['id'], status='importing', upload_id='crashed-import')
    run()
    row = f.row(env.backend, image['id'])
    assert (row.status, row.upload_id, row.staged_size) == ('queued', None, None)


def test_uploading_without_staged_data_goes_back_to_queued(env, run):
    """A stage that never finished (its partial file is removed too)."""
    image = f.make_image(env.api)
    f.force_state(env.backend, image['id'], status='uploading', upload_id='crashed-stage')
    writer = env.backend.staging.begin_write(image['id'])
    writer.write(b'part of it')
    run()
    assert env.staging_files() == []
    writer.abort()
    row = f.row(env.backend, image['id'])
    assert (row.status, row.upload_id, row.staged_size) == ('queued', None, None)
    stage(env.api, image['id'], f.raw_data())


def test_uploading_with_recorded_staged_data_waits_for_its_import(env, run):
    image = f.make_image(env.api)
    stage(env.api, image['id'], f.raw_data())
    run()
    assert f.row(env.backend, image['id']).status == 'uploading'
    assert env.staging_files() == [image['id']]


def test_stage_committed_but_not_recorded_is_not_stuck(env, run):
    """Regression: a crash between committing the staged file and recording it
    left the image ``uploading`` under a dead upload id: import and stage both
    answered 409 for ever."""
    image = f.make_image(env.api)
    stage(env.api, image['id'], f.raw_data())
    f.force_state(env.backend, image['id'], upload_id='crashed-stage', staged_size=None)
    run()
    row = f.row(env.backend, image['id'])
    assert (row.status, row.upload_id) == ('queued', None)
    assert env.staging_files() == []
    stage(env.api, image['id'], f.raw_data())
    response = env.api.post(f'/v2/images/{image["id"]}/import',
                            json={'method': {'name': 'glance-direct'}})
    assert response.status_code == 202
    f.join_import(image['id'])
    assert f.show(env.api, image['id'])['status'] == 'active'


def test_store_files_no_image_refers_to_are_removed(env, run):
    kept = f.make_active_image(env.api)
    deleted = f.make_active_image(env.api)
    f.force_state(env.backend, deleted['id'], status='deleted', location=None)
    stray = env.backend.store.begin_write('not-an-image')
    stray.write(b'x')
    stray.commit()
    assert len(env.store_files()) == 3
    run()
    assert env.store_files() == [kept['id']]
    assert env.api.get(f'/v2/images/{kept["id"]}/file').data == f.raw_data()


def test_data_of_live_images_survives_a_store_that_moved(env, run):
    """Locations record the store path of their time; after an operator moved
    the store (and the files), its files are still the images' data."""
    image = f.make_active_image(env.api)
    f.force_state(env.backend, image['id'], location=f'file:///old/store/{image["id"]}')
    run()
    assert env.store_files() == [image['id']]
    assert f.row(env.backend, image['id']).status == 'active'


def test_stale_staged_files_are_removed(env, run):
    waiting = f.make_image(env.api)
    stage(env.api, waiting['id'], f.raw_data())
    done = f.make_image(env.api)
    stage(env.api, done['id'], f.raw_data())
    # The import finished but its staged file was not removed (crash).
    f.force_state(env.backend, done['id'], status='active')
    unknown = env.backend.staging.begin_write('unknown-image')
    unknown.write(b'x')
    unknown.commit()
    run()
    assert env.staging_files() == [waiting['id']]


def test_partial_files_of_both_stores_are_removed(env, run):
    image = f.make_active_image(env.api)
    writers = [env.backend.store.begin_write(image['id']),
               env.backend.staging.begin_write(image['id'])]
    for writer in writers:
        writer.write(b'partial')
    run()
    assert env.store_files() == [image['id']]
    assert env.staging_files() == []
    for writer in writers:
        writer.abort()
    assert f.row(env.backend, image['id']).status == 'active'


def test_reconcile_twice_changes_nothing_more(env, run):
    active = f.make_active_image(env.api)
    queued = f.make_image(env.api)
    f.force_state(env.backend, queued['id'], status='saving', upload_id='x')
    run()
    before = (f.show(env.api, active['id']), f.show(env.api, queued['id']), env.store_files())
    run()
    assert (f.show(env.api, active['id']), f.show(env.api, queued['id']),
            env.store_files()) == before
