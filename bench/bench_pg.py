"""A throwaway PostgreSQL for benches, durable by default.

The test fixture turns fsync, synchronous_commit and full_page_writes off for
speed; a throughput figure measured that way is not what a site gets. Benches
start the cluster with the settings they name and print them (read back with
``SHOW``) beside their figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from tests.fixtures import postgres as pg_fixture


@contextmanager
def bench_postgres(durable: bool = True) -> Iterator[pg_fixture.PostgresServer]:
    """A started cluster with durability on (or the test fixture's fast settings)."""
    # The fixture takes the choice itself now (its old module constant is gone).
    with pg_fixture.running_postgres(durable=durable) as server:
        yield server


def durability(url: str) -> str:
    """``fsync=on synchronous_commit=on full_page_writes=on`` as the server reports it."""
    with psycopg.connect(url) as conn:
        parts = []
        for name in ("fsync", "synchronous_commit", "full_page_writes"):
            row = conn.execute(f"SHOW {name}").fetchone()
            parts.append(f"{name}={row[0] if row else '?'}")
    return " ".join(parts)
