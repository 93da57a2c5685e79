"""PostgreSQL / TimescaleDB store adapter."""

from ingest.store.postgres.adapter import PostgresStore
from ingest.store.postgres.timescale import TimescaleSettings

__all__ = ["PostgresStore", "TimescaleSettings"]
