"""Volume types: who sees them, the default one, extra specs and private access.

A public type is seen and used by every project; a private one by the
projects on its access list (and cloud administrators).  Extra specs are
the operator's: only the few Cinder calls user-visible are shown to
others.  A type in use by a volume keeps its extra specs and cannot be
deleted, as in Cinder; a rename carries its per-type quotas along.
"""
import sqlalchemy as sa
from oslo_utils import uuidutils
from sqlalchemy import exc as sa_exc

from common import exceptions
from common.db.session import is_duplicate_entry
from volume import exceptions as vol_exc
from volume import quotas
from volume.db import api as db_api
from volume.db import models as m

# Extra specs every project may see (Cinder's USER_VISIBLE_EXTRA_SPECS).
USER_VISIBLE_EXTRA_SPECS = ('RESKEY:availability_zones', 'multiattach', 'replication_enabled')
# The spec the conductor's scheduler matches against a backend's name.
BACKEND_NAME_SPEC = 'volume_backend_name'
MULTIATTACH_SPEC = 'multiattach'


class DefaultTypeMisconfigured(exceptions.StratusError):
    msg_fmt = ('The request cannot be fulfilled as the default volume type '
               '%(volume_type_name)s cannot be found.')


class TypeInUseForSpecs(exceptions.BadRequest):
    msg_fmt = 'Volume Type is currently in use.'


def visible(caller):
    """The SQL condition for the volume types ``caller`` may see and use."""
    if caller.is_admin:
        return sa.true()
    shared = sa.select(m.VolumeTypeProject.volume_type_id).where(
        m.VolumeTypeProject.project_id == caller.project_id)
    return sa.or_(m.VolumeType.is_public.is_(True), m.VolumeType.id.in_(shared))


def get(session, caller, type_id):
    """:raises VolumeTypeNotFound: no such type, or one ``caller`` may not see."""
    found = session.execute(sa.select(m.VolumeType).where(
        m.VolumeType.id == type_id, visible(caller))).scalar_one_or_none()
    if found is None:
        raise vol_exc.VolumeTypeNotFound(volume_type_id=type_id)
    return found


def get_by_name_or_id(session, caller, value):
    """The type named ``value``, or whose id it is (as a volume create names it)."""
    if uuidutils.is_uuid_like(value):
        found = session.execute(sa.select(m.VolumeType).where(
            m.VolumeType.id == value, visible(caller))).scalar_one_or_none()
        if found is not None:
            return found
    found = session.execute(sa.select(m.VolumeType).where(
        m.VolumeType.name == value, visible(caller))).scalar_one_or_none()
    if found is None:
        raise vol_exc.VolumeTypeNotFoundByName(volume_type_name=value)
    return found


def default(session, conf):
    """The type of volumes that name none (``default_volume_type``), or ``None``."""
    return session.execute(sa.select(m.VolumeType).where(
        m.VolumeType.name == conf.default_volume_type)).scalar_one_or_none()


def default_for_create(session, conf):
    """:raises DefaultTypeMisconfigured: (500, as Cinder) the default type is gone."""
    found = default(session, conf)
    if found is None:
        raise DefaultTypeMisconfigured(volume_type_name=conf.default_volume_type)
    return found


def extra_specs(session, type_ids):
    """``{type id: {key: value}}``."""
    return db_api.key_values(session, m.VolumeTypeExtraSpec,
                             m.VolumeTypeExtraSpec.volume_type_id, type_ids)


def shown_specs(specs, sensitive):
    """The specs a caller sees: all with ``sensitive``, else the user-visible ones."""
    if sensitive:
        return dict(specs)
    return {k: v for k, v in specs.items() if k in USER_VISIBLE_EXTRA_SPECS}


def is_multiattach(specs):
    """Whether a type's extra specs make its volumes multi-attachable (``<is> True``)."""
    return str(specs.get(MULTIATTACH_SPEC, '')).strip().lower() == '<is> true'


def _flush_named(session, name):
    """Flush a type's name change; the unique key decides between racing requests."""
    try:
        with session.begin_nested():
            session.flush()
    except sa_exc.IntegrityError as exc:
        if is_duplicate_entry(exc):
            raise vol_exc.VolumeTypeExists(id=name) from None
        raise


