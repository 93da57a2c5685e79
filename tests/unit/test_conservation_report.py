"""`venue-twin conservation report` recomputes from the store: history imported in any
order, paged reads, paired T/RH, light dose per calendar year."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from ingest.contract import Reading
from ingest.store.sqlite import SqliteStore
from twin.analytics.conservation import twpi
from venue_twin.cli import main
from venue_twin.commands_conservation import load_series, paired

V = "museum-wing"
T0 = 1_704_067_200.0  # 2024-01-01 00:00 UTC


async def _fill(db: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    ts = T0 + np.cumsum(rng.uniform(2.5 * 3600, 5 * 3600, 2000))  # ~9 months, irregular
    t = 19 + 3 * np.sin(np.arange(ts.size) / 150)
    rh = 50 + 5 * np.cos(np.arange(ts.size) / 150)
    store = SqliteStore(db)
    await store.open()
    order = rng.permutation(ts.size)  # stored in a shuffled order, in small batches
    for k in range(0, ts.size, 97):
        idx = order[k : k + 97]
        await store.write_readings(
            [Reading(V, "g-temp", float(ts[i]), float(t[i])) for i in idx]
            + [Reading(V, "g-rh", float(ts[i]), float(rh[i])) for i in idx]
            + [Reading(V, "g-lux", float(ts[i]), 100.0) for i in idx]
        )
    got_ts, _ = await load_series(store, V, "g-temp", 0, 4e9)
    await store.close()
    assert got_ts.size == ts.size  # paged reads lose and repeat nothing
    return ts, t, rh


async def test_paging_reads_every_reading(tmp_path: Path) -> None:
    ts, _, _ = await _fill(tmp_path / "h.sqlite3")
    store = SqliteStore(tmp_path / "h.sqlite3")
    await store.open()
    try:
        got, _ = await load_series(store, V, "g-temp", 0, 4e9, page_size=7)  # many pages
    finally:
        await store.close()
    assert np.array_equal(got, np.sort(ts).round(3))


def test_pairing_interpolates_within_the_skew() -> None:
    t_ts = np.array([0.0, 600.0, 1200.0, 9000.0])
    rh_ts = np.array([30.0, 630.0, 1230.0])
    rh_v = np.array([40.0, 50.0, 60.0])
    ts, _t, rh = paired(t_ts, np.ones(4), rh_ts, rh_v, max_skew_s=60.0)
    assert ts.tolist() == [0.0, 600.0, 1200.0]  # 9000 s has no humidity near it
    assert rh.tolist() == pytest.approx([40.0, 49.5, 59.5])


def test_report_from_the_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "h.sqlite3"
    ts, t, rh = asyncio.run(_fill(db))
    code = main(
        [
            "conservation", "report", "--store", f"sqlite:///{db}", "--venue", "sample:museum-wing",
            "--temp", "g-temp", "--rh", "g-rh", "--lux", "g-lux", "--target", "B",
        ]
    )  # fmt: skip
    assert code == 0
    out = capsys.readouterr().err  # the CLI writes its report to stderr (rich console)
    assert f"TWPI: {twpi(ts, t, rh):.1f} years" in out
    assert "0 gaps" in out and "2000 readings" in out
    assert "2024: " in out  # light dose per calendar year
