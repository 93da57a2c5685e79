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
