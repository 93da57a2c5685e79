"""One export file to per-channel series of (UTC time, value, source line)."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import methodcaller
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ingest.archive.columns import (
    Channel,
    ColumnPlan,
    header_zone,
    number_and_unit,
    plan_columns,
    unit_from_text,
)
from ingest.archive.presets import PRESETS
from ingest.archive.stamps import parse_stamps
from ingest.archive.text import decode, find_layout

__all__ = ["BadRow", "FileResult", "ReadOptions", "Series", "read_file"]

_MAX_BAD_KEPT = 1000  # per file; the rest are counted


@dataclass(frozen=True, slots=True)
class ReadOptions:
    preset: str = "generic"
    tz: str = "UTC"
    date_format: str | None = None
    dayfirst: bool | None = None
    delimiter: str | None = None
    time_col: str | None = None  # header name or 1-based number
    channels: dict[str, str] = field(default_factory=dict)  # channel -> sensor id
    units: dict[str, str] = field(default_factory=dict)  # channel -> unit, beats the header
    sensor: str | None = None  # the sensor of a one-channel file


@dataclass(frozen=True, slots=True)
class BadRow:
    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass(slots=True)
class Series:
    channel: str
    unit: str | None
    sensor: str | None  # from options; the importer names the rest
    ts: npt.NDArray[np.float64]
    values: npt.NDArray[np.float64]
    lines: npt.NDArray[np.int64]


@dataclass(slots=True)
class FileResult:
    path: str
    rows: int = 0
    series: list[Series] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    bad_count: int = 0
    blank_cells: int = 0
    date_format: str | None = None
    ambiguous_resolved: int = 0
    ambiguous_assumed: list[BadRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add_bad(self, line: int, reason: str) -> None:
        self.bad_count += 1
        if len(self.bad) < _MAX_BAD_KEPT:
            self.bad.append(BadRow(self.path, line, reason))


def _read_text(path: Path) -> str:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _excel_as_csv(path)
    return decode(path.read_bytes())


def _excel_as_csv(path: Path) -> str:
    try:
        import openpyxl
    except ImportError as exc:  # an optional extra
        raise ValueError("Excel files need openpyxl: pip install 'venue-twin[import]'") from exc
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    buf = io.StringIO()
    w = csv.writer(buf)
    for row in wb.worksheets[0].iter_rows(values_only=True):
        w.writerow(["" if v is None else _cell(v) for v in row])
    wb.close()
    return buf.getvalue()


def _cell(v: object) -> str:
    iso = getattr(v, "isoformat", None)
    if iso is not None and hasattr(v, "hour"):
        return str(iso(sep=" "))
    return str(v)


def read_file(path: Path, opts: ReadOptions) -> FileResult:
    """Parse one export. Raises ValueError when the file as a whole cannot be read."""
    preset = PRESETS[opts.preset]
    res = FileResult(str(path))
    lines = _read_text(path).splitlines()
    layout = find_layout(lines, delimiter=opts.delimiter)
    first = layout.first_data_line
    data = lines[first:]
    sample = list(csv.reader(data[:200], delimiter=layout.delimiter))
    ncols = len(sample[0])
    plan = plan_columns(layout.header, sample)
    plan = _apply_time_col(plan, layout.header, opts.time_col)
    if not plan.channels:
        raise ValueError("no numeric value column found")
    plan = _units_from_preamble(plan, layout.preamble)
    split_at = plan.stamp if plan.time is None and _one_space_stamps(sample, plan) else None
    cols, good_lines, times = _columns(data, first, ncols, layout.delimiter, res, split_at)
    res.rows = len(good_lines)
    if times is not None:
        plan = ColumnPlan(plan.stamp, ncols, plan.epoch, plan.channels)
        cols.append(times)
    if plan.epoch is not None:
        stamps = parse_stamps(cols[plan.epoch], None, tz="UTC")
    else:
        assert plan.stamp is not None
        # A file that states its offset in the time header (HOBOware's
        # "Date Time, GMT+01:00") is believed over the default zone.
        declared = (
            header_zone(layout.header[plan.stamp]) if plan.stamp < len(layout.header) else None
        )
        if declared is not None and declared != opts.tz:
            res.notes.append(f"times read as {declared}, as the header states")
        stamps = parse_stamps(
            cols[plan.stamp],
            cols[plan.time] if plan.time is not None else None,
            tz=declared or opts.tz,
            date_format=opts.date_format or preset.date_format,
            dayfirst=preset.dayfirst if opts.dayfirst is None else opts.dayfirst,
        )
    res.date_format = stamps.date_format
    res.ambiguous_resolved = stamps.ambiguous_resolved
    res.ambiguous_assumed = [
        BadRow(res.path, int(good_lines[i]), "repeated local hour read as the first pass")
        for i in stamps.ambiguous_assumed
    ]
    for i, reason in sorted(stamps.bad.items()):
        res.add_bad(int(good_lines[i]), reason)
    ok_time = ~np.isnan(stamps.utc)
    decimal_comma = layout.decimal == ","
    for ch in plan.channels:
        values, bad_idx, blanks = _numbers(cols[ch.column], decimal_comma)
        res.blank_cells += blanks
        for i in bad_idx:
            if ok_time[i]:
                raw = cols[ch.column][i].strip()[:30]
                res.add_bad(int(good_lines[i]), f"{ch.name}: value {raw!r} is not a number")
        keep = ok_time & ~np.isnan(values)
        unit = opts.units.get(ch.name, ch.unit)
        sensor = opts.channels.get(ch.name) or (
            opts.sensor if opts.sensor and len(plan.channels) == 1 else None
        )
        res.series.append(
            Series(ch.name, unit, sensor, stamps.utc[keep], values[keep], good_lines[keep])
        )
    return res


def _one_space_stamps(sample: Sequence[Sequence[str]], plan: ColumnPlan) -> bool:
    """Whether every sample row's only space is the one between date and time."""
    if plan.stamp is None:
        return False
    for row in sample:
        stamp = row[plan.stamp].strip()
        if stamp.count(" ") != 1 or sum(f.count(" ") for f in row) != 1:
            return False
        if ":" not in stamp.split(" ")[1] or stamp[-1:] in ("M", "m"):
            return False
    return True