def create(session, name, description, is_public, specs):
    """A new type; :raises VolumeTypeExists: the name is taken (409)."""
    volume_type = m.VolumeType(name=name, description=description, is_public=is_public)
    session.add(volume_type)
    _flush_named(session, name)
    for key, value in (specs or {}).items():
        session.add(m.VolumeTypeExtraSpec(volume_type_id=volume_type.id, key=key, value=value))
    session.flush()
    return volume_type


def update(session, volume_type, *, name=None, description=None, is_public=None):
    """Change what is given (``None``: keep); a rename moves the per-type quotas."""
    if name is not None and name != volume_type.name:
        old_name, volume_type.name = volume_type.name, name
        _flush_named(session, name)  # a taken name is refused before the quotas move
        quotas.rename_type(session, old_name, name)
    if description is not None:
        volume_type.description = description
    if is_public is not None:
        volume_type.is_public = is_public
    session.flush()
    return volume_type


def delete(session, conf, volume_type):
    """:raises VolumeTypeDefaultDeletionError: it is the default type.
    :raises VolumeTypeInUse: a volume (not deleted) has it."""
    if volume_type.name == conf.default_volume_type:
        raise vol_exc.VolumeTypeDefaultDeletionError(volume_type_id=volume_type.id)
    if db_api.count_live_volumes_of_type(session, volume_type.id):
        raise vol_exc.VolumeTypeInUse(volume_type_id=volume_type.id)
    quotas.forget_type(session, volume_type.name)
    session.delete(volume_type)


def _check_not_in_use(session, volume_type):
    if db_api.count_live_volumes_of_type(session, volume_type.id):
        raise TypeInUseForSpecs()


def set_specs(session, volume_type, specs):
    """Add or change ``specs``; refused while a volume has the type, as in Cinder."""
    _check_not_in_use(session, volume_type)
    current = extra_specs(session, [volume_type.id])[volume_type.id]
    db_api.replace_key_values(session, m.VolumeTypeExtraSpec,
                              m.VolumeTypeExtraSpec.volume_type_id, volume_type.id,
                              {**current, **specs})


def delete_spec(session, volume_type, key):
    _check_not_in_use(session, volume_type)
    current = extra_specs(session, [volume_type.id])[volume_type.id]
    if key not in current:
        raise vol_exc.VolumeTypeExtraSpecsNotFound(volume_type_id=volume_type.id,
                                                   extra_specs_key=key)
    del current[key]
    db_api.replace_key_values(session, m.VolumeTypeExtraSpec,
                              m.VolumeTypeExtraSpec.volume_type_id, volume_type.id, current)


def access_list(session, volume_type):
    """The projects that may use a private type.

    :raises VolumeTypeAccessListOfPublicType: the type is public (Cinder's 404).
    """
    if volume_type.is_public:
        raise vol_exc.VolumeTypeAccessListOfPublicType()
    return list(session.execute(sa.select(m.VolumeTypeProject.project_id).where(
        m.VolumeTypeProject.volume_type_id == volume_type.id)
        .order_by(m.VolumeTypeProject.project_id)).scalars())


def _refuse_public(volume_type):
    """Access lists are for private types: a row added to a public one would wait
    unseen and grant access the day the type turns private (Cinder refuses too)."""
    if volume_type.is_public:
        raise vol_exc.InvalidVolumeType(
            reason='Type access modification is not applicable to public volume type.')


def add_access(session, volume_type, project_id):
    """:raises VolumeTypeAccessExists: the project has access already (409).
    :raises InvalidVolumeType: the type is public (400)."""
    _refuse_public(volume_type)
    if session.get(m.VolumeTypeProject, (volume_type.id, project_id)) is not None:
        raise vol_exc.VolumeTypeAccessExists(volume_type_id=volume_type.id,
                                             project_id=project_id)
    session.add(m.VolumeTypeProject(volume_type_id=volume_type.id, project_id=project_id))
    session.flush()


def remove_access(session, volume_type, project_id):
    """:raises VolumeTypeAccessNotFound: the project had no access (404).
    :raises InvalidVolumeType: the type is public (400)."""
    _refuse_public(volume_type)
    row = session.get(m.VolumeTypeProject, (volume_type.id, project_id))
    if row is None:
        raise vol_exc.VolumeTypeAccessNotFound(volume_type_id=volume_type.id,
                                               project_id=project_id)
    session.delete(row)
