"""Where the noise-regime evidence fires on NAB, and what it sees in the missed windows.

Usage: python -m bench.nab_regime [DATA_DIR] [--threshold T]

Scores every file with the product and with ``ScoreTuning.noise_regime`` on
(issue 14, sixteenth NAB session; off in the product) and prints each row
where the two differ at or above the threshold (default the product's
whole-set standard threshold, 0.1262): whether it is inside a window, a
false row, or in NAB's probation, and which product rows it silenced (the
one-report rule). Then, for each window the product misses, the largest
regime evidence ``E`` inside it and the records at its first row.
Diagnosis only.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.nab import _categories, _default_data_dir  # noqa: E402
from bench.nab_select import score_with  # noqa: E402
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING  # noqa: E402
from twin.analytics.anomaly.stream_score import StreamScore  # noqa: E402
from twin.analytics.nab import load_corpus  # noqa: E402

__all__ = ["main"]

_ON = replace(DEFAULT_TUNING, noise_regime=True)


def _regime_in(timestamps: list[float], values: list[float], lo: int, hi: int) -> str:
    """The regime evidence's largest ``E`` in rows ``lo``-``hi`` and its records at ``lo``."""
    scorer = StreamScore(_ON)
    top, at, records = 0.0, lo, ""
    for i, (ts, value) in enumerate(zip(timestamps, values, strict=True)):
        scorer.update(ts, value)
        regime = scorer._regime
        if regime is None or i > hi:
            break
        if i == lo:
            floor = regime._floor * regime._typical
            records = ", ".join(f"{r:.2f}" for r in regime._records) + f"; floor {floor:.2f}"
        if lo <= i and regime.evidence > top:
            top, at = regime.evidence, i
    return f"max E {top:.2f} at row {at}; records at the window's start {records}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=_default_data_dir())
    parser.add_argument("--threshold", type=float, default=0.1262)
    args = parser.parse_args(argv)
    places: Counter[str] = Counter()
    missed: list[tuple[str, int]] = []
    for category in _categories(args.data_dir):
        for series, values in load_corpus(args.data_dir, category):
            off = score_with(DEFAULT_TUNING, series.timestamps, values)
            on = score_with(_ON, series.timestamps, values)
            n = len(values)
            probation = min(int(0.15 * n), int(0.15 * 5000))
            windows = series.window_indices()
            for k, (lo, hi) in enumerate(windows):
                if not (off[lo : hi + 1] >= args.threshold).any():
                    missed.append((series.name, k))
                    text = _regime_in(series.timestamps.tolist(), values.tolist(), lo, hi)
                    print(f"missed {series.name} #{k} rows {lo}-{hi}: {text}")
            for i in range(n):
                if on[i] >= args.threshold and on[i] != off[i]:
                    inside = [k for k, (lo, hi) in enumerate(windows) if lo <= i <= hi]
                    place = "probation" if i < probation else ("in" if inside else "false")
                    places[place] += 1
                    print(f"fired {series.name} row {i} {on[i]:.3f} ({place} {inside})")
                elif off[i] >= args.threshold > on[i]:
                    places["silenced"] += 1
                    print(f"silenced {series.name} row {i} (product {off[i]:.3f})")
    print(dict(places))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
