"""The rules around images: create, read, change, delete, tags, members.

Data (upload, download, import) lives in ``image.uploads``; listing in
``image.listing``.
"""
import logging
import uuid

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common import exceptions as common_exc
from common.db.session import is_duplicate_entry
from common.db.types import utcnow
from image import exceptions
from image import states
from image import visibility as vis
from image.db import api as db_api
from image.db import models as m

LOG = logging.getLogger(__name__)

CONTAINER_FORMATS = ('ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed')
# Attributes stored in columns; everything else is a free-form property.
CORE = ('id', 'name', 'status', 'visibility', 'owner', 'disk_format', 'container_format',
        'size', 'virtual_size', 'checksum', 'os_hash_algo', 'os_hash_value', 'min_disk',
        'min_ram', 'protected', 'os_hidden', 'tags', 'created_at', 'updated_at')
READ_ONLY = ('id', 'status', 'size', 'virtual_size', 'checksum', 'os_hash_algo',
             'os_hash_value', 'created_at', 'updated_at', 'self', 'file', 'schema',
             'direct_url', 'locations', 'stores')
RESERVED_PREFIX = 'os_glance'
MAX_TAGS = 128


def check_property_name(name):
    if name in READ_ONLY:
        raise exceptions.ReadOnlyProperty(name=name)
    if name.startswith(RESERVED_PREFIX):
        raise exceptions.ReservedProperty(name=name)


