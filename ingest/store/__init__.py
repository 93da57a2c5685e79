"""Storage: the :class:`Store` port, its adapters, the batching writer and the disk spool.

``open_store(url)`` picks the adapter from a URL (nothing connects until
``await store.open()``):

- ``sqlite:///var/lib/venue-twin/readings.db`` (absolute path after ``sqlite://``),
  ``sqlite:///./data.db`` (relative), ``sqlite://:memory:``
- ``postgresql://user@host:5432/db`` (also ``postgres://``)
- ``memory://`` (the in-memory fake, for tests and demos without persistence)
"""

from __future__ import annotations

from ingest.store.base import Bucket, Store, StoreError, StoreUnavailable, ZoneAggregate
from ingest.store.errors import InvalidReadings
from ingest.store.memory import MemoryStore
from ingest.store.postgres import PostgresStore
from ingest.store.spool import Spool, SpoolError, SpoolFull
from ingest.store.sqlite import SqliteStore
from ingest.store.writer import BatchWriter, WriterClosed

__all__ = [
    "BatchWriter",
    "Bucket",
    "InvalidReadings",
    "MemoryStore",
    "PostgresStore",
    "Spool",
    "SpoolError",
    "SpoolFull",
    "SqliteStore",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "UnsupportedStoreURL",
    "WriterClosed",
    "ZoneAggregate",
    "open_store",
]


class UnsupportedStoreURL(StoreError, ValueError):
    """The store URL names no adapter we have."""


def open_store(url: str) -> Store:
    """Build (not connect) the store a URL names."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise UnsupportedStoreURL(f"not a store URL: {url!r}")
    scheme = scheme.lower()
    if scheme == "sqlite":
        if rest in {":memory:", "/:memory:", ""}:
            return SqliteStore(":memory:")
        # sqlite:///abs/path -> /abs/path ; sqlite:///./rel -> ./rel
        path = rest[1:] if rest.startswith("/./") else rest
        return SqliteStore(path)
    if scheme in {"postgresql", "postgres"} or scheme.startswith("postgresql+"):
        return PostgresStore("postgresql://" + rest)
    if scheme == "memory":
        return MemoryStore()
    raise UnsupportedStoreURL(f"unsupported store URL scheme {scheme!r} in {url!r}")