def _columns(
    data: list[str],
    first: int,
    ncols: int,
    delimiter: str,
    res: FileResult,
    split_at: int | None = None,
) -> tuple[list[Sequence[str]], npt.NDArray[np.int64], Sequence[str] | None]:
    """Columns of the data lines, each kept row's 1-based line number, and the
    time-of-day column when the date-time column was split at its space.

    Lines with the wrong number of fields are reported and left out. Without
    quotes in the data (most exports), the whole block is split at once and
    columns are strided slices of one list: no per-row Python work. With
    ``split_at``, the date and the time of that column are split the same way,
    if every line has exactly one space (else the column is left whole).
    """
    numbers = np.arange(first + 1, first + 1 + len(data), dtype=np.int64)
    if any('"' in x for x in data[:50]) or '"' in "".join(data[-50:]):
        rows = list(csv.reader(data, delimiter=delimiter))
        lens = np.fromiter(map(len, rows), np.int64, len(rows))
        quoted = True
    else:
        lens = np.fromiter(map(methodcaller("count", delimiter), data), np.int64, len(data)) + 1
        quoted = False
    ok = lens == ncols
    for i in np.flatnonzero(~ok).tolist():
        if data[i].strip():
            res.add_bad(int(numbers[i]), f"expected {ncols} fields, found {int(lens[i])}")
    keep = np.flatnonzero(ok)
    if quoted:
        good = [rows[i] for i in keep.tolist()] if keep.size != len(rows) else rows
        cols: list[Sequence[str]] = (
            list(zip(*good, strict=True)) if good else [() for _ in range(ncols)]
        )
    else:
        lines = [data[i] for i in keep.tolist()] if keep.size != len(data) else data
        block = delimiter.join(lines)
        if split_at is not None and lines and block.count(" ") == len(lines):
            flat = block.replace(" ", delimiter).split(delimiter)
            wide = [flat[c :: ncols + 1] for c in range(ncols + 1)]
            times = wide.pop(split_at + 1)
            if "".join(times).count(":") >= len(times):
                return list(wide), numbers[keep], times
        flat = block.split(delimiter) if lines else []
        cols = [flat[c::ncols] for c in range(ncols)]
    return cols, numbers[keep], None


def _numbers(
    col: Sequence[str], decimal_comma: bool
) -> tuple[npt.NDArray[np.float64], list[int], int]:
    src: Sequence[str] = [v.replace(",", ".") for v in col] if decimal_comma else col
    try:
        arr = np.array(src, dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(arr)).tolist()
        arr[bad] = np.nan
        return arr, bad, 0
    except ValueError:
        pass
    out = np.empty(len(src))
    bad_rows: list[int] = []
    blanks = 0
    for i, v in enumerate(src):
        s = v.strip()
        if not s:
            out[i] = math.nan
            blanks += 1
            continue
        try:
            x = float(s)
        except ValueError:
            nu = number_and_unit(s)  # "20.57 °C": the unit in every cell
            x = nu[0] if nu is not None else math.nan
        if not math.isfinite(x):
            bad_rows.append(i)
            x = math.nan
        out[i] = x
    return out, bad_rows, blanks


def _apply_time_col(plan: ColumnPlan, header: Sequence[str], time_col: str | None) -> ColumnPlan:
    if time_col is None:
        return plan
    idx = int(time_col) - 1 if time_col.isdigit() else list(header).index(time_col)
    chans = [c for c in plan.channels if c.column != idx]
    return ColumnPlan(idx, plan.time, None, chans)


_POINT = re.compile(r"(point|channel|sensor|probe|name|description)", re.I)


def _units_from_preamble(plan: ColumnPlan, preamble: Sequence[str]) -> ColumnPlan:
    """A one-channel export often names its point, with the unit, above the header."""
    if len(plan.channels) != 1 or plan.channels[0].unit is not None:
        return plan
    for line in preamble:
        if _POINT.search(line):
            for part in re.split(r"[,;\t:]", line)[1:]:
                name, unit = unit_from_text(part.strip().strip('"'))
                if unit is not None:
                    ch = plan.channels[0]
                    return ColumnPlan(
                        plan.stamp, plan.time, plan.epoch, [Channel(ch.column, name, unit)]
                    )
    return plan
