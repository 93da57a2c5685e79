"""Telling an unreachable database from one that refuses our settings.

libpq reports both as ``OperationalError`` without a SQLSTATE when the
connection itself fails, so the server's FATAL message decides: a server that
answered and refused the role, password or database is a configuration error
(retrying cannot help); a refused, timed-out or unresolvable connection, or a
server that is starting, stopping or full, is an outage.
"""

from __future__ import annotations

import psycopg
import psycopg_pool

from ingest.store.base import StoreError, StoreMisconfigured, StoreUnavailable

__all__ = ["classify"]

# FATAL answers that mean "come back later", not "fix your settings".
_TRANSIENT_FATAL = (
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "the database system is not yet accepting connections",
    "the database system is not accepting connections",
    "sorry, too many clients already",
    "remaining connection slots are reserved",
    "terminating connection due to administrator command",
)
# Refusals libpq reports without a FATAL line.
_REFUSED = ("no password supplied", "password authentication failed", "pg_hba.conf")
# SQLSTATE classes of errors with a code that are outages: connection exception,
# insufficient resources, operator intervention, system error.
_TRANSIENT_CLASSES = ("08", "53", "57", "58")


def classify(exc: BaseException, where: str) -> StoreError:
    """The store error ``exc`` (raised while connecting to ``where``) stands for."""
    text = " ".join(str(exc).split())
    if isinstance(exc, psycopg.ProgrammingError) and getattr(exc, "sqlstate", None) is None:
        # Raised before any server was asked: the URL or its options are malformed.
        return StoreMisconfigured(f"PostgreSQL URL for {where} is invalid: {text}")
    if isinstance(exc, psycopg.Error) and exc.sqlstate is not None:
        if exc.sqlstate[:2] in _TRANSIENT_CLASSES:
            return StoreUnavailable(f"PostgreSQL at {where} unavailable: {text}")
        return StoreMisconfigured(f"PostgreSQL at {where} refused the settings: {text}")
    if isinstance(exc, psycopg.OperationalError):
        lowered = text.lower()
        refused = "fatal:" in lowered or any(m in lowered for m in _REFUSED)
        if refused and not any(m in lowered for m in _TRANSIENT_FATAL):
            return StoreMisconfigured(
                f"PostgreSQL at {where} refused the connection: {text} "
                "(check the user, password and database name in store_url)"
            )
    if isinstance(exc, psycopg.Error | psycopg_pool.PoolTimeout | OSError):
        return StoreUnavailable(f"PostgreSQL at {where} unreachable: {text}")
    return StoreError(f"PostgreSQL at {where}: {text}")
