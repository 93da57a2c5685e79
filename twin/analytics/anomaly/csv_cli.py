"""``venue-twin anomaly score``: the command-line face of :func:`score_csv`.

Kept apart from the service's commands so that it starts in a fraction of a
second: ``venue_twin.cli`` dispatches here before importing anything else.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from twin.analytics.anomaly.csv_score import score_csv
from twin.analytics.anomaly.errors import ScoreCsvError

__all__ = ["main_score", "score_parser"]

DESCRIPTION = (
    "Score a 'timestamp,value' CSV file (ISO 8601 or epoch-second timestamps) and write "
    "'timestamp,value,anomaly_score' (the Numenta Anomaly Benchmark results format). "
    "One configuration for every stream: the score adapts to the stream's scale, "
    "daily/weekly cycle, sampling interval and resolution by itself."
)


def score_parser(prog: str = "venue-twin anomaly score") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=DESCRIPTION,
        epilog="example: venue-twin anomaly score gallery-a-rh.csv --out scored.csv",
    )
    parser.add_argument("file", type=Path, help="input CSV with a 'timestamp,value' header")
    parser.add_argument("--out", type=Path, required=True, help="output CSV (NAB results format)")
    parser.add_argument(
        "--kinds",
        action="store_true",
        help="also run the typed detectors (spike, level shift, drift, stuck, dropout) and "
        "count their detections (about 3x slower)",
    )
    return parser


def main_score(argv: list[str]) -> int:
    """Run the command; returns the exit code (2 on bad input, nothing written)."""
    args = score_parser().parse_args(argv)
    try:
        summary = score_csv(args.file, args.out, kinds=args.kinds)
    except ScoreCsvError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    line = (
        f"scored {summary.rows} rows in {summary.seconds:.2f} s "
        f"({summary.late_rows} late); max score {summary.max_score:.3f}"
    )
    if args.kinds:
        found = sorted(summary.detections.items())
        line += "; detections: " + (", ".join(f"{k.value}={n}" for k, n in found) or "none")
    print(line)
    return 0
