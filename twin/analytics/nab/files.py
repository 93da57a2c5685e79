"""Reading NAB data files (``timestamp,value`` CSV) and label windows (JSON)."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from twin.analytics.nab.errors import NabDataError
from twin.analytics.nab.sweep import LabeledSeries

__all__ = ["CorpusFile", "load_corpus", "load_windows", "parse_timestamp", "read_series"]

CorpusFile = tuple[LabeledSeries, NDArray[np.float64]]
"""A labelled file and its values."""


def parse_timestamp(text: str) -> float:
    """NAB timestamps (``2014-03-14 03:31:00[.000000]``, UTC, naive) to epoch seconds."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise NabDataError(f"bad timestamp {text!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def read_series(path: Path) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Timestamps (epoch s) and values of a ``timestamp,value`` CSV file."""
    stamps: list[float] = []
    values: list[float] = []
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or [h.strip() for h in header[:2]] != ["timestamp", "value"]:
            raise NabDataError(f"{path}: expected a 'timestamp,value' header")
        for line_no, row in enumerate(reader, start=2):
            if not row:
                continue
            try:
                stamps.append(parse_timestamp(row[0]))
                values.append(float(row[1]))
            except (IndexError, ValueError, NabDataError) as exc:
                raise NabDataError(f"{path}:{line_no}: {exc}") from exc
    ts = np.asarray(stamps, dtype=np.float64)
    # Clock changes repeat or rewind timestamps in the corpus (ec2_request_latency,
    # machine_temperature); NAB scores by row order, and so do we.
    return ts, np.asarray(values, dtype=np.float64)


def load_windows(path: Path) -> dict[str, tuple[tuple[float, float], ...]]:
    """NAB ``combined_windows.json``: relative file path to (start, end) epoch pairs."""
    try:
        raw = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise NabDataError(f"{path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise NabDataError(f"{path}: expected an object of file -> windows")
    out: dict[str, tuple[tuple[float, float], ...]] = {}
    for name, windows in raw.items():
        try:
            pairs = tuple((parse_timestamp(a), parse_timestamp(b)) for a, b in windows)
        except (TypeError, ValueError) as exc:
            raise NabDataError(f"{path}: bad windows for {name}") from exc
        out[str(name)] = tuple(sorted(pairs))
    return out


def load_corpus(data_dir: Path, category: str = "realKnownCause") -> list[CorpusFile]:
    """Every labelled file of one NAB category under ``data_dir``, sorted by name.

    ``data_dir`` holds ``windows.json`` and ``{category}/*.csv``.
    """
    windows = load_windows(data_dir / "windows.json")
    folder = data_dir / category
    files = sorted(folder.glob("*.csv"))
    if not files:
        raise NabDataError(f"no CSV files in {folder}")
    out: list[CorpusFile] = []
    for path in files:
        key = f"{category}/{path.name}"
        if key not in windows:
            raise NabDataError(f"{key} has no entry in windows.json")
        ts, values = read_series(path)
        out.append((LabeledSeries(key, ts, windows[key]), values))
    return out
