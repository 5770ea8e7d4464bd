"""Flavors: who sees which, creation, extra specs, private access, and the copy a server keeps.

A public flavor is for everyone; a private one only for the projects it was
shared with (``FlavorProject``) and for cloud administrators.  A flavor a
project may not see does not exist for it (404), as in Nova.  Disabled
flavors are listed to administrators only and cannot be used for new
servers.
"""
import uuid

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common import exceptions
from common.db import pagination
from common.db.session import is_duplicate_entry
from compute import request_values
from compute.db import models as m

SORT_KEYS = {
    'created_at': m.Flavor.created_at, 'description': m.Flavor.description,
    'disabled': m.Flavor.disabled, 'ephemeral_gb': m.Flavor.ephemeral_gb,
    'flavorid': m.Flavor.flavorid, 'id': m.Flavor.id, 'is_public': m.Flavor.is_public,
    'memory_mb': m.Flavor.memory_mb, 'name': m.Flavor.name, 'root_gb': m.Flavor.root_gb,
    'rxtx_factor': m.Flavor.rxtx_factor, 'swap': m.Flavor.swap,
    'updated_at': m.Flavor.updated_at, 'vcpus': m.Flavor.vcpus,
}


class FlavorNotFound(exceptions.NotFound):
    msg_fmt = 'Flavor %(flavor_id)s could not be found.'


class FlavorExists(exceptions.Conflict):
    msg_fmt = 'Flavor with %(field)s %(value)s already exists.'


class ExtraSpecNotFound(exceptions.NotFound):
    msg_fmt = 'Flavor %(flavor_id)s has no extra specs with key %(key)s.'


class FlavorAccessExists(exceptions.Conflict):
    msg_fmt = ('Flavor access already exists for flavor %(flavor_id)s and project '
               '%(project_id)s combination.')


class FlavorAccessNotFound(exceptions.NotFound):
    msg_fmt = 'Flavor access not found for %(flavor_id)s / %(project_id)s combination.'


def _visible(project_id):
    """The condition on flavors a non-admin of ``project_id`` may see."""
    shared = sa.select(m.FlavorProject.flavor_id).where(m.FlavorProject.project_id == project_id)
    return sa.or_(m.Flavor.is_public.is_(True), m.Flavor.id.in_(shared))


def get(session, flavorid, project_id, is_admin):
    """The flavor ``flavorid`` if the caller may see it.

    :raises FlavorNotFound: unknown, or private and not shared with the project.
    """
    stmt = sa.select(m.Flavor).where(m.Flavor.flavorid == str(flavorid))
    if not is_admin:
        stmt = stmt.where(_visible(project_id))
    flavor = session.execute(stmt).scalar_one_or_none()
    if flavor is None:
        raise FlavorNotFound(flavor_id=flavorid)
    return flavor


def find_usable(session, flavor_ref, project_id, is_admin):
    """The flavor a new or resized server may get from ``flavorRef`` (an id or a URL).

    :raises BadRequest: unknown, disabled, or private and not shared.
    """
    flavorid = request_values.id_from_href(flavor_ref)
    try:
        flavor = get(session, flavorid, project_id, is_admin)
    except FlavorNotFound:
        flavor = None
    if flavor is None or flavor.disabled:
        raise exceptions.BadRequest(f'Flavor {flavor_ref} could not be found.')
    return flavor


def extra_specs(session, flavor):
    rows = session.execute(sa.select(m.FlavorExtraSpec.key, m.FlavorExtraSpec.value)
                           .where(m.FlavorExtraSpec.flavor_id == flavor.id))
    return dict(rows.all())


def snapshot(session, flavor):
    """The copy of the flavor a server keeps (``instances.flavor``, as JSON)."""
    return {'id': flavor.flavorid, 'name': flavor.name, 'vcpus': flavor.vcpus,
            'ram': flavor.memory_mb, 'disk': flavor.root_gb, 'ephemeral': flavor.ephemeral_gb,
            'swap': flavor.swap, 'extra_specs': extra_specs(session, flavor)}


