"""Score a ``timestamp,value`` CSV file in one pass, writing NAB's results format.

Output columns: ``timestamp,value,anomaly_score`` with the input's timestamp
and value text kept as they were. Timestamps may be ISO 8601 (naive means
UTC, as in NAB) or epoch seconds.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from twin.analytics.anomaly.config import DetectorConfig
from twin.analytics.anomaly.detection import DetectionKind
from twin.analytics.anomaly.errors import ScoreCsvError
from twin.analytics.anomaly.sensor import InvalidReadingError, SensorDetector

__all__ = ["ScoreSummary", "main_score", "parse_csv_timestamp", "score_csv", "score_series"]


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    """What :func:`score_csv` saw: rows scored, skipped, detections by kind, timing."""

    rows: int
    late_rows: int
    max_score: float
    detections: Mapping[DetectionKind, int] = field(default_factory=dict)
    seconds: float = 0.0


def parse_csv_timestamp(text: str) -> float:
    """Epoch seconds from ISO 8601 (naive = UTC) or a plain number of seconds."""
    raw = text.strip()
    try:
        return float(raw)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ScoreCsvError(f"bad timestamp {text!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def score_csv(
    in_path: Path | str, out_path: Path | str, config: DetectorConfig | None = None
) -> ScoreSummary:
    """Stream ``in_path`` through a :class:`SensorDetector` and write scores to ``out_path``.

    Raises :class:`ScoreCsvError` for a missing file, a wrong header or a bad
    row (with its line number). Rows out of time order are scored 0 and
    counted in ``late_rows``.
    """
    src, dst = Path(in_path), Path(out_path)
    cfg = config if config is not None else DetectorConfig(sensor=src.stem)
    detector = SensorDetector(cfg)
    kinds: Counter[DetectionKind] = Counter()
    rows = 0
    max_score = 0.0
    started = time.perf_counter()
    try:
        with src.open(newline="") as fin, dst.open("w", newline="") as fout:
            reader = csv.reader(fin)
            header = next(reader, None)
            if header is None or [h.strip().lower() for h in header[:2]] != ["timestamp", "value"]:
                raise ScoreCsvError(f"{src}: first line must be the header 'timestamp,value'")
            writer = csv.writer(fout, lineterminator="\n")
            writer.writerow(["timestamp", "value", "anomaly_score"])
            for line_no, row in enumerate(reader, start=2):
                if not row:
                    continue
                if len(row) < 2:
                    raise ScoreCsvError(f"{src}:{line_no}: expected 'timestamp,value'")
                try:
                    ts = parse_csv_timestamp(row[0])
                    value = float(row[1])
                except (ScoreCsvError, ValueError) as exc:
                    raise ScoreCsvError(f"{src}:{line_no}: {exc}") from exc
                late_before = detector.late_readings
                try:
                    found = detector.update(ts, value)
                except InvalidReadingError as exc:
                    raise ScoreCsvError(f"{src}:{line_no}: {exc}") from exc
                for detection in found:
                    kinds[detection.kind] += 1
                score = 0.0 if detector.late_readings > late_before else detector.anomaly_score
                max_score = max(max_score, score)
                writer.writerow([row[0], row[1], f"{score:.6f}"])
                rows += 1
    except OSError as exc:
        raise ScoreCsvError(f"cannot score {src} into {dst}: {exc}") from exc
    return ScoreSummary(
        rows=rows,
        late_rows=detector.late_readings,
        max_score=max_score,
        detections=dict(kinds),
        seconds=time.perf_counter() - started,
    )


def score_series(
    timestamps: NDArray[np.float64],
    values: NDArray[np.float64],
    config: DetectorConfig | None = None,
) -> NDArray[np.float64]:
    """Anomaly score of every reading of an in-memory series (late readings score 0)."""
    detector = SensorDetector(config)
    out = np.zeros(len(values), dtype=np.float64)
    for i, (ts, value) in enumerate(zip(timestamps.tolist(), values.tolist(), strict=True)):
        late_before = detector.late_readings
        detector.update(ts, value)
        if detector.late_readings == late_before:
            out[i] = detector.anomaly_score
    return out


def main_score(argv: list[str]) -> int:
    """``venue-twin anomaly score FILE.csv --out OUT.csv``; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="venue-twin anomaly score",
        description="Score a timestamp,value CSV; write timestamp,value,anomaly_score.",
    )
    parser.add_argument("file", type=Path, help="input CSV with a 'timestamp,value' header")
    parser.add_argument("--out", type=Path, required=True, help="output CSV (NAB results format)")
    args = parser.parse_args(argv)
    try:
        summary = score_csv(args.file, args.out)
    except ScoreCsvError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    kinds = ", ".join(f"{k.value}={n}" for k, n in sorted(summary.detections.items())) or "none"
    print(
        f"scored {summary.rows} rows in {summary.seconds:.2f} s "
        f"({summary.late_rows} late); max score {summary.max_score:.3f}; detections: {kinds}"
    )
    return 0
