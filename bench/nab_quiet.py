"""Where the quiet-spell evidence fires on NAB, and how far into a spell a window lies.

Usage: python -m bench.nab_quiet [DATA_DIR] [--threshold T]

Scores every file with the product and with ``ScoreTuning.quiet_spells`` on
(issue 14, fifteenth NAB session; off in the product) and prints each row
where the two differ at or above the threshold (default the product's
whole-set standard threshold, 0.1262): whether it is inside a window, a
false row, or in NAB's probation, and which product rows it silenced (the
one-report rule). Then, for each window the product misses, the spell
evidence ``E`` and its records at the window's first and last row.
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

_ON = replace(DEFAULT_TUNING, quiet_spells=True)


def _spell_at(timestamps: list[float], values: list[float], rows: set[int]) -> dict[int, str]:
    """The quiet-spell state at each of ``rows``, as text."""
    scorer = StreamScore(_ON)
    out: dict[int, str] = {}
    for i, (ts, value) in enumerate(zip(timestamps, values, strict=True)):
        scorer.update(ts, value)
        quiet = scorer._quiet
        if i in rows and quiet is not None:
            records = ", ".join(f"{r:.2f}" for r in quiet._records)
            out[i] = (
                f"spell {quiet._since} readings, rate {quiet._rate0:.4f}/reading, "
                f"E {quiet.evidence:.2f}, records {records}, floor mean {quiet._typical:.2f}"
            )
    return out


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
                    rows = {lo, hi}
                    for row, text in _spell_at(
                        series.timestamps.tolist(), values.tolist(), rows
                    ).items():
                        print(f"missed {series.name} #{k} row {row}: {text}")
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
