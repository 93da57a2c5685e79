"""BatchWriter against a real PostgreSQL that goes away for several seconds mid-stream."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path

import psycopg
import pytest

from ingest.contract import Reading
from ingest.metrics import IngestMetrics
from ingest.store import BatchWriter, PostgresStore, Spool
from tests.fixtures.postgres import PostgresServer

T0 = 1_700_000_000.0
SENSORS = 50


async def _stream(writer: BatchWriter, batches: int, acks: list[int], pause_s: float) -> None:
    for k in range(batches):
        chunk = [
            Reading("wing", f"s{i % SENSORS:03d}", T0 + k + (i // SENSORS) / 10, float(k))
            for i in range(200)
        ]
        await writer.put(chunk, functools.partial(acks.append, k))
        await asyncio.sleep(pause_s)


def _count(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM readings").fetchone()
        assert row is not None
        return int(row[0])


async def _outage(
    server: PostgresServer, after_s: float, down_s: float, acks: list[int]
) -> tuple[int, int]:
    """Stop the server for ``down_s``; returns the ack counts when it went down and came back."""
    await asyncio.sleep(after_s)
    await asyncio.to_thread(server.stop)
    acked_at_stop = len(acks)
    await asyncio.sleep(down_s)
    acked_at_start = len(acks)
    await asyncio.to_thread(server.start)
    return acked_at_stop, acked_at_start


@pytest.mark.parametrize("with_spool", [True, False], ids=["spool", "backpressure"])
async def test_nothing_acknowledged_is_lost_across_an_outage(
    postgres_server: PostgresServer, pg_url: str, tmp_path: Path, with_spool: bool
) -> None:
    store = PostgresStore(pg_url, connect_timeout_s=1.0)
    await store.open()
    metrics = IngestMetrics()
    spool = Spool(tmp_path / "spool") if with_spool else None
    writer = BatchWriter(
        store,
        metrics,
        spool=spool,
        max_pending=5_000,
        max_batch=1_000,
        backoff_initial_s=0.05,
        backoff_max_s=0.5,
    )
    acks: list[int] = []
    writer.start()
    try:
        _, (acked_at_stop, acked_at_start) = await asyncio.gather(
            _stream(writer, batches=120, acks=acks, pause_s=0.03),
            _outage(postgres_server, after_s=0.8, down_s=3.0, acks=acks),
        )
        await asyncio.wait_for(writer.close(), 60)
    finally:
        postgres_server.start()
        await store.close()
    assert sorted(acks) == list(range(120))
    assert _count(pg_url) == 120 * 200
    assert metrics.store_errors._value.get() > 0  # the outage was really seen
    assert metrics.queue_depth._value.get() == 0
    if spool is not None:
        # While the server was down, batches kept being acknowledged from the spool.
        assert acked_at_start - acked_at_stop >= 20
        assert spool.readings == 0
        assert metrics.spool_depth._value.get() == 0
