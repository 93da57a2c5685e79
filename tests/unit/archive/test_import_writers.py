"""Sensors written side by side by the archive import: never more at once than
asked, one sensor's batches in order and never overlapping, every row counted,
and a store error reaching the caller as itself with no write after it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from ingest.archive import ImportOptions, ReadOptions, import_archive
from ingest.store.base import StoreUnavailable
from ingest.store.memory import MemoryStore
from ingest.store.sqlite import SqliteStore


class _Recording(MemoryStore):
    """The in-memory store with a columnar path that records how calls overlap."""

    def __init__(self, fail_on: str | None = None) -> None:
        super().__init__()
        self.in_flight: set[str] = set()
        self.most_at_once = 0
        self.calls: list[tuple[str, int]] = []
        self.fail_on = fail_on

    async def write_columns(
        self,
        venue: str,
        sensor: str,
        ts_ms: npt.NDArray[np.int64],
        values: npt.NDArray[np.float64],
    ) -> int:
        assert sensor not in self.in_flight, "one sensor's batches overlapped"
        self.in_flight.add(sensor)
        self.most_at_once = max(self.most_at_once, len(self.in_flight))
        try:
            await asyncio.sleep(0.002)  # a store's round trip: lets others start
            if sensor == self.fail_on:
                raise StoreUnavailable("server went away")
            self.calls.append((sensor, int(ts_ms[0])))
            return int(ts_ms.size)
        finally:
            self.in_flight.discard(sensor)


def _export(path: Path, channels: int, rows: int) -> None:
    head = ",".join(f"Ch{c} (°C)" for c in range(channels))
    lines = [f"Date/Time,{head}"]
    for i in range(rows):
        cells = ",".join(f"{20 + c + (i % 7) * 0.1:.1f}" for c in range(channels))
        lines.append(f"2024-03-{1 + i // 96:02d} {(i % 96) // 4:02d}:{(i % 4) * 15:02d},{cells}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("writers", [1, 2, 3])
async def test_sensors_written_side_by_side_within_the_limit(tmp_path: Path, writers: int) -> None:
    _export(tmp_path / "e.csv", channels=4, rows=960)
    store = _Recording()
    opts = ImportOptions("wing", ReadOptions(tz="UTC"), batch_rows=100, writers=writers)
    report = await import_archive([tmp_path / "e.csv"], store, opts)
    assert store.most_at_once == writers
    assert report.rows_stored_new == 4 * 960 == sum(s.stored_new for s in report.sensors)
    for s in report.sensors:  # each sensor's batches in time order, every batch once
        starts = [t for sensor, t in store.calls if sensor == s.sensor]
        assert len(starts) == 10 and starts == sorted(starts)


async def test_a_store_error_reaches_the_caller_as_itself(tmp_path: Path) -> None:
    _export(tmp_path / "e.csv", channels=4, rows=960)
    store = _Recording(fail_on="Ch1")
    opts = ImportOptions("wing", ReadOptions(tz="UTC"), batch_rows=100, writers=2)
    with pytest.raises(StoreUnavailable, match="server went away"):
        await import_archive([tmp_path / "e.csv"], store, opts)
    await asyncio.sleep(0.05)
    done = len(store.calls)
    await asyncio.sleep(0.05)
    assert len(store.calls) == done and not store.in_flight  # nothing writes on after it
    assert {s for s, _ in store.calls} <= {"Ch0", "Ch1"}  # later sensors never started


async def test_overlapping_exports_in_small_batches_store_each_reading_once(
    tmp_path: Path,
) -> None:
    # Two exports overlapping by half, four sensors written two at a time in
    # 100-row batches into a real SQLite file: every reading once, the first
    # export's value kept, and a second import stores nothing new.
    _export(tmp_path / "a.csv", channels=4, rows=960)
    text = (tmp_path / "a.csv").read_text().splitlines()
    changed = [text[0]] + [ln.replace(".", "5", 1) for ln in text[481:]]  # other values
    (tmp_path / "b.csv").write_text("\n".join(changed) + "\n", encoding="utf-8")
    store = SqliteStore(tmp_path / "x.sqlite3")
    await store.open()
    try:
        opts = ImportOptions("wing", ReadOptions(tz="UTC"), batch_rows=100, writers=2)
        paths = [tmp_path / "a.csv", tmp_path / "b.csv"]
        report = await import_archive(paths, store, opts)
        assert report.rows_stored_new == 4 * 960 and report.duplicates == 4 * 480
        rows = await store.raw("wing", "Ch2", 0, 4e9)
        assert len(rows) == 960 and rows[-1].value == pytest.approx(22 + (959 % 7) * 0.1)
        again = await import_archive(list(reversed(paths)), store, opts)
        assert again.rows_stored_new == 0
    finally:
        await store.close()
