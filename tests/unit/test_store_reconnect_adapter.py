"""The PostgreSQL store opened while nothing listens: state, errors and metrics, no server.

A loopback port nobody listens on refuses at once, which is exactly what a
stopped PostgreSQL looks like to the store.
"""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from ingest.contract import Reading
from ingest.metrics import IngestMetrics
from ingest.store.base import StoreMisconfigured, StoreUnavailable
from ingest.store.postgres import PostgresStore, server_address


def _refused_url() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # The socket is closed again: connecting to the port is refused.
    return f"postgresql://venue:secret@127.0.0.1:{port}/twin"


async def test_open_in_the_background_succeeds_and_calls_fail_fast_until_connected() -> None:
    url = _refused_url()
    store = PostgresStore(url, connect_timeout_s=1.0, reconnect_initial_s=0.05)
    metrics = IngestMetrics()
    metrics.watch_store(lambda: store.connected)
    await store.open(background=True)
    try:
        assert store.connected is False
        assert metrics.registry.get_sample_value("venue_twin_store_connected") == 0.0
        assert metrics.snapshot()["store_connected"] == 0.0
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match=r"127\.0\.0\.1:\d+"):
            await store.write_readings([Reading("wing", "t1", 1.0, 2.0)])
        with pytest.raises(StoreUnavailable):
            await store.latest("wing")
        assert time.monotonic() - started < 1.0, "a refused connection fails at once"
        assert await store.wait_connected(timeout=0.3) is False
    finally:
        await store.close()
    tasks = [t for t in asyncio.all_tasks() if t.get_name() == "venue-twin-store-reconnect"]
    assert not tasks, "close() ends the reconnect loop"


async def test_open_without_background_raises_unavailable_and_leaves_no_loop() -> None:
    store = PostgresStore(_refused_url(), connect_timeout_s=1.0)
    with pytest.raises(StoreUnavailable, match="unreachable"):
        await store.open()
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "venue-twin-store-reconnect"]
    with pytest.raises(StoreUnavailable, match="not open"):
        await store.write_readings([Reading("wing", "t1", 1.0, 2.0)])


async def test_a_malformed_url_is_reported_even_in_the_background() -> None:
    store = PostgresStore("postgresql://venue@[::1/twin")
    with pytest.raises(StoreMisconfigured, match="invalid"):
        await store.open(background=True)
    await store.close()


def test_messages_name_the_server_and_never_the_password() -> None:
    assert server_address("postgresql://venue:secret@db.internal:6432/twin") == "db.internal:6432"
    assert server_address("postgresql://venue@db.internal/twin") == "db.internal:5432"
    assert "secret" not in server_address("postgresql://venue:secret@[::1/twin")
