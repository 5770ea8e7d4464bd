"""Write transactions that are run again when the database picks them as a deadlock victim.

Concurrent inserts under one unique key (two requests taking the same address
or MAC) make MariaDB and PostgreSQL occasionally abort one transaction as a
deadlock victim, or PostgreSQL report a serialization failure.  The whole
transaction was rolled back, so running it again from the start is safe and
is what the client would otherwise have to do.
"""
import logging
import random
import time

from sqlalchemy import exc as sa_exc

LOG = logging.getLogger(__name__)
ATTEMPTS = 5
# MariaDB 1213 (deadlock) / 1205 (lock wait timeout); PostgreSQL 40P01 / 40001.
_MARKERS = ('deadlock', '1213', '1205', '40p01', '40001', 'could not serialize')


def is_retriable(error):
    text = str(getattr(error, 'orig', error)).lower()
    return any(marker in text for marker in _MARKERS)


def in_writer(db, work, attempts=ATTEMPTS):
    """``work(session)`` in a write transaction of ``db``; its result.

    :raises: the last error when every attempt was a deadlock victim, and
        any other error at once.
    """
    attempt = 1
    while True:
        try:
            with db.writer() as session:
                return work(session)
        except sa_exc.DBAPIError as exc:
            if attempt >= attempts or not is_retriable(exc):
                raise
            LOG.info('Transaction aborted by the database (%s); attempt %d of %d',
                     exc.orig, attempt, attempts)
            time.sleep(random.uniform(0, 0.05 * attempt))
            attempt += 1
