"""Score a ``timestamp,value`` CSV file in one pass, writing NAB's results format.

Output columns: ``timestamp,value,anomaly_score`` with the input's timestamp
and value text kept as they were. Timestamps may be ISO 8601 (naive means
UTC, as in NAB) or epoch seconds. A UTF-8 byte-order mark (as spreadsheet
programs write) is accepted. The output is written to a temporary file next
to it and renamed into place, so an error never leaves a truncated or empty
result (nor destroys an earlier one).

The score is :class:`StreamScore` alone (about 5 us a row); ``kinds=True``
also runs the typed detectors of :class:`SensorDetector` and counts their
detections, at about three times the cost.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING

from twin.analytics.anomaly.errors import ScoreCsvError
from twin.analytics.anomaly.stream_score import StreamScore

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from twin.analytics.anomaly.detection import DetectionKind

__all__ = ["ScoreSummary", "parse_csv_timestamp", "score_csv", "score_series"]


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    """What :func:`score_csv` saw: rows scored, skipped, detections by kind, timing."""

    rows: int
    late_rows: int
    max_score: float
    detections: Mapping[DetectionKind, int] = field(default_factory=dict)
    seconds: float = 0.0


_EPOCH = datetime(1970, 1, 1)


def parse_csv_timestamp(text: str) -> float:
    """Epoch seconds from ISO 8601 (naive = UTC) or a plain number of seconds."""
    raw = text.strip()
    # ISO dates start 'YYYY-'; trying float() first would raise on every row.
    if not (len(raw) > 4 and raw[4] == "-"):
        try:
            return float(raw)
        except ValueError:
            pass
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ScoreCsvError(f"bad timestamp {text!r}") from exc
    if moment.tzinfo is None:
        # Naive means UTC; the subtraction is 3x faster than replace().timestamp().
        return (moment - _EPOCH).total_seconds()
    return moment.timestamp()


def _read(src: Path) -> tuple[list[str], list[float], list[float]]:
    """Data lines (text kept), their times and values; errors name the line."""
    with src.open(encoding="utf-8-sig", newline="") as fin:
        lines = fin.read().splitlines()
    header = lines[0].split(",") if lines else []
    if [h.strip().strip('"').lower() for h in header[:2]] != ["timestamp", "value"]:
        raise ScoreCsvError(f"{src}: first line must be the header 'timestamp,value'")
    body = [line for line in lines[1:] if line.strip()]
    try:
        return _read_fast(body)
    except (ValueError, TypeError, IndexError):
        return _read_checked(src, lines)


def _read_fast(body: list[str]) -> tuple[list[str], list[float], list[float]]:
    """The whole body at once in comprehensions (a clean file: 3x faster than row by row)."""
    if set(map(str.count, body, repeat(","))) == {1}:
        # Two fields on every line (the usual file): one split of the whole
        # body instead of a list per line, and the lines are kept as they are.
        fields = ",".join(body).split(",")
        stamps, texts, kept = fields[0::2], fields[1::2], body
    else:
        rows = [line.split(",", 2) for line in body]
        stamps, texts = [row[0] for row in rows], [row[1] for row in rows]
        kept = [f"{stamp},{text}" for stamp, text in zip(stamps, texts, strict=True)]
    values = [float(text) for text in texts]
    if stamps and len(stamps[0]) > 4 and stamps[0][4] == "-":
        iso = datetime.fromisoformat
        times = [(iso(stamp) - _EPOCH).total_seconds() for stamp in stamps]
    else:
        times = [float(stamp) for stamp in stamps]
    if not all(map(math.isfinite, values)) or not all(map(math.isfinite, times)):
        raise ValueError("not finite")
    return kept, times, values


def _read_checked(src: Path, lines: list[str]) -> tuple[list[str], list[float], list[float]]:
    """Row by row, so that a bad row is reported with its line number."""
    kept: list[str] = []
    times: list[float] = []
    values: list[float] = []
    for line_no, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        parts = line.split(",")
        if len(parts) < 2:
            raise ScoreCsvError(f"{src}:{line_no}: expected 'timestamp,value'")
        try:
            ts = parse_csv_timestamp(parts[0].strip('"'))
            value = float(parts[1].strip('"'))
        except (ScoreCsvError, ValueError) as exc:
            raise ScoreCsvError(f"{src}:{line_no}: {exc}") from exc
        if not (math.isfinite(ts) and math.isfinite(value)):
            raise ScoreCsvError(f"{src}:{line_no}: reading must be finite, got {parts[1]!r}")
        kept.append(f"{parts[0]},{parts[1]}")
        times.append(ts)
        values.append(value)
    return kept, times, values


def _scores(
    times: list[float], values: list[float], kinds: Counter[DetectionKind] | None, sensor: str
) -> tuple[list[float], int]:
    """Score of every reading (0 for a late one) and the number of late readings."""
    out = [0.0] * len(values)
    late = 0
    if kinds is not None:
        # Imported only with --kinds: the typed detectors (and their alarm
        # texts) would add about 0.05 s to every run's start-up.
        from twin.analytics.anomaly.config import DetectorConfig
        from twin.analytics.anomaly.sensor import SensorDetector

        detector = SensorDetector(DetectorConfig(sensor=sensor))
        for i, (ts, value) in enumerate(zip(times, values, strict=True)):
            before = detector.late_readings
            for detection in detector.update(ts, value):
                kinds[detection.kind] += 1
            if detector.late_readings == before:
                out[i] = detector.anomaly_score
        return out, detector.late_readings
    scorer = StreamScore()
    update = scorer.update
    last = -math.inf
    for i, (ts, value) in enumerate(zip(times, values, strict=True)):
        if ts <= last:
            late += 1
            continue
        last = ts
        out[i] = update(ts, value)
    return out, late


def score_csv(in_path: Path | str, out_path: Path | str, kinds: bool = False) -> ScoreSummary:
    """Score ``in_path`` and write ``timestamp,value,anomaly_score`` rows to ``out_path``.

    Raises :class:`ScoreCsvError` for a missing file, a wrong header or a bad
    row (with its line number); ``out_path`` is then left as it was. Rows out
    of time order are scored 0 and counted in ``late_rows``. ``kinds`` also
    counts typed detections (spike, level shift, ...) in the summary.
    """
    src, dst = Path(in_path), Path(out_path)
    started = time.perf_counter()
    counter: Counter[DetectionKind] | None = Counter() if kinds else None
    try:
        kept, times, values = _read(src)
        scores, late = _scores(times, values, counter, src.stem)
        text = "".join([f"{row},{score:.6f}\n" for row, score in zip(kept, scores, strict=True)])
        fd, tmp = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=dst.parent or ".")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fout:
                fout.write("timestamp,value,anomaly_score\n")
                fout.write(text)
            os.replace(tmp, dst)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except UnicodeDecodeError as exc:
        raise ScoreCsvError(f"{src}: not UTF-8 text: {exc}") from exc
    except OSError as exc:
        raise ScoreCsvError(f"cannot score {src} into {dst}: {exc}") from exc
    return ScoreSummary(
        rows=len(kept),
        late_rows=late,
        max_score=max(scores, default=0.0),
        detections=dict(counter) if counter is not None else {},
        seconds=time.perf_counter() - started,
    )


def score_series(
    timestamps: NDArray[np.float64], values: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Anomaly score of every reading of an in-memory series (late readings score 0)."""
    import numpy as np

    scores, _ = _scores(timestamps.tolist(), values.tolist(), None, "")
    return np.asarray(scores, dtype=np.float64)
