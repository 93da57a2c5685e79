"""Live analytics run in batches off the event loop, bounded, in order, and equal to inline.

A crowd step on a large venue takes a substantial fraction of a second; run
inside the ingest listener it froze acknowledgements, the twin and every
WebSocket client for that long (issue 18: p99 of 10 s at 5,040 sensors).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence

import numpy as np
import pytest

from ingest.contract import Reading
from ingest.decode import DecodeResult
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import AlarmManager
from twin.analytics.crowd.occupancy import OccupancyEstimator
from twin.live_analytics import AnalyticsService
from twin.live_analytics.batcher import AnalysisBatcher
from twin.loader import load_sample
from twin.samples.large_venue import large_venue


def _readings(n: int, t0: float = 1_700_000_000.0) -> list[Reading]:
    return [Reading("v", f"s{i % 7}", t0 + i, float(i)) for i in range(n)]


async def test_a_slow_analysis_does_not_stall_the_event_loop() -> None:
    seen: list[Reading] = []

    def analyse(batch: Sequence[Reading]) -> int:
        time.sleep(0.5)  # a heavy crowd step (numpy releases the GIL likewise)
        seen.extend(batch)
        return len(batch)

    acted: list[int] = []
    batcher = AnalysisBatcher(analyse, acted.append, batch_s=0.01)
    batcher.add(_readings(10))
    # The loop keeps its 10 ms beat while the analysis runs.
    worst = 0.0
    for _ in range(40):
        t = time.perf_counter()
        await asyncio.sleep(0.01)
        worst = max(worst, time.perf_counter() - t)
    await batcher.flush()
    batcher.close()
    assert worst < 0.2
    assert acted == [10]
    assert seen == _readings(10)


async def test_batches_keep_arrival_order_and_memory_stays_bounded() -> None:
    seen: list[Reading] = []

    def analyse(batch: Sequence[Reading]) -> None:
        time.sleep(0.05)
        seen.extend(batch)

    batcher = AnalysisBatcher(analyse, lambda _r: None, batch_s=0.001, max_pending=100)
    sent = _readings(1000)
    for i in range(0, 1000, 10):
        batcher.add(sent[i : i + 10])
        assert batcher.waiting <= 100
        await asyncio.sleep(0.001)
    await batcher.flush()
    batcher.close()
    # Whatever was shed is counted; what was analysed came in order, once.
    assert len(seen) + batcher.shed == len(sent)
    assert seen == sorted(seen, key=lambda r: r.ts)
    assert len({r.ts for r in seen}) == len(seen)


async def test_a_batch_cancelled_at_shutdown_is_analysed_by_the_flush() -> None:
    # Shutdown shut the analysis thread while a batch waited behind a watchdog
    # tick: the batch was cancelled, its readings lost to the last crowd step
    # and "Exception in callback ... CancelledError" logged.
    seen: list[Reading] = []
    gate = threading.Event()
    batcher: AnalysisBatcher[list[Reading]] = AnalysisBatcher(
        lambda items: [x for x in items if isinstance(x, Reading)], seen.extend, batch_s=0.0
    )
    blocker = asyncio.ensure_future(batcher.call(gate.wait))  # the tick in progress
    await asyncio.sleep(0.05)
    batch = _readings(5)
    batcher.add(batch)
    await asyncio.sleep(0.05)  # queued behind the tick
    batcher.close()
    gate.set()
    await blocker
    await batcher.flush()
    batcher.close()
    assert seen == batch


async def test_the_service_on_a_loop_gives_the_same_results_as_inline() -> None:
    venue = load_sample("museum-wing")
    t0 = 1_732_525_200.0
    rng = np.random.default_rng(3)
    # The people tracker too: every 10 s breaks its declared 2 s frames, and
    # whether it is judged offline at a step depends on where the step falls,
    # which is the readings' time, not the batching.
    readings = [
        Reading(venue.id, s.id, t0 + k * 10.0, 20.0 + float(rng.normal()))
        for k in range(60)
        for s in venue.sensors
    ]
    inline = AnalyticsService([venue], AlarmManager(MemoryAlarmStore()))
    inline_updates = [
        u for i in range(0, len(readings), 50) for u in inline.process(readings[i : i + 50])
    ]
    batched = AnalyticsService([venue], AlarmManager(MemoryAlarmStore()), batch_s=0.001)
    got = []
    batched.add_listener(lambda _v, u: got.append(u))
    for i in range(0, len(readings), 50):
        batched.on_decoded(DecodeResult(readings=readings[i : i + 50]))
        await asyncio.sleep(0)
    await batched.drain()
    # Batching regroups the same readings: the anomalies found and the crowd
    # state must not depend on it. Crowd steps fall on the readings' time (a
    # step per crowd_step_s of device time), so the batched path, which here
    # analysed all 590 s at once, takes the inline path's steps, to the bit.
    assert [a for u in got for a in u.anomalies] == [a for u in inline_updates for a in u.anomalies]
    last_crowd = [u.crowd for u in got if u.crowd][-1]
    last_inline = [u.crowd for u in inline_updates if u.crowd][-1]
    assert [(c.zone, c.ts) for c in last_crowd] == [(c.zone, c.ts) for c in last_inline]
    assert [c.occupancy for c in last_crowd] == pytest.approx(
        [c.occupancy for c in last_inline], rel=1e-9, abs=1e-9
    )
    assert [c.occupancy_sd for c in last_crowd] == pytest.approx(
        [c.occupancy_sd for c in last_inline], rel=1e-9, abs=1e-9
    )
    ends = [inline.finish(), batched.finish()]  # the partial last step too
    assert [c.occupancy for c in ends[1][0].crowd] == pytest.approx(
        [c.occupancy for c in ends[0][0].crowd], rel=1e-9, abs=1e-9
    )
    assert [c.occupancy_sd for c in ends[1][0].crowd] == pytest.approx(
        [c.occupancy_sd for c in ends[0][0].crowd], rel=1e-9, abs=1e-9
    )


def test_zone_counts_fused_at_once_equal_one_by_one() -> None:
    v = large_venue(30, 10)
    rng = np.random.default_rng(1)

    def estimator() -> OccupancyEstimator:
        e = OccupancyEstimator([z.id for z in v.zones], v.gates)
        a = np.random.default_rng(2).normal(size=e.P.shape) * 0.1
        e.P = e.P + a @ a.T
        e.x = np.random.default_rng(4).normal(size=e.x.shape)
        return e

    counts = {z.id: (float(rng.integers(0, 40)), 1.5) for z in v.zones[:20]}
    one, many = estimator(), estimator()
    for zone, (c, sd) in counts.items():
        one.observe(zone, c, sd)
    many.observe_many(counts)
    np.testing.assert_allclose(many.x, one.x, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(many.P, one.P, rtol=1e-9, atol=1e-9)
