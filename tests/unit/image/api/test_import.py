"""``PUT …/stage`` and ``POST …/import`` (the ``glance-direct`` import method).

Staging moves ``queued → uploading``; the import ``uploading → importing →
active`` runs on a thread, which the tests join (it is named
``import-<image id>``).
"""
import io
import os

from image.store import file as file_store
from tests.unit.image import factories as f


def stage(api, image_id, data, as_='member'):
    return api.put(f'/v2/images/{image_id}/stage', data=data, as_=as_,
                   content_type='application/octet-stream')


def start_import(api, image_id, method='glance-direct', as_='member', wait=True):
    response = api.post(f'/v2/images/{image_id}/import', json={'method': {'name': method}},
                        as_=as_)
    if wait:
        f.join_import(image_id)
    return response


def test_stage_then_import(env):
    api = env.api
    data = f.qcow2_data(virtual_size=4 * f.MIB)
    image = f.make_image(api, disk_format='qcow2')
    assert stage(api, image['id'], data).status_code == 204
    body = f.show(api, image['id'])
    assert body['status'] == 'uploading'
    assert body['size'] is None
    assert env.staging_files() == [image['id']]
    assert env.store_files() == []
    response = start_import(api, image['id'])
    assert response.status_code == 202
    body = f.show(api, image['id'])
    assert body['status'] == 'active'
    assert (body['size'], body['virtual_size']) == (len(data), 4 * f.MIB)
    assert body['os_hash_algo'] == 'sha512'
    assert api.get(f'/v2/images/{image["id"]}/file').data == data
    assert env.staging_files() == []
    assert env.store_files() == [image['id']]


def test_import_methods_are_announced(api):
    response = api.get('/v2/info/import')
    assert response.json['import-methods']['value'] == ['glance-direct']


def test_unsupported_import_method_is_400(env):
    image = f.make_image(env.api)
    assert stage(env.api, image['id'], f.raw_data()).status_code == 204
    for method in ('web-download', 'copy-image', 'glance-download'):
        response = start_import(env.api, image['id'], method=method)
        assert response.status_code == 400
        assert method in response.json['badRequest']['message']
    assert f.show(env.api, image['id'])['status'] == 'uploading'


def test_import_body_is_validated(api):
    image = f.make_image(api)
    path = f'/v2/images/{image["id"]}/import'
    assert api.post(path, json={}).status_code == 400
    assert api.post(path, json={'method': 'glance-direct'}).status_code == 400


def test_import_without_staged_data_is_409(env):
    image = f.make_image(env.api)
    assert start_import(env.api, image['id']).status_code == 409
    assert f.show(env.api, image['id'])['status'] == 'queued'


def test_import_of_an_active_image_is_409(env):
    image = f.make_active_image(env.api)
    assert start_import(env.api, image['id']).status_code == 409


def test_stage_twice_is_409(env):
    image = f.make_image(env.api)
    assert stage(env.api, image['id'], f.raw_data()).status_code == 204
    assert stage(env.api, image['id'], b'again').status_code == 409
    assert f.upload(env.api, image['id'], b'again').status_code == 409


def test_refused_staged_image_ends_killed_without_staged_data(env):
    api = env.api
    image = f.make_image(api, disk_format='raw')
    assert stage(api, image['id'], f.qcow2_data(backing_file='/etc/passwd')).status_code == 204
    assert start_import(api, image['id']).status_code == 202
    assert f.show(api, image['id'])['status'] == 'killed'
    assert env.staging_files() == []
    assert env.store_files() == []


def test_import_that_fails_keeps_the_staged_data(env, monkeypatch):
    """A server-side failure (not a refusal) lets the user import again."""
    api = env.api
    image = f.make_image(api)
    assert stage(api, image['id'], f.raw_data()).status_code == 204

    def commit(writer):
        raise OSError('store unavailable')
    with monkeypatch.context() as mp:
        mp.setattr(file_store.FileWriter, 'commit', commit)
        assert start_import(api, image['id']).status_code == 202
    assert f.show(api, image['id'])['status'] == 'uploading'
    assert env.staging_files() == [image['id']]
    assert env.store_files() == []
    assert start_import(api, image['id']).status_code == 202
    assert f.show(api, image['id'])['status'] == 'active'


def test_staging_area_that_cannot_start_a_write_returns_the_image_to_queued(env):
    image = f.make_image(env.api)
    os.rmdir(env.backend.staging.directory)
    assert stage(env.api, image['id'], f.raw_data()).status_code == 500
    assert f.show(env.api, image['id'])['status'] == 'queued'
    os.makedirs(env.backend.staging.directory)
    assert stage(env.api, image['id'], f.raw_data()).status_code == 204


