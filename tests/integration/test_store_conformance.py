"""One behaviour suite for every Store adapter: SQLite file, real PostgreSQL, memory fake."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from ingest.contract import DeadLetter, Quality, Reading
from ingest.store import MemoryStore, PostgresStore, SqliteStore, Store, StoreUnavailable
from tests.fixtures.postgres import PostgresServer

T0 = 1_700_000_000.0  # a fixed, minute-aligned epoch second


@dataclass
class Harness:
    store: Store
    outage: Callable[[], None] | None = None
    recover: Callable[[], None] | None = None


async def _harness(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    kind = request.param
    if kind == "memory":
        mem = MemoryStore()

        def down() -> None:
            mem.available = False

        def up() -> None:
            mem.available = True

        h = Harness(mem, down, up)
    elif kind == "sqlite":
        h = Harness(SqliteStore(tmp_path / "store.db"))
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url: str = request.getfixturevalue("pg_url")
        h = Harness(PostgresStore(url, connect_timeout_s=2.0), server.stop, server.start)
    await h.store.open()
    try:
        yield h
    finally:
        if h.recover is not None:
            h.recover()
        await h.store.close()


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def harness(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    async for h in _harness(request, tmp_path):
        yield h


# An embedded SQLite file has no server to lose: outages are for the others.
@pytest.fixture(params=["memory", "postgres"])
async def server_harness(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    async for h in _harness(request, tmp_path):
        yield h


def r(
    sensor: str, ts: float, value: float, venue: str = "wing", quality: Quality = Quality.GOOD
) -> Reading:
    return Reading(venue, sensor, ts, value, quality)


async def test_duplicates_are_ignored_and_not_counted(harness: Harness) -> None:
    store = harness.store
    batch = [r("t1", T0 + i, float(i)) for i in range(10)]
    assert await store.write_readings(batch) == 10
    assert await store.write_readings(batch) == 0
    # A duplicate inside one batch and a re-sent value for an existing key: first write wins.
    assert (
        await store.write_readings(
            [r("t1", T0 + 20, 1.0), r("t1", T0 + 20, 2.0), r("t1", T0, 99.0)]
        )
        == 1
    )
    rows = await store.raw("wing", "t1", T0, T0 + 100)
    assert [x.ts for x in rows] == [T0 + i for i in range(10)] + [T0 + 20]
    assert rows[0].value == 0.0
    assert rows[-1].value == 1.0


async def test_millisecond_resolution_defines_a_duplicate(harness: Harness) -> None:
    store = harness.store
    assert (
        await store.write_readings(
            [r("t1", T0 + 0.0011, 1.0), r("t1", T0 + 0.0014, 2.0), r("t1", T0 + 0.002, 3.0)]
        )
        == 2
    )
    rows = await store.raw("wing", "t1", T0, T0 + 1)
    assert [(x.ts, x.value) for x in rows] == [(T0 + 0.001, 1.0), (T0 + 0.002, 3.0)]


async def test_out_of_order_readings_are_stored_in_time_order(harness: Harness) -> None:
    store = harness.store
    await store.write_readings([r("t1", T0 + 50, 5.0)])
    await store.write_readings([r("t1", T0 + 10, 1.0), r("t1", T0 + 30, 3.0)])
    await store.write_readings([r("t1", T0 + 20, 2.0)])
    rows = await store.raw("wing", "t1", T0, T0 + 60)
    assert [x.value for x in rows] == [1.0, 2.0, 3.0, 5.0]
    latest = await store.latest("wing")
    assert [(x.sensor, x.ts, x.value) for x in latest] == [("t1", T0 + 50, 5.0)]


async def test_latest_is_newest_per_sensor_of_one_venue(harness: Harness) -> None:
    store = harness.store
    await store.write_readings(
        [
            r("a", T0, 1.0),
            r("a", T0 + 2, 2.0, quality=Quality.UNCERTAIN),
            r("b", T0 + 1, 7.5),
            r("a", T0 + 5, 42.0, venue="other"),
        ]
    )
    await store.write_readings([r("a", T0 + 1, -1.0), r("c", T0, 0.0, quality=Quality.BAD)])
    latest = await store.latest("wing")
    assert latest == [
        Reading("wing", "a", T0 + 2, 2.0, Quality.UNCERTAIN),
        Reading("wing", "b", T0 + 1, 7.5, Quality.GOOD),
        Reading("wing", "c", T0, 0.0, Quality.BAD),
    ]
    assert await store.latest("nowhere") == []


async def test_raw_range_is_start_inclusive_end_exclusive_and_limited(harness: Harness) -> None:
    store = harness.store
    await store.write_readings([r("t1", T0 + i * 0.5, float(i)) for i in range(20)])
    await store.write_readings([r("t2", T0 + 1, 100.0)])
    rows = await store.raw("wing", "t1", T0 + 1.0, T0 + 3.0)
    assert [x.ts for x in rows] == [T0 + 1.0, T0 + 1.5, T0 + 2.0, T0 + 2.5]
    assert all(x.sensor == "t1" and x.venue == "wing" for x in rows)
    limited = await store.raw("wing", "t1", T0, T0 + 100, limit=3)
    assert [x.value for x in limited] == [0.0, 1.0, 2.0]
    assert await store.raw("wing", "t1", T0 + 50, T0 + 60) == []


def _numpy_buckets(
    ts_ms: np.ndarray, values: np.ndarray, w_ms: int
) -> list[tuple[float, float, float, float, int]]:
    """(start s, min, max, mean, count) per epoch-aligned bucket."""
    keys = np.floor_divide(ts_ms, w_ms) * w_ms
    out = []
    for key in np.unique(keys):
        sel = values[keys == key]
        out.append(
            (float(key) / 1000, float(sel.min()), float(sel.max()), float(sel.mean()), len(sel))
        )
    return out


@pytest.mark.parametrize("width_s", [60.0, 7.5, 3600.0])
async def test_downsampling_matches_numpy(harness: Harness, width_s: float) -> None:
    store = harness.store
    rng = np.random.default_rng(7)
    # Irregular times over ~2 hours, starting 13 s before a minute boundary.
    ts_ms = np.unique(rng.integers(0, 7_200_000, 3_000)) + int(T0 * 1000) - 13_000
    values = rng.normal(20.0, 3.0, len(ts_ms))
    await store.write_readings(
        [r("t1", int(t) / 1000, float(v)) for t, v in zip(ts_ms, values, strict=True)]
    )
    await store.write_readings([r("t2", T0 + 1, 1e6)])  # another sensor must not leak in
    start, end = T0 - 10.0, T0 + 5_000.0
    sel = (ts_ms >= start * 1000) & (ts_ms < end * 1000)
    expected = _numpy_buckets(ts_ms[sel], values[sel], round(width_s * 1000))
    buckets = await store.downsampled("wing", "t1", start, end, width_s)
    assert len(buckets) == len(expected)
    for got, (b_start, lo, hi, mean, count) in zip(buckets, expected, strict=True):
        assert got.start == pytest.approx(b_start, abs=1e-9)
        assert got.start % width_s == pytest.approx(0.0, abs=1e-6)  # epoch-aligned
        assert (got.min, got.max, got.count) == (lo, hi, count)
        assert got.mean == pytest.approx(mean, rel=1e-12)


async def test_zone_aggregates_pool_the_zone_sensors_per_bucket(harness: Harness) -> None:
    store = harness.store
    rng = np.random.default_rng(3)
    sensors = {"s1": 20.0, "s2": 22.0, "s3": 30.0, "s4": 50.0}
    data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, level in sensors.items():
        ts_ms = np.arange(0, 600_000, 10_000) + int(T0 * 1000)
        values = level + rng.normal(0, 1, len(ts_ms))
        data[name] = (ts_ms, values)
        await store.write_readings(
            [r(name, int(t) / 1000, float(v)) for t, v in zip(ts_ms, values, strict=True)]
        )
    zones = {"gallery": ["s1", "s2"], "hall": ["s3"], "empty": ["nope"]}
    got = await store.zone_aggregates("wing", zones, T0, T0 + 300, 120.0)
    expected = []
    for zone in sorted(zones):
        members = [data[s] for s in zones[zone] if s in data]
        if not members:
            continue
        ts_ms = np.concatenate([m[0] for m in members])
        values = np.concatenate([m[1] for m in members])
        sel = ts_ms < (T0 + 300) * 1000
        for b, lo, hi, mean, n in _numpy_buckets(ts_ms[sel], values[sel], 120_000):
            expected.append((zone, b, mean, lo, hi, n))
    assert [(a.zone, a.start, a.count) for a in got] == [(e[0], e[1], e[5]) for e in expected]
    for a, e in zip(got, expected, strict=True):
        assert (a.min, a.max) == (e[3], e[4])
        assert a.mean == pytest.approx(e[2], rel=1e-12)


async def test_a_sensor_a_zone_lists_twice_counts_once(harness: Harness) -> None:
    store = harness.store
    await store.write_readings([r("s1", T0 + i, 10.0) for i in range(3)] + [r("s2", T0, 40.0)])
    zones = {"gallery": ["s1", "s2", "s1"], "hall": ["s2", "s2"]}
    got = await store.zone_aggregates("wing", zones, T0, T0 + 60, 60.0)
    assert [(a.zone, a.count, a.mean) for a in got] == [("gallery", 4, 17.5), ("hall", 1, 40.0)]


async def _write_random_venue(
    store: Store, seed: int
) -> tuple[list[str], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Six sensors on a shared 1 s grid with gaps plus irregular extra times;
    another venue with the same sensor names must never leak in."""
    rng = np.random.default_rng(seed)
    sensors = ["co2", "gate-1", "t1", "t10", "t2", "Zed"]
    data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name in sensors:
        grid = np.arange(0, 600_000, 1_000)[rng.random(600) < 0.7]
        extra = rng.integers(0, 600_000, 50)
        ts_ms = np.unique(np.concatenate([grid, extra])) + int(T0 * 1000)
        values = rng.normal(20.0, 3.0, len(ts_ms))
        data[name] = (ts_ms, values)
        await store.write_readings(
            [r(name, int(t) / 1000, float(v)) for t, v in zip(ts_ms, values, strict=True)]
        )
    await store.write_readings([r(s, T0 + 1, 1e6, venue="other") for s in sensors])
    return sensors, data


