"""Archive import: files -> per-sensor history, deduplicated, in canonical units, stored.

Files are read one by one (bounded by the largest file); series of the same
sensor from several exports are joined, sorted, deduplicated on (sensor,
time) and written through the store's bulk path in batches.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from ingest.archive.reader import BadRow, ReadOptions, read_file
from ingest.contract import Reading
from ingest.store.base import Store
from ingest.units import UnitError, canonical_unit, conversion

__all__ = ["ImportOptions", "ImportReport", "SensorSummary", "import_archive", "write_series"]

_BAD_ID = re.compile(r"[^A-Za-z0-9_.-]+")
_LUX_HOURS = "lx*h"
Vals = npt.NDArray[np.float64]


class ColumnStore(Protocol):
    async def write_columns(
        self,
        venue: str,
        sensor: str,
        ts_ms: npt.NDArray[np.int64],
        values: npt.NDArray[np.float64],
    ) -> int: ...


@dataclass(frozen=True, slots=True)
class ImportOptions:
    venue: str
    read: ReadOptions = field(default_factory=ReadOptions)
    sensor_prefix: str = ""
    cumulative: frozenset[str] = frozenset()  # channels or sensors that are running totals
    canonical: Callable[[str], str | None] | None = None  # sensor -> venue unit
    batch_rows: int = 200_000
    writers: int = 2  # sensors written at once (a PostgreSQL connection each)


@dataclass(slots=True)
class SensorSummary:
    sensor: str
    channel: str
    unit_in: str | None
    unit_stored: str | None
    rows: int = 0
    duplicates: int = 0
    conflicting_duplicates: int = 0
    counter_resets: int = 0
    first_ts: float | None = None
    last_ts: float | None = None
    stored_new: int = 0


@dataclass(slots=True)
class ImportReport:
    files: int = 0
    rows_read: int = 0
    rows_stored_new: int = 0
    duplicates: int = 0
    blank_cells: int = 0
    bad: list[BadRow] = field(default_factory=list)
    bad_count: int = 0
    ambiguous_resolved: int = 0
    ambiguous_assumed: list[BadRow] = field(default_factory=list)
    sensors: list[SensorSummary] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failed_files: list[tuple[str, str]] = field(default_factory=list)


def sensor_name(prefix: str, channel: str) -> str:
    sid = _BAD_ID.sub("-", (prefix + channel).strip()).strip("-._")
    return sid[:64] or "channel"


@dataclass(slots=True)
class _Acc:
    summary: SensorSummary
    ts: list[npt.NDArray[np.float64]] = field(default_factory=list)
    values: list[npt.NDArray[np.float64]] = field(default_factory=list)


def _collect(paths: Sequence[Path], opts: ImportOptions, report: ImportReport) -> dict[str, _Acc]:
    accs: dict[str, _Acc] = {}
    for path in paths:
        try:
            res = read_file(path, opts.read)
        except (ValueError, OSError) as exc:
            report.failed_files.append((str(path), str(exc)))
            continue
        report.files += 1
        report.rows_read += res.rows
        report.blank_cells += res.blank_cells
        report.bad_count += res.bad_count
        report.bad.extend(res.bad[: max(0, 1000 - len(report.bad))])
        report.ambiguous_resolved += res.ambiguous_resolved
        report.ambiguous_assumed.extend(res.ambiguous_assumed)
        report.notes.extend(f"{path}: {n}" for n in res.notes)
        for s in res.series:
            sid = s.sensor or sensor_name(opts.sensor_prefix, s.channel)
            acc = accs.get(sid)
            target = _target_unit(sid, s.unit, opts, report)
            if acc is None:
                acc = accs[sid] = _Acc(SensorSummary(sid, s.channel, s.unit, target))
            values = s.values
            if s.unit is not None and target is not None and s.unit != target:
                try:
                    lin = conversion(s.unit, target)
                    values = values * lin.scale + lin.offset
                except UnitError as exc:
                    report.notes.append(f"{path}: {s.channel}: {exc}; stored as read")
            acc.ts.append(s.ts)
            acc.values.append(np.asarray(values, dtype=np.float64))
    return accs


def _target_unit(
    sid: str, unit: str | None, opts: ImportOptions, report: ImportReport
) -> str | None:
    venue_unit = opts.canonical(sid) if opts.canonical else None
    if unit is None:
        return venue_unit
    try:
        return venue_unit or canonical_unit(unit)
    except UnitError:
        note = f"unit {unit!r} of {sid} is unknown: stored as read"
        if note not in report.notes:
            report.notes.append(note)
        return unit


def _merge(acc: _Acc, cumulative: bool) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    ts = np.concatenate(acc.ts) if acc.ts else np.zeros(0)
    vals = np.concatenate(acc.values) if acc.values else np.zeros(0)
    ms = np.rint(ts * 1000.0).astype(np.int64)
    order = np.argsort(ms, kind="stable")  # stable: the first file given wins a tie
    ms, vals = ms[order], vals[order]
    keep = np.ones(ms.size, dtype=bool)
    if ms.size > 1:
        keep[1:] = ms[1:] != ms[:-1]
    s = acc.summary
    s.duplicates = int(ms.size - keep.sum())
    if s.duplicates:
        # Same time, different value: two exports disagree (worth a look).
        first_of = np.maximum.accumulate(np.where(keep, np.arange(ms.size), 0))
        s.conflicting_duplicates = int(np.sum(~keep & (vals != vals[first_of])))
    ms, vals = ms[keep], vals[keep]
    if cumulative and vals.size > 1:
        # A running total restarts at each export (or at a logger reset): carry
        # the total reached before the restart, so the series keeps rising.
        drop = np.flatnonzero(np.diff(vals) < 0) + 1
        s.counter_resets = int(drop.size)
        if drop.size:
            carry = np.zeros(vals.size)
            carry[drop] = vals[drop - 1]
            vals = vals + np.cumsum(carry)
    s.rows = int(ms.size)
    if ms.size:
        s.first_ts, s.last_ts = float(ms[0]) / 1000.0, float(ms[-1]) / 1000.0
    return ms, vals


async def write_series(
    store: Store,
    venue: str,
    sensor: str,
    ms: npt.NDArray[np.int64],
    vals: npt.NDArray[np.float64],
    batch_rows: int,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Through the store's bulk path: columns when the store takes them, else readings."""
    new = 0
    columnar = getattr(store, "write_columns", None)
    for i in range(0, ms.size, batch_rows):
        m, v = ms[i : i + batch_rows], vals[i : i + batch_rows]
        if columnar is not None:
            new += await columnar(venue, sensor, m, v)
        else:
            secs = (m / 1000.0).tolist()
            new += await store.write_readings(
                [Reading(venue, sensor, t, x) for t, x in zip(secs, v.tolist(), strict=True)]
            )
        if progress is not None:
            progress(int(m.size))
    return new


