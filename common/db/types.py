"""Column types and defaults that behave the same on SQLite, MariaDB and PostgreSQL."""
import datetime
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

# MariaDB's DATETIME keeps whole seconds unless told otherwise; token
# revocation compares times to the microsecond.
UtcDateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql', 'mariadb')


def utcnow():
    """The current time in UTC, naive, as stored in every database."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def new_id():
    """A new resource id: 32 hex digits, as Keystone uses."""
    return uuid.uuid4().hex


def new_uuid():
    """A new resource id in dashed UUID form, as Nova, Neutron, Glance and Cinder use."""
    return str(uuid.uuid4())