def _reference_rows(
    data: dict[str, tuple[np.ndarray, np.ndarray]], start: float, end: float
) -> list[tuple[float, str, float]]:
    """(ts, sensor, value) of every sensor in [start, end), by (ts, sensor) in code points."""
    rows = [
        (int(t) / 1000, name, float(v))
        for name, (ts_ms, values) in data.items()
        for t, v in zip(ts_ms, values, strict=True)
        if start * 1000 <= t < end * 1000
    ]
    return sorted(rows)


async def test_range_all_is_every_sensor_by_time_then_sensor(harness: Harness) -> None:
    store = harness.store
    _, data = await _write_random_venue(store, seed=11)
    start, end = T0 + 100.5, T0 + 160.0
    expected = _reference_rows(data, start, end)
    got = await store.range_all("wing", start, end, limit=100_000)
    assert [(x.ts, x.sensor, x.value) for x in got] == expected
    assert all(x.venue == "wing" for x in got)
    assert (await store.range_all("wing", start, end, limit=25)) == got[:25]
    # start is inclusive and end exclusive at timestamps several sensors share.
    one_second = [
        (x.ts, x.sensor, x.value) for x in await store.range_all("wing", T0 + 100, T0 + 101)
    ]
    assert one_second == _reference_rows(data, T0 + 100, T0 + 101)
    assert sum(ts == T0 + 100 for ts, _, _ in one_second) >= 2
    assert any(T0 * 1000 + 101_000 in ts_ms for ts_ms, _ in data.values())
    assert await store.range_all("wing", T0 + 700, T0 + 800) == []
    assert await store.range_all("nowhere", T0, T0 + 800) == []