async def import_archive(
    paths: Sequence[Path],
    store: Store,
    opts: ImportOptions,
    *,
    on_total: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Read, join, deduplicate and store; bad rows are reported, the rest goes in."""
    report = ImportReport()
    accs = _collect(paths, opts, report)
    report.bad.sort(key=lambda b: (b.path, b.line))
    merged = []
    for sid, acc in accs.items():
        s = acc.summary
        cumulative = (
            sid in opts.cumulative or s.channel in opts.cumulative or s.unit_stored == _LUX_HOURS
        )
        ms, vals = _merge(acc, cumulative)
        acc.ts, acc.values = [], []  # free the parts as soon as they are merged
        report.duplicates += s.duplicates
        report.sensors.append(s)
        merged.append((s, ms, vals))
    if on_total is not None:
        on_total(sum(int(m.size) for _, m, _ in merged))
    # Sensors are written side by side (their keys never meet; one sensor's
    # batches stay in order): PostgreSQL works on one connection per sensor,
    # SQLite's one thread takes the batches in turn while this thread
    # prepares the next.
    gate = asyncio.Semaphore(max(1, opts.writers))

    async def store_one(s: SensorSummary, ms: npt.NDArray[np.int64], vals: Vals) -> None:
        async with gate:
            s.stored_new = await write_series(
                store, opts.venue, s.sensor, ms, vals, opts.batch_rows, progress
            )

    tasks = [asyncio.create_task(store_one(s, ms, vals)) for s, ms, vals in merged]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        # The store's own error reaches the caller as it is (not an
        # ExceptionGroup), and no write goes on after it.
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    report.rows_stored_new = sum(s.stored_new for s in report.sensors)
    return report
