"""Storage errors beyond the port's own (:mod:`ingest.store.base`)."""

from __future__ import annotations

from ingest.store.base import StoreError

__all__ = ["InvalidReadings"]


class InvalidReadings(StoreError):
    """The database refused the data itself (e.g. a NUL byte in a name), not the connection.

    Retrying the same batch can never succeed; the writer isolates and drops
    the offending readings instead of stalling on them.
    """
