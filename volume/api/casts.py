"""Casts to the conductor that the API undoes when they cannot be sent.

The API commits a transitional status (``creating``, ``deleting`` …)
before it casts, so that the conductor finds the row as it expects.  If
RabbitMQ refuses the cast nothing would ever finish that status, so the
change is undone in a new transaction and the request answered 503.
"""
import logging

from common import exceptions
from volume.api import support

LOG = logging.getLogger(__name__)


def cast_or_undo(cast, undo, *, doing, outcome, cleanup=None):
    """Run ``cast()``; if it fails, run ``undo(session)`` and answer 503.

    :param doing: what was asked, for the log (``'create backup <id>'``).
    :param outcome: what the 503 tells the user (``'the backup was put in error'``).
    :param cleanup: called once the undo is committed, for what is not in the
        database (the image an upload made).
    :raises ServiceUnavailable: (503) the cast could not be sent.
    """
    try:
        cast()
    except Exception:  # any failure of the transport: the message was not sent
        LOG.exception('Could not ask the conductor to %s', doing)
        with support.db().writer() as session:
            undo(session)
        if cleanup is not None:
            cleanup()
        raise exceptions.ServiceUnavailable(f'The volume conductor is unreachable; '
                                            f'{outcome}.') from None