@pytest.mark.parametrize("limit", [1, 4, 6, 7, 500])
async def test_range_all_pages_through_equal_timestamps_without_loss(
    harness: Harness, limit: int
) -> None:
    store = harness.store
    sensors, data = await _write_random_venue(store, seed=5)
    # Ten seconds where every sensor reports at the same instant: more
    # readings per timestamp than some page sizes.
    await store.write_readings(
        [r(name, T0 + 700 + k, float(k)) for k in range(10) for name in sensors]
    )
    start, end = T0 + 590.0, T0 + 705.0
    expected = _reference_rows(data, start, end) + sorted(
        (T0 + 700 + k, name, float(k)) for k in range(5) for name in sensors
    )
    pages: list[list[Reading]] = []
    lo, after = start, None
    for _ in range(len(expected) + 2):  # bounded: a stuck cursor fails, never hangs
        page = await store.range_all("wing", lo, end, limit, after_sensor=after)
        assert len(page) <= limit
        if page:
            pages.append(page)
        if len(page) < limit:
            break
        lo, after = page[-1].ts, page[-1].sensor
    else:
        pytest.fail("paging never reached the end of the range")
    got = [(x.ts, x.sensor, x.value) for page in pages for x in page]
    assert got == expected
    assert len(pages) == max(1, math.ceil(len(expected) / limit))


