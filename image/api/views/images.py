from image.api.views import iso


def render(image, properties, tags):
    """An image as Glance shows it: core attributes, links, then free properties."""
    body = dict(properties)
    body.update({
        'id': image.id, 'name': image.name, 'status': image.status,
        'visibility': image.visibility, 'protected': image.protected,
        'os_hidden': image.os_hidden, 'owner': image.owner,
        'disk_format': image.disk_format, 'container_format': image.container_format,
        'size': image.size, 'virtual_size': image.virtual_size,
        'checksum': image.checksum, 'os_hash_algo': image.os_hash_algo,
        'os_hash_value': image.os_hash_value, 'min_disk': image.min_disk,
        'min_ram': image.min_ram, 'tags': tags,
        'created_at': iso(image.created_at), 'updated_at': iso(image.updated_at),
        'self': f'/v2/images/{image.id}', 'file': f'/v2/images/{image.id}/file',
        'schema': '/v2/schemas/image',
    })
    return body