class ImageManager:

    def __init__(self, conf, quotas, enforcer_check):
        """:param enforcer_check: ``callable(action) -> bool`` for the current caller."""
        self._conf = conf
        self._quotas = quotas
        self._allowed = enforcer_check

    # -- read ------------------------------------------------------------------

    def get(self, session, image_id, caller):
        """The image if ``caller`` may see it (else 404, never 403)."""
        image = db_api.get_image(session, image_id)
        if image is None or not vis.can_see(session, image, caller):
            raise exceptions.ImageNotFound(image_id=image_id)
        return image

    def get_owned(self, session, image_id, caller):
        """The image if ``caller`` owns it (or is admin); 404 if invisible, 403 if only visible.

        For callers about to change the image: its row stays locked until the
        transaction ends (``db_api.lock_image``), so concurrent changes of one
        image are applied one after the other.
        """
        # Kept in a variable: the session holds loaded rows weakly, and ``get``
        # then finds this one instead of reading it again.
        locked = db_api.lock_image(session, image_id)
        image = self.get(session, image_id, caller)
        if not vis.is_owner(image, caller):
            raise common_exc.Forbidden(f'You are not the owner of image {image_id}.')
        return image

    # -- create ----------------------------------------------------------------

    def _check_visibility_change(self, visibility):
        if visibility == 'public' and not self._allowed('publicize_image'):
            raise common_exc.Forbidden('Only an administrator may make an image public.')
        if visibility == 'community' and not self._allowed('communitize_image'):
            raise common_exc.Forbidden('You may not make an image community.')

    def create(self, session, caller, attrs):
        visibility = attrs.get('visibility') or 'shared'
        self._check_visibility_change(visibility)
        owner = attrs.get('owner') or caller.project_id
        if owner != caller.project_id and not caller.is_admin:
            raise common_exc.Forbidden('Only an administrator may create images for '
                                       'another project.')
        for name in attrs:
            if name != 'id':  # the one read-only attribute a creator may choose
                check_property_name(name)
        # A null kernel_id or ramdisk_id (the properties that may be null) is no property.
        extra = {k: v for k, v in attrs.items() if k not in CORE and v is not None}
        if owner is not None:
            self._quotas.check_new_image(session, owner)
        image_id = attrs.get('id') or str(uuid.uuid4())
        if session.get(m.Image, image_id) is not None:
            raise common_exc.Conflict(f'An image with ID {image_id} already exists.')
        image = m.Image(
            id=image_id, name=attrs.get('name'), status=states.QUEUED, visibility=visibility,
            owner=owner, disk_format=attrs.get('disk_format'),
            container_format=attrs.get('container_format'),
            min_disk=attrs.get('min_disk') or 0, min_ram=attrs.get('min_ram') or 0,
            protected=bool(attrs.get('protected')), os_hidden=bool(attrs.get('os_hidden')))
        try:
            with session.begin_nested():
                session.add(image)
        except sa_exc.IntegrityError as error:
            if not is_duplicate_entry(error):
                raise
            # Created meanwhile by another project (quota locks are per project).
            raise common_exc.Conflict(f'An image with ID {image_id} already exists.') from None
        db_api.set_properties(session, image.id, extra)
        db_api.set_tags(session, image.id, attrs.get('tags') or [])
        return image

    # -- update ----------------------------------------------------------------

    def update(self, session, image_id, caller, changes):
        """Apply parsed JSON Patch ``changes`` (see ``image.api.patch``)."""
        image = self.get_owned(session, image_id, caller)
        properties = db_api.properties_of(session, [image.id])[image.id]
        tags = db_api.tags_of(session, [image.id])[image.id]
        for change in changes:
            name = change.path
            if name == 'tags':
                tags = self._apply_list(change, tags)
            elif name in CORE:
                self._apply_core(session, image, caller, change)
            else:
                check_property_name(name)
                self._apply_property(properties, change)
        db_api.set_properties(session, image.id, properties)
        db_api.set_tags(session, image.id, tags)
        session.flush()
        return image

    def _apply_list(self, change, tags):
        if change.op == 'remove':
            raise common_exc.Forbidden("Attribute 'tags' cannot be removed.")
        return list(dict.fromkeys(change.value or []))

    def _apply_core(self, session, image, caller, change):
        name = change.path
        check_property_name(name)
        if change.op == 'remove':
            raise common_exc.Forbidden(f"Core attribute '{name}' cannot be removed.")
        value = change.value
        if name in ('disk_format', 'container_format'):
            if image.status != states.QUEUED:
                raise common_exc.Forbidden(
                    f"'{name}' can only be changed while the image is queued.")
        elif name == 'visibility':
            if value != image.visibility:
                self._check_visibility_change(value)
            if image.visibility == 'shared' and value != 'shared':
                LOG.info('Image %s is no longer shared; its members lose access', image.id)
        elif name == 'owner':
            if not caller.is_admin:
                raise common_exc.Forbidden('Only an administrator may change the owner.')
        setattr(image, name, value)

    @staticmethod
    def _apply_property(properties, change):
        """Apply one change to ``properties``; a null value (``kernel_id``,
        ``ramdisk_id``) unsets the property."""
        name = change.path
        if change.op != 'add' and name not in properties:
            raise common_exc.Conflict(f'Property {name} does not exist.')
        if change.op == 'remove' or change.value is None:
            properties.pop(name, None)
        else:
            properties[name] = change.value

    # -- delete ----------------------------------------------------------------

    def delete(self, session, image_id, caller):
        """Mark the image deleted; returns its data location, to remove after commit."""
        image = self.get_owned(session, image_id, caller)
        if image.protected:
            raise exceptions.ImageProtected(image_id=image_id)
        location = image.location
        expected = [s for s in states.ALL if states.DELETED in states.TRANSITIONS[s]]
        if not db_api.transition(session, image.id, expected, states.DELETED,
                                 deleted_at=utcnow(), location=None, upload_id=None):
            raise exceptions.ImageNotFound(image_id=image_id)
        session.execute(sa.delete(m.ImageMember).where(m.ImageMember.image_id == image.id))
        return location

    # -- tags ------------------------------------------------------------------

    def add_tag(self, session, image_id, caller, tag):
        image = self.get_owned(session, image_id, caller)
        tags = db_api.tags_of(session, [image.id])[image.id]
        if tag not in tags and len(tags) >= MAX_TAGS:
            raise exceptions.QuotaExceeded(resource='image tags', limit=MAX_TAGS,
                                           used=len(tags))
        db_api.add_tag(session, image.id, tag)

    def remove_tag(self, session, image_id, caller, tag):
        image = self.get_owned(session, image_id, caller)
        row = session.get(m.ImageTag, (image.id, tag))
        if row is None:
            raise common_exc.NotFound(f'Tag {tag} not found on image {image_id}.')
        session.delete(row)

    # -- deactivate ------------------------------------------------------------

    def set_active(self, session, image_id, caller, active):
        image = self.get(session, image_id, caller)
        source, target = ((states.DEACTIVATED, states.ACTIVE) if active
                          else (states.ACTIVE, states.DEACTIVATED))
        if image.status == target:
            return image
        if not db_api.transition(session, image.id, [source], target):
            raise common_exc.Forbidden(f'Not allowed to {"reactivate" if active else "deactivate"}'
                                       f' an image in status {image.status}.')
        return session.get(m.Image, image.id)

    # -- members ---------------------------------------------------------------

    def add_member(self, session, image_id, caller, member_id):
        image = self.get_owned(session, image_id, caller)
        if image.visibility != 'shared':
            raise common_exc.Forbidden(f"Image {image_id} is '{image.visibility}': only "
                                       "'shared' images have members.")
        if db_api.member(session, image.id, member_id) is not None:
            raise common_exc.Conflict(f'Project {member_id} is already a member of image '
                                      f'{image_id}.')
        row = m.ImageMember(image_id=image.id, member=member_id, status='pending')
        session.add(row)
        session.flush()
        return row

    def members(self, session, image_id, caller):
        image = self.get(session, image_id, caller)
        rows = db_api.members_of(session, image.id)
        if vis.is_owner(image, caller):
            return rows
        return [r for r in rows if r.member == caller.project_id]

    def get_member(self, session, image_id, caller, member_id):
        for row in self.members(session, image_id, caller):
            if row.member == member_id:
                return row
        raise exceptions.MemberNotFound(image_id=image_id, member_id=member_id)

    def update_member(self, session, image_id, caller, member_id, status):
        db_api.lock_image(session, image_id)
        self.get(session, image_id, caller)
        if member_id != caller.project_id and not caller.is_admin:
            raise common_exc.Forbidden('Only the member project may accept or reject an image.')
        row = db_api.member(session, image_id, member_id)
        if row is None:
            raise exceptions.MemberNotFound(image_id=image_id, member_id=member_id)
        row.status = status
        session.flush()
        return row

    def delete_member(self, session, image_id, caller, member_id):
        image = self.get_owned(session, image_id, caller)
        row = db_api.member(session, image.id, member_id)
        if row is None:
            raise exceptions.MemberNotFound(image_id=image_id, member_id=member_id)
        session.delete(row)