def list_flavors(session, project_id, is_admin, *, is_public=True, min_ram=None,
                 min_disk=None, sort_key='flavorid', sort_dir='asc', limit=None, marker=None):
    """The flavors a caller sees, as Nova lists them.

    Non-admins see the public flavors and the private ones shared with their
    project, never disabled ones.  Administrators choose with ``is_public``:
    ``True`` (public ones and those shared with their project), ``False``
    (private ones) or ``None`` (all).

    :param marker: the ``flavorid`` the previous page ended with.
    :raises BadRequest: unknown sort key or direction, or marker.
    """
    if sort_key not in SORT_KEYS:
        raise exceptions.BadRequest(f'Invalid sort_key [{sort_key}].')
    if sort_dir not in ('asc', 'desc'):
        raise exceptions.BadRequest(f'Invalid sort_dir [{sort_dir}].')
    stmt = sa.select(m.Flavor)
    if not is_admin:
        stmt = stmt.where(_visible(project_id), m.Flavor.disabled.is_(False))
    elif is_public is True:
        stmt = stmt.where(_visible(project_id))
    elif is_public is False:
        stmt = stmt.where(m.Flavor.is_public.is_(False))
    if min_ram is not None:
        stmt = stmt.where(m.Flavor.memory_mb >= min_ram)
    if min_disk is not None:
        stmt = stmt.where(m.Flavor.root_gb >= min_disk)
    column = SORT_KEYS[sort_key]
    # A nullable sort column is ordered as '' (or 0 for numbers) so that the
    # keyset comparison of the marker always has a value.
    if sort_key == 'description':
        column = sa.func.coalesce(column, '')
    columns = [column, m.Flavor.id]
    marker_row = None
    if marker is not None:
        flavor = session.execute(sa.select(m.Flavor).where(
            m.Flavor.flavorid == marker)).scalar_one_or_none()
        if flavor is None:
            raise exceptions.BadRequest(f'marker [{marker}] not found')
        marker_row = pagination.marker_values(session, m.Flavor, columns, flavor.id)
    stmt = pagination.paginate(stmt, columns, limit=limit, marker=marker_row,
                               directions=[sort_dir, sort_dir])
    return session.execute(stmt).scalars().all()


def create(session, attrs):
    """A new flavor from the API's attributes (``flavorid`` ``None``: a new UUID).

    :raises FlavorExists: the name or the id is taken.
    """
    flavorid = attrs.pop('flavorid', None)
    flavorid = str(uuid.uuid4()) if flavorid is None else str(flavorid)
    for field, column, value in (('name', m.Flavor.name, attrs['name']),
                                 ('ID', m.Flavor.flavorid, flavorid)):
        if session.execute(sa.select(m.Flavor.id).where(column == value)).first():
            raise FlavorExists(field=field, value=value)
    flavor = m.Flavor(flavorid=flavorid, **attrs)
    try:
        with session.begin_nested():
            session.add(flavor)
    except sa_exc.IntegrityError as error:
        # Another request created the same name or id since the check.
        if not is_duplicate_entry(error):
            raise
        raise FlavorExists(field='name or ID', value=f'{attrs["name"]}/{flavorid}') from None
    return flavor


def delete(session, flavor):
    session.execute(sa.delete(m.FlavorExtraSpec).where(m.FlavorExtraSpec.flavor_id == flavor.id))
    session.execute(sa.delete(m.FlavorProject).where(m.FlavorProject.flavor_id == flavor.id))
    session.delete(flavor)


def set_extra_specs(session, flavor, specs):
    """Add or replace the given extra specs (others are kept)."""
    existing = {row.key: row for row in session.execute(sa.select(m.FlavorExtraSpec).where(
        m.FlavorExtraSpec.flavor_id == flavor.id)).scalars()}
    for key, value in specs.items():
        if key in existing:
            existing[key].value = value
        else:
            session.add(m.FlavorExtraSpec(flavor_id=flavor.id, key=key, value=value))
    session.flush()


def delete_extra_spec(session, flavor, key):
    deleted = session.execute(sa.delete(m.FlavorExtraSpec).where(
        m.FlavorExtraSpec.flavor_id == flavor.id, m.FlavorExtraSpec.key == key)).rowcount
    if not deleted:
        raise ExtraSpecNotFound(flavor_id=flavor.flavorid, key=key)


def access_list(session, flavor):
    """The projects a private flavor is shared with, sorted."""
    return session.execute(sa.select(m.FlavorProject.project_id).where(
        m.FlavorProject.flavor_id == flavor.id).order_by(m.FlavorProject.project_id)
    ).scalars().all()


def add_access(session, flavor, project_id):
    if session.get(m.FlavorProject, (flavor.id, project_id)) is not None:
        raise FlavorAccessExists(flavor_id=flavor.flavorid, project_id=project_id)
    try:
        with session.begin_nested():
            session.add(m.FlavorProject(flavor_id=flavor.id, project_id=project_id))
    except sa_exc.IntegrityError as error:
        if not is_duplicate_entry(error):
            raise
        raise FlavorAccessExists(flavor_id=flavor.flavorid, project_id=project_id) from None


def remove_access(session, flavor, project_id):
    removed = session.execute(sa.delete(m.FlavorProject).where(
        m.FlavorProject.flavor_id == flavor.id,
        m.FlavorProject.project_id == project_id)).rowcount
    if not removed:
        raise FlavorAccessNotFound(flavor_id=flavor.flavorid, project_id=project_id)
