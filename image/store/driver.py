"""The store driver contract.

A store keeps the bytes of images; the database keeps everything else.
Writing is two-phase so that the database can record the checksum before
the data becomes visible under its final name:

1. ``begin_write(image_id)`` gives a ``StoreWriter`` that writes to a
   temporary object;
2. the caller records the checksum, then calls ``writer.commit()``, which
   makes the data durable and moves it to its final location;
3. on any failure the caller calls ``writer.abort()``, which leaves nothing.
"""
import abc


class StoreWriter(abc.ABC):
    """One object being written."""

    @abc.abstractmethod
    def write(self, chunk):
        """Append ``chunk`` (bytes) to the temporary object."""

    @property
    @abc.abstractmethod
    def local_path(self):
        """A local file path of the data written so far (for inspection)."""

    @property
    @abc.abstractmethod
    def location(self):
        """The location the data will have once committed."""

    @abc.abstractmethod
    def commit(self):
        """Make the data durable and visible at ``location``.

        :postcondition: the data survives a crash of this host.
        """

    @abc.abstractmethod
    def abort(self):
        """Discard the temporary object; idempotent, never raises for a missing one."""


class Store(abc.ABC):

    @abc.abstractmethod
    def begin_write(self, image_id):
        """A ``StoreWriter`` for new data of ``image_id``."""

    @abc.abstractmethod
    def location_of(self, image_id):
        """The location that committed data of ``image_id`` has."""

    @abc.abstractmethod
    def open(self, location):
        """A binary file object reading the data at ``location``.

        :raises FileNotFoundError: when there is no such data.
        """

    @abc.abstractmethod
    def size(self, location):
        """Bytes stored at ``location``."""

    @abc.abstractmethod
    def exists(self, location):
        """True when data is stored at ``location``."""

    @abc.abstractmethod
    def delete(self, location):
        """Remove the data at ``location``; succeeds if it is already gone."""

    @abc.abstractmethod
    def locations(self):
        """Every committed location, for reconciliation with the database."""

    @abc.abstractmethod
    def remove_partials(self):
        """Remove temporary objects left by writers that never finished.

        Only safe when no writer of this store is running (at start-up).
        :returns: how many were removed.
        """