async def test_latest_before_is_each_sensors_newest_strictly_before_t(harness: Harness) -> None:
    store = harness.store
    sensors, data = await _write_random_venue(store, seed=23)
    await store.write_readings([r("late", T0 + 300, 5.0, quality=Quality.UNCERTAIN)])
    for t in (T0 - 1, T0, T0 + 0.5, T0 + 100, T0 + 299.999, T0 + 300, T0 + 300.001, T0 + 5_000):
        expected = []
        for name in sorted([*sensors, "late"]):
            ts_ms, values = data.get(name, (np.array([int((T0 + 300) * 1000)]), np.array([5.0])))
            i = int(np.searchsorted(ts_ms, round(t * 1000), side="left")) - 1
            if i >= 0:
                expected.append((name, int(ts_ms[i]) / 1000, float(values[i])))
        got = await store.latest_before("wing", t)
        assert [(x.sensor, x.ts, x.value) for x in got] == expected, t
        assert all(x.venue == "wing" for x in got)
    late = [x for x in await store.latest_before("wing", T0 + 301) if x.sensor == "late"]
    assert late == [Reading("wing", "late", T0 + 300, 5.0, Quality.UNCERTAIN)]
    assert await store.latest_before("nowhere", T0 + 5_000) == []


async def test_dead_letters_round_trip_newest_first(harness: Harness) -> None:
    store = harness.store
    letters = [
        DeadLetter(
            "bad_json", "Expecting value", "venues/wing/sensors/t1", b"{not json\x00\xff", T0 + 1.25
        ),
        DeadLetter("unknown_sensor", "zz", "venues/wing/sensors/zz", b"{}", T0 + 3.5),
        DeadLetter("nan", "value is NaN", "venues/wing/batch", b"", T0 + 2.0),
    ]
    await store.write_dead_letters(letters)
    got = await store.dead_letters()
    assert [d.reason for d in got] == ["unknown_sensor", "nan", "bad_json"]
    assert got[2].payload == b"{not json\x00\xff"
    assert got[2].topic == "venues/wing/sensors/t1"
    assert got[2].detail == "Expecting value"
    assert math.isclose(got[2].received_at, T0 + 1.25, abs_tol=1e-6)
    assert [d.reason for d in await store.dead_letters(limit=1)] == ["unknown_sensor"]


async def test_outage_raises_unavailable_then_recovers(server_harness: Harness) -> None:
    harness = server_harness
    assert harness.outage is not None and harness.recover is not None
    store = harness.store
    assert await store.write_readings([r("t1", T0, 1.0)]) == 1
    harness.outage()
    with pytest.raises(StoreUnavailable):
        await store.write_readings([r("t1", T0 + 1, 2.0)])
    with pytest.raises(StoreUnavailable):
        await store.latest("wing")
    harness.recover()
    assert await store.write_readings([r("t1", T0 + 1, 2.0)]) == 1
    assert [x.value for x in await store.raw("wing", "t1", T0, T0 + 10)] == [1.0, 2.0]


async def test_names_order_by_code_point_on_every_store(harness: Harness) -> None:
    store = harness.store
    names = ["é-case", "Zeta", "alpha", "Alpha"]
    await store.write_readings([r(name, T0, 1.0) for name in names])
    assert [x.sensor for x in await store.latest("wing")] == sorted(names)
    assert [x.sensor for x in await store.latest_before("wing", T0 + 1)] == sorted(names)
    assert [x.sensor for x in await store.range_all("wing", T0, T0 + 1)] == sorted(names)
    page = await store.range_all("wing", T0, T0 + 1, after_sensor=sorted(names)[1])
    assert [x.sensor for x in page] == sorted(names)[2:]
    zones = {name: [name] for name in names}
    got = await store.zone_aggregates("wing", zones, T0, T0 + 1, 1.0)
    assert [a.zone for a in got] == sorted(names)
