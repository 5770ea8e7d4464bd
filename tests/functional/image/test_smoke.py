"""The image API answers through a real gunicorn process on every backend."""


def test_upload_and_download(image, admin):
    client = image.client(admin.token)
    created = client.post('/v2/images', json={'name': 'smoke', 'disk_format': 'raw',
                                              'container_format': 'bare'})
    assert created.status_code == 201, created.text
    image_id = created.json()['id']
    data = bytes(range(256)) * 4096
    uploaded = client.put(f'/v2/images/{image_id}/file', data=data,
                          headers={'Content-Type': 'application/octet-stream'})
    assert uploaded.status_code == 204, uploaded.text
    shown = client.get(f'/v2/images/{image_id}').json()
    assert (shown['status'], shown['size'], shown['virtual_size']) == ('active', len(data),
                                                                        len(data))
    downloaded = client.get(f'/v2/images/{image_id}/file')
    assert downloaded.content == data
    assert client.delete(f'/v2/images/{image_id}').status_code == 204
