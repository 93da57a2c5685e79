"""One history reader for `venue-twin conservation report` (every reading) and
`venue-twin report` (bucket means): history stored in a shuffled order, read
back complete and in time order, and both outputs as they were before the two
commands shared it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from ingest.contract import Reading
from ingest.store.sqlite import SqliteStore
from reports.data import Scope, load_report_data
from tests.unit.test_conservation_report import _fill
from twin.history import read_history
from twin.loader import load_sample
from venue_twin.cli import main

V = "museum-wing"
T0 = 1_704_067_200.0  # 2024-01-01 00:00 UTC

# The command's whole output on _fill's history, as it was before the two
# readers were joined: the shared reader must change none of it.
CONSERVATION_OUTPUT = """\
Museum wing (sample), all to now (Europe/London)
climate (g-temp + g-rh): 2000 readings, 100.0 % of the span covered, 0 gaps, typical interval \
13381 s; 0 NaN, 0 duplicates, 0 out of order left out or sorted
  mean of daily means: 19.1 °C, 50.3 %RH
  AA:  90.7 % of 1977 hours
  A1: 100.0 % of 1977 hours
  A2: 100.0 % of 1977 hours
   B: 100.0 % of 1977 hours  <- target
   C: 100.0 % of 1977 hours
   D: 100.0 % of 1977 hours
  TWPI: 45.3 years
light (g-lux): 2000 readings, 100.0 % of the span covered, 0 gaps, typical interval 13381 s; \
0 NaN, 0 duplicates, 0 out of order left out or sorted
  2024: 745,503 lx h
  total: 745,503 lx h
"""


def test_conservation_report_output_is_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "h.sqlite3"
    asyncio.run(_fill(db))
    capsys.readouterr()
    code = main(
        [
            "conservation", "report", "--store", f"sqlite:///{db}", "--venue", "sample:museum-wing",
            "--temp", "g-temp", "--rh", "g-rh", "--lux", "g-lux", "--target", "B",
        ]
    )  # fmt: skip
    assert code == 0
    assert capsys.readouterr().err == CONSERVATION_OUTPUT


async def _shuffled_store(db: Path) -> tuple[np.ndarray, np.ndarray]:
    """gallery-a-temp every 7-13 minutes over three days, written in a shuffled order."""
    rng = np.random.default_rng(11)
    ts = T0 + np.cumsum(rng.uniform(420, 780, 500)).round(3)
    vals = 20 + rng.normal(0, 1, ts.size).round(2)
    store = SqliteStore(db)
    await store.open()
    for part in np.array_split(rng.permutation(ts.size), 9):
        await store.write_readings(
            [Reading(V, "gallery-a-temp", float(ts[i]), float(vals[i])) for i in part]
        )
    await store.close()
    return ts, vals


async def test_raw_history_is_every_reading_in_time_order(tmp_path: Path) -> None:
    ts, vals = await _shuffled_store(tmp_path / "h.sqlite3")
    store = SqliteStore(tmp_path / "h.sqlite3")
    await store.open()
    try:
        h = await read_history(store, V, "gallery-a-temp", T0, T0 + 4 * 86400, page_size=37)
        tail = await read_history(store, V, "gallery-a-temp", float(ts[-3]), T0 + 4 * 86400)
    finally:
        await store.close()
    assert np.array_equal(h.ts, ts) and np.array_equal(h.value, vals)
    assert h.count.tolist() == [1] * ts.size and h.width_s == 0.0
    assert np.array_equal(tail.ts, ts[-3:])  # the start is inclusive


async def test_report_buckets_are_the_means_of_the_readings_in_them(tmp_path: Path) -> None:
    ts, vals = await _shuffled_store(tmp_path / "h.sqlite3")
    store = SqliteStore(tmp_path / "h.sqlite3")
    await store.open()
    try:
        data = await load_report_data(
            store, None, load_sample(V), T0, T0 + 4 * 86400, Scope(zone="gallery-a")
        )
    finally:
        await store.close()
    s = data.series["gallery-a-temp"]
    assert s.width_s == 300.0  # four days: 5-minute buckets
    # An independent computation of the same buckets from the readings.
    starts = np.floor(ts / 300.0) * 300.0
    want_ts, inverse, want_n = np.unique(starts, return_inverse=True, return_counts=True)
    want_mean = np.bincount(inverse, weights=vals) / want_n
    assert np.array_equal(s.ts, want_ts)
    assert np.array_equal(s.count, want_n)
    assert s.value == pytest.approx(want_mean, abs=1e-9)
    assert data.series["gallery-a-rh"].ts.size == 0  # nothing stored: an empty series
