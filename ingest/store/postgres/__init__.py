"""PostgreSQL / TimescaleDB store adapter."""

from ingest.store.postgres.adapter import PostgresStore, server_address
from ingest.store.postgres.timescale import TimescaleSettings

__all__ = ["PostgresStore", "TimescaleSettings", "server_address"]
