"""Values a request may spell in more than one way, read the same way everywhere.

Integers come as JSON numbers or as decimal text (query strings, path ids,
and body fields whose schema allows ``["integer", "string"]``, as Nova's
do).  JSON Schema's ``minimum`` and ``maximum`` apply to numbers only, and
the database drivers cannot bind an integer beyond 64 bits, so text is
parsed and every value bounded here: out of range is a 400, never an
overflow in the driver (a 500).

Flavors and images are named by their id or by a link that ends in it.
"""
from oslo_utils import strutils

from common import exceptions

# The range of an INTEGER column on every database compute runs on.
MIN_INT = -0x80000000
MAX_INT = 0x7FFFFFFF


class InvalidInteger(exceptions.BadRequest):
    msg_fmt = 'Invalid input received: %(reason)s'


def parse_int(value, name, *, minimum=MIN_INT, maximum=MAX_INT):
    """``value`` (an int, or decimal text) as an int in ``[minimum, maximum]``.

    :param name: what the value is, for the message (Nova's ``validate_integer``
        words: ``limit must be >= 0``).
    :raises InvalidInteger: not an integer, or out of the range.
    """
    try:
        return strutils.validate_integer(value, name, minimum, maximum)
    except ValueError as exc:
        raise InvalidInteger(reason=str(exc)) from None


def parse_id(value, name):
    """An integer id from a URL, or ``None`` when it is beyond any row's id.

    :raises InvalidInteger: not an integer.
    """
    number = parse_int(value, name, minimum=None, maximum=None)
    return number if MIN_INT <= number <= MAX_INT else None


def id_from_href(ref):
    """The id at the end of a link (``http://…/flavors/1`` → ``1``), or ``ref`` itself."""
    return str(ref).rstrip('/').rsplit('/', 1)[-1]
