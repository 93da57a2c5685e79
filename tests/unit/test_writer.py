"""BatchWriter behaviour against the in-memory store fake."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence
from pathlib import Path

import pytest

from ingest.contract import Reading
from ingest.metrics import IngestMetrics
from ingest.store import BatchWriter, MemoryStore, Spool
from ingest.store.errors import InvalidReadings
from ingest.store.spool import encode_readings
from ingest.store.writer import WriterClosed

T0 = 1_700_000_000.0


def readings(n: int, start: int = 0, sensor: str = "t1") -> list[Reading]:
    return [Reading("wing", sensor, T0 + (start + i) / 1000, float(i)) for i in range(n)]


def fast_writer(store: MemoryStore, metrics: IngestMetrics, **kw: object) -> BatchWriter:
    opts: dict[str, object] = {"backoff_initial_s": 0.005, "backoff_max_s": 0.02}
    opts.update(kw)
    return BatchWriter(store, metrics, **opts)  # type: ignore[arg-type]


class RecordingStore(MemoryStore):
    """Memory store that remembers the size of every write call that succeeded."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []

    async def write_readings(self, batch: Sequence[Reading]) -> int:
        new = await super().write_readings(batch)
        self.batches.append(len(batch))
        return new


class PickyStore(MemoryStore):
    """Memory store that refuses, as data, any batch holding a sensor named "poison"."""

    async def write_readings(self, batch: Sequence[Reading]) -> int:
        if any(x.sensor == "poison" for x in batch):
            self.write_calls += 1
            raise InvalidReadings("value refused")
        return await super().write_readings(batch)


