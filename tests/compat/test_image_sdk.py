"""openstacksdk, unmodified, against the all-in-one's image service.

The same flows as the CLI's (``test_image_cli.py``) through ``conn.image``:
create with a real qcow2 file, list, show, set and unset properties,
download (the SDK verifies the hash it is given), share and accept, and a
member refused when it makes an image public.  Every image is deleted at
the end, also when a test fails.
"""
import hashlib

import pytest
from openstack import exceptions as sdk_exc

from tests.compat.conftest import ADMIN_CLOUD, MEMBER_CLOUD, VIRTUAL_SIZE


@pytest.fixture(scope='module')
def conn(connect):
    return connect(ADMIN_CLOUD)


@pytest.fixture(scope='module')
def member_conn(connect):
    return connect(MEMBER_CLOUD)


@pytest.fixture
def image_cleanup(conn):
    """``image_cleanup(id)``: delete that image at teardown (as admin; gone is fine)."""
    ids = []
    yield ids.append
    for image_id in reversed(ids):
        conn.image.delete_image(image_id, ignore_missing=True)


def create(connection, name, path, **attrs):
    # data= and not filename=: the SDK leaves a file it opened itself unclosed.
    with open(path, 'rb') as data:
        return connection.image.create_image(name, data=data, disk_format='qcow2',
                                             container_format='bare', allow_duplicates=True,
                                             wait=True, timeout=120, **attrs)


def test_image_lifecycle(conn, qcow2_file, image_cleanup, unique_name, tmp_path):
    data = qcow2_file.read_bytes()
    name = unique_name('image')
    image = create(conn, name, qcow2_file)
    image_cleanup(image.id)
    image = conn.image.get_image(image.id)
    assert (image.name, image.status, image.disk_format, image.container_format) == \
        (name, 'active', 'qcow2', 'bare')
    assert (image.size, image.virtual_size) == (len(data), VIRTUAL_SIZE)
    assert image.checksum == hashlib.md5(data).hexdigest()
    assert (image.hash_algo, image.hash_value) == ('sha512', hashlib.sha512(data).hexdigest())
    assert image.owner_id == conn.current_project_id
    assert image.visibility == 'shared'

    assert [i.id for i in conn.image.images(name=name)] == [image.id]
    assert conn.image.find_image(name).id == image.id
    assert image.id in {i.id for i in conn.image.images()}

    # Attributes the SDK knows (os_distro) and free properties it does not.
    conn.image.update_image(image, os_distro='cirros', min_ram=64, stratus_flavour='vanilla',
                            stratus_colour='blue')
    image = conn.image.get_image(image.id)
    assert (image.os_distro, image.min_ram) == ('cirros', 64)
    assert (image.properties['stratus_flavour'], image.properties['stratus_colour']) == \
        ('vanilla', 'blue')
    # Unset as openstackclient does it: the properties without the one to remove.
    properties = dict(image.properties)
    properties.pop('stratus_colour')
    conn.image.update_image(image, properties=properties)
    image = conn.image.get_image(image.id)
    assert 'stratus_colour' not in image.properties
    assert image.properties['stratus_flavour'] == 'vanilla'
    assert image.os_distro == 'cirros'

    assert conn.image.download_image(image).content == data
    saved = tmp_path / 'saved.qcow2'
    conn.image.download_image(image, output=str(saved))
    assert saved.read_bytes() == data
    with conn.image.download_image(image, stream=True) as response:
        streamed = b''.join(response.iter_content(64 * 1024))
    assert streamed == data

    conn.image.delete_image(image)
    with pytest.raises(sdk_exc.NotFoundException):
        conn.image.get_image(image.id)
    assert conn.image.find_image(name) is None
    assert image.id not in {i.id for i in conn.image.images()}


def test_share_with_a_project_then_accept(conn, member_conn, qcow2_file, image_cleanup,
                                          unique_name):
    image = create(conn, unique_name('shared'), qcow2_file)
    image_cleanup(image.id)
    member_project = member_conn.current_project_id
    with pytest.raises(sdk_exc.NotFoundException):
        member_conn.image.get_image(image.id)

    member = conn.image.add_member(image, member_id=member_project)
    assert (member.member_id, member.status) == (member_project, 'pending')
    assert member_conn.image.get_image(image.id).name == image.name
    assert image.id not in {i.id for i in member_conn.image.images()}

    accepted = member_conn.image.update_member(member_project, image.id, status='accepted')
    assert accepted.status == 'accepted'
    assert image.id in {i.id for i in member_conn.image.images()}
    assert [(m.member_id, m.status) for m in conn.image.members(image)] == \
        [(member_project, 'accepted')]
    assert member_conn.image.download_image(image.id).content == qcow2_file.read_bytes()
    with pytest.raises(sdk_exc.ForbiddenException):
        member_conn.image.delete_image(image.id)

    conn.image.remove_member(member_project, image)
    with pytest.raises(sdk_exc.NotFoundException):
        member_conn.image.get_image(image.id)


def test_a_member_cannot_make_an_image_public(conn, member_conn, qcow2_file, image_cleanup,
                                              unique_name):
    name = unique_name('public')
    with pytest.raises(sdk_exc.ForbiddenException):
        try:
            member_conn.image.create_image(name, disk_format='qcow2', container_format='bare',
                                           visibility='public', allow_duplicates=True)
        finally:
            for leaked in conn.image.images(name=name):
                image_cleanup(leaked.id)

    own = create(member_conn, unique_name('own'), qcow2_file)
    image_cleanup(own.id)
    with pytest.raises(sdk_exc.ForbiddenException) as refused:
        member_conn.image.update_image(own, visibility='public')
    assert 'administrator' in str(refused.value)
    assert conn.image.get_image(own.id).visibility == 'shared'
    conn.image.update_image(own, visibility='public')
    assert member_conn.image.get_image(own.id).visibility == 'public'
    member_conn.image.delete_image(own)
    with pytest.raises(sdk_exc.NotFoundException):
        conn.image.get_image(own.id)
