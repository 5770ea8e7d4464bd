"""Who may see an image: Glance's visibility rules.

* ``public``: everyone;
* ``community``: everyone may use it, but it is listed only for its owner or
  when a list asks for ``visibility=community``;
* ``shared``: the owner and the projects it was shared with (members);
  listed for a member once the member accepted it;
* ``private``: the owner only.

Admins see everything.  An image a caller may not see does not exist for
them (404), so that ids of other projects' images are not confirmed.
"""
import dataclasses

import sqlalchemy as sa

from image.db import models as m

VISIBILITIES = ('public', 'community', 'shared', 'private')


@dataclasses.dataclass(frozen=True)
class Caller:
    """The project a request acts for, and whether it is a cloud admin."""
    project_id: str | None
    is_admin: bool = False


def can_see(session, image, caller):
    if caller.is_admin or image.visibility in ('public', 'community'):
        return True
    if image.owner is not None and image.owner == caller.project_id:
        return True
    if image.visibility == 'shared' and caller.project_id:
        return session.get(m.ImageMember, (image.id, caller.project_id)) is not None
    return False


def is_owner(image, caller):
    return caller.is_admin or (image.owner is not None and image.owner == caller.project_id)


def list_clause(caller, visibility, member_status):
    """The WHERE clause restricting a list to what ``caller`` may see.

    :param visibility: the ``visibility`` filter of the request, or ``None``
        (then community images are listed only for their owner) or ``all``.
    :param member_status: which shared images of other projects to list
        (Glance's default is ``accepted``; ``all`` for any).
    """
    clauses = []
    if visibility not in (None, 'all'):
        clauses.append(m.Image.visibility == visibility)
    if caller.is_admin:
        return sa.and_(*clauses) if clauses else sa.true()
    own = m.Image.owner == caller.project_id
    membership = sa.select(m.ImageMember.image_id).where(
        m.ImageMember.member == caller.project_id)
    if member_status != 'all':
        membership = membership.where(m.ImageMember.status == member_status)
    visible = [own, m.Image.visibility == 'public',
               sa.and_(m.Image.visibility == 'shared', m.Image.id.in_(membership))]
    if visibility in ('community', 'all'):
        visible.append(m.Image.visibility == 'community')
    clauses.append(sa.or_(*visible))
    return sa.and_(*clauses)
