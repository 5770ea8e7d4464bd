"""Queries of the image database: store and fetch, no rules."""
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common.db.session import is_duplicate_entry
from common.db.types import utcnow
from image import states
from image.db import models as m


def transition(session, image_id, expected, new_status, *, expected_upload_id=None, **values):
    """Move an image from one of ``expected`` statuses to ``new_status``, atomically.

    :param expected: the statuses the image may be in.
    :param expected_upload_id: when given, the image must also carry this upload id.
    :param values: further columns to set in the same UPDATE.
    :returns: True when this call made the change, False when the image was
        not in an expected status (someone else won).
    """
    assert all(new_status in states.TRANSITIONS[s] for s in expected), (expected, new_status)
    stmt = (sa.update(m.Image)
            .where(m.Image.id == image_id, m.Image.status.in_(expected))
            .values(status=new_status, updated_at=utcnow(), **values)
            .execution_options(synchronize_session=False))
    if expected_upload_id is not None:
        stmt = stmt.where(m.Image.upload_id == expected_upload_id)
    changed = session.execute(stmt).rowcount == 1
    if changed:
        session.expire_all()
    return changed


def update_during_upload(session, image_id, status, claim_id, **values):
    """Set ``values`` if the image is still in ``status`` under upload id ``claim_id``.

    ``values`` may itself set ``upload_id`` (to ``None`` when a stage ends).
    """
    stmt = (sa.update(m.Image)
            .where(m.Image.id == image_id, m.Image.status == status,
                   m.Image.upload_id == claim_id)
            .values(updated_at=utcnow(), **values)
            .execution_options(synchronize_session=False))
    changed = session.execute(stmt).rowcount == 1
    if changed:
        session.expire_all()
    return changed


def get_image(session, image_id):
    """The image, deleted ones excluded, or ``None``."""
    image = session.get(m.Image, image_id)
    return None if image is None or image.status == states.DELETED else image


def lock_image(session, image_id):
    """Lock the image's row until the transaction ends; returns it (or ``None``).

    A transaction that changes an image (tags, properties, members, data)
    takes this lock first, so that concurrent changes of one image run one
    after the other instead of colliding on the rows they rewrite (and
    what it reads next includes what the one before it committed: see
    ``common.db.session.Database``).  The image row is locked before
    the project's quota row (``lock_project_quota``) in every transaction
    that takes both.  On SQLite the writer transaction already serialises
    writers.
    """
    stmt = (sa.select(m.Image).where(m.Image.id == image_id).with_for_update()
            .execution_options(populate_existing=True))
    return session.execute(stmt).scalar_one_or_none()


def properties_of(session, image_ids):
    """``{image_id: {name: value}}``."""
    result = {i: {} for i in image_ids}
    if image_ids:
        for row in session.execute(sa.select(m.ImageProperty).where(
                m.ImageProperty.image_id.in_(image_ids))).scalars():
            result[row.image_id][row.name] = row.value
    return result


def tags_of(session, image_ids):
    result = {i: [] for i in image_ids}
    if image_ids:
        for row in session.execute(sa.select(m.ImageTag).where(
                m.ImageTag.image_id.in_(image_ids)).order_by(m.ImageTag.value)).scalars():
            result[row.image_id].append(row.value)
    return result


def set_properties(session, image_id, properties):
    """Replace every free-form property of the image with ``properties``."""
    session.execute(sa.delete(m.ImageProperty).where(m.ImageProperty.image_id == image_id))
    for name, value in properties.items():
        session.add(m.ImageProperty(image_id=image_id, name=name, value=value))


def set_tags(session, image_id, tags):
    session.execute(sa.delete(m.ImageTag).where(m.ImageTag.image_id == image_id))
    for tag in dict.fromkeys(tags):
        session.add(m.ImageTag(image_id=image_id, value=tag))


def add_tag(session, image_id, tag):
    if session.get(m.ImageTag, (image_id, tag)) is None:
        try:
            with session.begin_nested():
                session.add(m.ImageTag(image_id=image_id, value=tag))
        except sa_exc.IntegrityError as error:
            if not is_duplicate_entry(error):
                raise


def member(session, image_id, project_id):
    return session.get(m.ImageMember, (image_id, project_id))


def members_of(session, image_id):
    return list(session.execute(sa.select(m.ImageMember).where(
        m.ImageMember.image_id == image_id).order_by(m.ImageMember.created_at,
                                                      m.ImageMember.member)).scalars())


def lock_project_quota(session, project_id):
    """The project's quota row, locked until the transaction ends.

    Created on first use; on MariaDB/PostgreSQL ``FOR UPDATE`` makes every
    other quota check of the project wait, on SQLite the writer transaction
    already serialises writers.
    """
    stmt = sa.select(m.ProjectQuota).where(m.ProjectQuota.project_id == project_id)
    row = session.execute(stmt.with_for_update()).scalar_one_or_none()
    if row is None:
        _create_project_quota(session, project_id)
        row = session.execute(stmt.with_for_update()).scalar_one()
    return row


def _create_project_quota(session, project_id):
    """Insert the project's (empty) quota row, unless another request just did.

    On MariaDB and PostgreSQL the row is committed at once, in a transaction
    of its own: inserted by the request's transaction, it would vanish if
    that transaction rolled back (a refused request), and on MariaDB the
    requests of the project waiting on that insert would then deadlock on
    their own.  (The request's ``FOR UPDATE`` on the missing row locked no
    gap the insert could wait for: see ``common.db.session.Database``.)
    SQLite has one writer at a time, the request's transaction: it inserts
    the row itself.
    """
    bind = session.get_bind()
    try:
        if bind.dialect.name == 'sqlite':
            with session.begin_nested():
                session.add(m.ProjectQuota(project_id=project_id))
        else:
            with bind.connect() as connection, connection.begin():
                connection.execute(sa.insert(m.ProjectQuota).values(project_id=project_id))
    except sa_exc.IntegrityError as error:
        if not is_duplicate_entry(error):
            raise


def project_usage(session, project_id, exclude_image_id=None):
    """``(images, stored bytes, staged bytes, uploads in progress)`` of a project."""
    def total(condition, value):
        # SUM(CASE …) rather than FILTER (WHERE …), which MariaDB lacks.
        return sa.func.coalesce(sa.func.sum(sa.case((condition, value), else_=0)), 0)

    busy = m.Image.status.in_((states.SAVING, states.UPLOADING, states.IMPORTING))
    stmt = sa.select(
        total(m.Image.status != states.DELETED, 1),
        total(m.Image.status.in_(states.HOLDING_DATA), sa.func.coalesce(m.Image.size, 0)),
        total(m.Image.status.in_((states.UPLOADING, states.IMPORTING)),
              sa.func.coalesce(m.Image.staged_size, 0)),
        total(busy, 1),
    ).where(m.Image.owner == project_id)
    if exclude_image_id is not None:
        stmt = stmt.where(m.Image.id != exclude_image_id)
    count, size, staged, uploading = session.execute(stmt).one()
    return int(count), int(size), int(staged), int(uploading)


def images_in(session, statuses):
    return list(session.execute(sa.select(m.Image).where(m.Image.status.in_(statuses)))
                .scalars())


def data_locations(session):
    """``{image id: location}`` of every image that is not deleted and has stored data."""
    stmt = sa.select(m.Image.id, m.Image.location).where(m.Image.location.is_not(None),
                                                         m.Image.status != states.DELETED)
    return dict(session.execute(stmt).all())