def test_import_into_a_store_that_cannot_start_a_write_keeps_the_staged_data(env):
    image = f.make_image(env.api)
    assert stage(env.api, image['id'], f.raw_data()).status_code == 204
    os.rmdir(env.backend.store.directory)
    assert start_import(env.api, image['id']).status_code == 202
    assert f.show(env.api, image['id'])['status'] == 'uploading'
    assert env.staging_files() == [image['id']]
    os.makedirs(env.backend.store.directory)
    assert start_import(env.api, image['id']).status_code == 202
    assert f.show(env.api, image['id'])['status'] == 'active'


def test_stage_over_the_image_size_limit_names_that_limit(make_env):
    """Only a quota's limit is reported as the quota; max_image_size is not one."""
    env = make_env(image__max_image_size=5000, image__chunk_size=4096)
    image = f.make_image(env.api)
    response = env.api.put(f'/v2/images/{image["id"]}/stage',
                           environ_overrides={'wsgi.input': io.BytesIO(f.raw_data(5001)),
                                              'wsgi.input_terminated': True},
                           content_type='application/octet-stream')
    assert response.status_code == 413
    message = response.json['overLimit']['message']
    assert 'larger than the 5000 bytes allowed' in message
    assert 'quota' not in message
    assert f.show(env.api, image['id'])['status'] == 'queued'
    assert env.staging_files() == []


def test_stage_over_the_staging_quota_is_413(make_env):
    env = make_env(quota__image_stage_total=1000, image__chunk_size=4096)
    image = f.make_image(env.api)
    response = stage(env.api, image['id'], f.raw_data(1001))
    assert response.status_code == 413
    assert f.show(env.api, image['id'])['status'] == 'queued'
    assert env.staging_files() == []
    assert stage(env.api, image['id'], f.raw_data(1000)).status_code == 204


def test_import_over_the_byte_quota_keeps_the_image_importable(make_env):
    env = make_env(quota__image_size_total=1000)
    image = f.make_image(env.api)
    assert stage(env.api, image['id'], f.raw_data(2000)).status_code == 204
    assert start_import(env.api, image['id']).status_code == 202
    assert f.show(env.api, image['id'])['status'] == 'uploading'
    assert env.store_files() == []


def test_delete_while_staging_removes_the_staged_data(env, monkeypatch):
    api = env.api
    image = f.make_image(api)
    original = file_store.FileWriter.commit

    def commit(writer):
        assert api.delete(f'/v2/images/{image["id"]}').status_code == 204
        original(writer)
    monkeypatch.setattr(file_store.FileWriter, 'commit', commit)
    response = stage(api, image['id'], f.raw_data())
    assert response.status_code == 404
    assert env.staging_files() == []
    assert f.row(env.backend, image['id']).status == 'deleted'


def test_delete_during_import_removes_all_data(env, monkeypatch):
    api = env.api
    image = f.make_image(api)
    assert stage(api, image['id'], f.raw_data()).status_code == 204
    original = file_store.FileWriter.commit

    def commit(writer):
        assert api.delete(f'/v2/images/{image["id"]}').status_code == 204
        original(writer)
    monkeypatch.setattr(file_store.FileWriter, 'commit', commit)
    assert start_import(api, image['id']).status_code == 202
    assert env.staging_files() == []
    assert env.store_files() == []


def test_stage_and_import_need_ownership(env):
    api = env.api
    image = f.make_image(api)
    f.share(api, image['id'], 'project-q', member_as='other_member')
    assert stage(api, image['id'], f.raw_data(), as_='other_member').status_code == 403
    assert stage(api, image['id'], f.raw_data(), as_='reader').status_code == 403
    assert stage(api, image['id'], f.raw_data()).status_code == 204
    assert start_import(api, image['id'], as_='other_member').status_code == 403
    assert start_import(api, image['id'], as_='third_member').status_code == 404
    assert f.show(api, image['id'])['status'] == 'uploading'


def test_import_while_staging_is_409(env, monkeypatch):
    api = env.api
    image = f.make_image(api)
    answers = []
    original = file_store.FileWriter.write

    def write(writer, chunk):
        if not answers:
            answers.append(start_import(api, image['id'], wait=False))
        return original(writer, chunk)
    monkeypatch.setattr(file_store.FileWriter, 'write', write)
    assert stage(api, image['id'], f.raw_data()).status_code == 204
    assert answers[0].status_code == 409
    assert f.show(api, image['id'])['status'] == 'uploading'


def test_import_twice_is_409(env, monkeypatch):
    """A second import while the first runs (image ``importing``) is refused."""
    api = env.api
    image = f.make_image(api)
    assert stage(api, image['id'], f.raw_data()).status_code == 204
    answers = []
    original = file_store.FileWriter.write

    def write(writer, chunk):
        if not answers:
            answers.append(start_import(api, image['id'], wait=False))
        return original(writer, chunk)
    monkeypatch.setattr(file_store.FileWriter, 'write', write)
    assert start_import(api, image['id']).status_code == 202
    assert answers[0].status_code == 409
    assert f.show(api, image['id'])['status'] == 'active'
