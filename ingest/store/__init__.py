"""Storage: the :class:`Store` port, its adapters, the batching writer and the disk spool.

``open_store(url)`` picks the adapter from a URL (nothing connects until
``await store.open()``):

- ``sqlite:///var/lib/venue-twin/readings.db`` (absolute path after ``sqlite://``),
  ``sqlite:///./data.db`` (relative), ``sqlite://:memory:``
- ``postgresql://user@host:5432/db`` (also ``postgres://``)
- ``memory://`` (the in-memory fake, for tests and demos without persistence)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingest.store.base import (
    Bucket,
    InvalidReadings,
    Store,
    StoreError,
    StoreMisconfigured,
    StoreUnavailable,
    ZoneAggregate,
)
from ingest.store.memory import MemoryStore
from ingest.store.spool import Spool, SpoolError, SpoolFull
from ingest.store.sqlite import SqliteStore
from ingest.store.writer import BatchWriter, WriterClosed

# psycopg takes a few hundred ms to import; a SQLite or in-memory deployment
# (the demo) never needs it, so the PostgreSQL adapter loads on first use.
if TYPE_CHECKING:
    from ingest.store.postgres import PostgresStore

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
    "StoreMisconfigured",
    "StoreUnavailable",
    "UnsupportedStoreURL",
    "WriterClosed",
    "ZoneAggregate",
    "open_store",
    "parse_store_url",
]


def __getattr__(name: str) -> Any:
    if name == "PostgresStore":
        from ingest.store.postgres import PostgresStore

        return PostgresStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class UnsupportedStoreURL(StoreError, ValueError):
    """The store URL names no adapter we have."""


def parse_store_url(url: str) -> tuple[str, str]:
    """``(kind, target)``: kind is sqlite, postgresql or memory."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise UnsupportedStoreURL(f"not a store URL: {url!r}")
    scheme = scheme.lower()
    if scheme == "sqlite":
        if rest in {":memory:", "/:memory:", ""}:
            return "sqlite", ":memory:"
        # sqlite:///abs/path -> /abs/path ; sqlite:///./rel -> ./rel
        return "sqlite", rest[1:] if rest.startswith("/./") else rest
    if scheme in {"postgresql", "postgres"} or scheme.startswith("postgresql+"):
        return "postgresql", "postgresql://" + rest
    if scheme == "memory":
        return "memory", ""
    raise UnsupportedStoreURL(f"unsupported store URL scheme {scheme!r} in {url!r}")


def open_store(url: str) -> Store:
    """Build (not connect) the store a URL names."""
    kind, target = parse_store_url(url)
    if kind == "sqlite":
        return SqliteStore(target)
    if kind == "postgresql":
        from ingest.store.postgres import PostgresStore

        return PostgresStore(target)
    return MemoryStore()