class GatedStore(MemoryStore):
    """Memory store whose writes wait until the test opens the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()

    async def write_readings(self, batch: Sequence[Reading]) -> int:
        await self.gate.wait()
        return await super().write_readings(batch)


def sample(metrics: IngestMetrics, name: str) -> float:
    value = metrics.registry.get_sample_value(name)
    return 0.0 if value is None else value


async def test_batches_respect_max_batch_and_everything_is_stored() -> None:
    store, metrics = RecordingStore(), IngestMetrics()
    async with fast_writer(store, metrics, max_batch=5_000, max_delay_s=0.5) as writer:
        for k in range(12):
            await writer.put(readings(1_000, start=k * 1_000))
    assert store.row_count == 12_000
    assert max(store.batches) <= 5_000
    assert sum(store.batches) == 12_000
    assert len(store.batches) >= 3
    assert sample(metrics, "venue_twin_readings_stored_total") == 12_000
    assert sample(metrics, "venue_twin_batch_size_count") == len(store.batches)
    assert sample(metrics, "venue_twin_queue_depth") == 0


async def test_stored_counts_new_rows_and_committed_counts_redeliveries_too() -> None:
    # A redelivered message is committed again but adds no rows: a soak that
    # compared "stored" with what was acknowledged saw more stored than sent.
    store, metrics = MemoryStore(), IngestMetrics()
    async with fast_writer(store, metrics, max_delay_s=0.0) as writer:
        await writer.put(readings(100))
        await writer.put(readings(100))  # the same readings again
        await writer.put(readings(50, start=100))
    assert store.row_count == 150
    assert sample(metrics, "venue_twin_readings_stored_total") == 150
    assert sample(metrics, "venue_twin_readings_committed_total") == 250


async def test_a_small_batch_is_flushed_by_age_without_close() -> None:
    store, metrics = MemoryStore(), IngestMetrics()
    acked = asyncio.Event()
    async with fast_writer(store, metrics, max_batch=5_000, max_delay_s=0.01) as writer:
        await writer.put(readings(3), acked.set)
        await asyncio.wait_for(acked.wait(), 5)
        assert store.row_count == 3


async def test_done_runs_only_after_the_commit() -> None:
    store, metrics = GatedStore(), IngestMetrics()
    acks: list[int] = []
    async with fast_writer(store, metrics, max_delay_s=0.0) as writer:
        await writer.put(readings(10), lambda: acks.append(store.row_count))
        await asyncio.sleep(0.05)
        assert acks == []  # the write is still blocked
        store.gate.set()
    assert acks == [10]  # when done ran, the rows were already in the store


async def test_unavailable_store_is_retried_until_it_works() -> None:
    store, metrics = MemoryStore(), IngestMetrics()
    store.fail_next(3)
    acks = 0

    def ack() -> None:
        nonlocal acks
        acks += 1

    async with fast_writer(store, metrics, max_delay_s=0.0) as writer:
        await writer.put(readings(50), ack)
    assert store.row_count == 50
    assert acks == 1
    assert sample(metrics, "venue_twin_store_errors_total") == 3


async def test_unexpected_errors_never_kill_the_loop() -> None:
    store, metrics = MemoryStore(), IngestMetrics()
    store.fail_next(2, RuntimeError("bug in a driver"))
    async with fast_writer(store, metrics, max_delay_s=0.0) as writer:
        await writer.put(readings(5))
        await writer.put(readings(5, start=100))
    assert store.row_count == 10
    assert sample(metrics, "venue_twin_store_errors_total") == 2


async def test_put_blocks_when_the_queue_is_full_and_resumes_after_recovery() -> None:
    store, metrics = MemoryStore(), IngestMetrics()
    store.available = False
    async with fast_writer(store, metrics, max_pending=100, max_delay_s=0.0) as writer:
        await writer.put(readings(100))
        blocked = asyncio.create_task(writer.put(readings(10, start=500)))
        await asyncio.sleep(0.1)
        assert not blocked.done()  # backpressure: the producer waits
        assert writer.pending == 100
        store.available = True
        await asyncio.wait_for(blocked, 5)
    assert store.row_count == 110


async def test_outage_spools_and_acknowledges_then_drains_back(tmp_path: Path) -> None:
    store, metrics = MemoryStore(), IngestMetrics()
    spool = Spool(tmp_path / "spool")
    store.available = False
    acks = 0

    def ack() -> None:
        nonlocal acks
        acks += 1

    writer = fast_writer(store, metrics, spool=spool, max_delay_s=0.0)
    writer.start()
    for k in range(5):
        await writer.put(readings(200, start=k * 200), ack)
    for _ in range(200):
        if acks == 5:
            break
        await asyncio.sleep(0.01)
    assert acks == 5  # acknowledged while the store was down: durably spooled
    assert store.row_count == 0
    assert spool.readings == 1_000
    assert sample(metrics, "venue_twin_spool_depth") == 1_000
    store.available = True
    await writer.put(readings(10, start=5_000), ack)
    await writer.close()
    assert store.row_count == 1_010
    assert spool.readings == 0
    assert list((tmp_path / "spool").iterdir()) == []
    assert sample(metrics, "venue_twin_spool_depth") == 0


async def test_full_spool_stops_acknowledging(tmp_path: Path) -> None:
    store, metrics = MemoryStore(), IngestMetrics()
    one_batch = len(encode_readings(readings(50))) + 16  # payload + record header
    spool = Spool(tmp_path / "spool", max_bytes=one_batch + 100)
    store.available = False
    acked: list[int] = []
    writer = fast_writer(store, metrics, spool=spool, max_pending=100, max_delay_s=0.0)
    writer.start()
    await writer.put(readings(50), lambda: acked.append(0))
    for _ in range(200):
        if acked:
            break
        await asyncio.sleep(0.01)
    assert acked == [0]  # the first batch fits in the spool
    await writer.put(readings(50, start=100), lambda: acked.append(1))
    await writer.put(readings(50, start=200), lambda: acked.append(2))
    late = asyncio.create_task(writer.put(readings(50, start=300), lambda: acked.append(3)))
    await asyncio.sleep(0.1)
    assert acked == [0]  # spool full: nothing more is acknowledged...
    assert not late.done()  # ...and with the queue full the producer is held
    store.available = True
    await asyncio.wait_for(late, 5)
    await writer.close()
    assert sorted(acked) == [0, 1, 2, 3]
    assert store.row_count == 200


async def test_leftover_spool_is_drained_at_start(tmp_path: Path) -> None:
    Spool(tmp_path / "spool").append(readings(30))
    store, metrics = MemoryStore(), IngestMetrics()
    spool = Spool(tmp_path / "spool")
    assert spool.readings == 30
    writer = fast_writer(store, metrics, spool=spool)
    writer.start()
    await writer.close()
    assert store.row_count == 30
    assert spool.readings == 0


async def test_close_flushes_and_rejects_further_puts() -> None:
    store, metrics = MemoryStore(), IngestMetrics()
    writer = fast_writer(store, metrics, max_batch=10_000, max_delay_s=10.0)
    writer.start()
    await writer.put(readings(7))
    await writer.close()  # does not wait out max_delay_s
    assert store.row_count == 7
    with pytest.raises(WriterClosed):
        await writer.put(readings(1))


async def test_close_with_grace_gives_up_on_a_dead_store() -> None:
    store, metrics = MemoryStore(), IngestMetrics()
    store.available = False
    acks: list[int] = []
    writer = fast_writer(store, metrics, max_delay_s=0.0)
    writer.start()
    await writer.put(readings(5), lambda: acks.append(1))
    await asyncio.wait_for(writer.close(grace_s=0.1), 5)
    assert acks == []  # never acknowledged, so the broker will redeliver


async def test_close_flushes_even_if_the_loop_was_never_started() -> None:
    store, metrics = MemoryStore(), IngestMetrics()
    writer = fast_writer(store, metrics)
    acks: list[int] = []
    await writer.put(readings(4), lambda: acks.append(1))
    await writer.close()
    assert store.row_count == 4
    assert acks == [1]


async def test_an_externally_run_loop_is_stopped_by_close() -> None:
    store, metrics = MemoryStore(), IngestMetrics()
    writer = fast_writer(store, metrics, max_delay_s=5.0)
    task = asyncio.create_task(writer.run(), name="store-writer")
    await asyncio.sleep(0)  # let the loop start waiting
    await writer.put(readings(6))
    await asyncio.wait_for(writer.close(), 5)
    assert task.done()
    assert store.row_count == 6


async def test_readings_the_store_refuses_are_isolated_and_dropped_alone() -> None:
    store, metrics = PickyStore(), IngestMetrics()
    batch = readings(1_000)
    batch[137] = Reading("wing", "poison", T0, 1.0)
    batch[901] = Reading("wing", "poison", T0 + 1, 2.0)
    acks: list[int] = []
    async with fast_writer(store, metrics, max_delay_s=0.0) as writer:
        await writer.put(batch, lambda: acks.append(1))
        await writer.put(readings(10, start=5_000), lambda: acks.append(2))
    assert store.row_count == 998 + 10  # everything but the two refused readings
    assert acks == [1, 2]  # the flow did not stall behind them
    assert (
        metrics.registry.get_sample_value("venue_twin_rejected_total", {"reason": "store_refused"})
        == 2
    )


async def test_acknowledgements_follow_put_order_across_outage_and_spool(tmp_path: Path) -> None:
    store, metrics = MemoryStore(), IngestMetrics()
    order: list[int] = []
    spool = Spool(tmp_path)
    async with fast_writer(store, metrics, spool=spool, max_batch=250, max_delay_s=0.0) as writer:
        for k in range(60):
            if k == 15:
                store.available = False  # these go to the spool...
            if k == 35:
                store.available = True  # ...and these to the store while it drains
            await writer.put(readings(50, start=k * 50), functools.partial(order.append, k))
            await asyncio.sleep(0.001)
    assert order == list(range(60))
    assert sample(metrics, "venue_twin_store_errors_total") > 0  # the outage was hit
    assert store.row_count == 3_000
    assert spool.readings == 0
