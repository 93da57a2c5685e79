"""Choose the detector's tuning with each NAB category left out in turn.

Usage: python bench/nab_select.py [DATA_DIR] [--jobs N] [--save FILE] [--grids NAMES]

``bench/nab.py`` holds out only the threshold: the detector's constants are
the same in every fold, chosen by hand on all categories. Here the
constants are held out too. For every variant of :class:`ScoreTuning` in a
small grid, every file is scored once; then for each category the variant
is chosen on the *other* categories (their pooled standard score, one
threshold) and the category is scored with that variant at the thresholds
chosen on the others. So neither the constants nor the threshold of a fold
saw its category. The folds are pooled as NAB normalises (summed raw
scores), and artificialNoAnomaly (no windows) reports its false-positive rows.

One variant is then the product's configuration for every stream: the
per-fold choices only measure how much choosing it was worth. Since issue
14's eighth NAB session the product averages the records' three decays
(``AVERAGED_GRID``'s scale 0.01, slow 0.002, floor 5), so no decay is
chosen: its nested figure is the "averaged decays only" one, with the scale
rates and floor chosen per fold.

The grid (``bench/nab_grids.py``) varies every constant of :class:`ScoreTuning`;
``--grids`` runs only some of its parts. Each variant is scored and
evaluated in a worker process that returns only its figures, so memory
stays that of one variant per worker; the run time is printed.
"""

from __future__ import annotations

import argparse
import math
import pickle
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

from bench.nab import (  # noqa: E402
    Scored,
    _categories,
    _default_data_dir,
    _false_positives,
    _labelled,
    _pooled,
)
from bench.nab_grids import GRIDS  # noqa: E402
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning  # noqa: E402
from twin.analytics.anomaly.stream_score import StreamScore  # noqa: E402
from twin.analytics.nab import PROFILES, CorpusScore, evaluate_corpus, load_corpus  # noqa: E402

__all__ = [
    "VariantResult",
    "choose_held_out",
    "evaluate_variant",
    "main",
    "score_with",
]


def score_with(
    tuning: ScoreTuning, timestamps: NDArray[np.float64], values: NDArray[np.float64]
) -> NDArray[np.float64]:
    """As ``score_series``, with ``tuning``: late (rewound) readings score 0."""
    scorer = StreamScore(tuning)
    out = np.zeros(len(values))
    last = -math.inf
    for i, (ts, value) in enumerate(zip(timestamps.tolist(), values.tolist(), strict=True)):
        if ts <= last:
            continue
        last = ts
        out[i] = scorer.update(ts, value)
    return out


@dataclass(frozen=True, slots=True)
class VariantResult:
    """One variant's figures: whole set, and per category held out."""

    tuning: ScoreTuning
    whole: CorpusScore
    others_standard: dict[str, float]
    """Per category: the standard score of the *other* categories (the choice)."""
    folds: dict[str, CorpusScore]
    """Per labelled category: its score at the thresholds chosen on the others."""
    false_rows: dict[str, list[int]]
    """Per unlabelled category: false rows at the others' thresholds, per profile."""


def evaluate_variant(data_dir: Path, tuning: ScoreTuning) -> VariantResult:
    """Score every file with ``tuning`` and evaluate it with each category held out."""
    by_cat: dict[str, Scored] = {
        c: [(s, score_with(tuning, s.timestamps, v)) for s, v in load_corpus(data_dir, c)]
        for c in _categories(data_dir)
    }
    whole = evaluate_corpus([item for scored in by_cat.values() for item in scored])
    others_standard: dict[str, float] = {}
    folds: dict[str, CorpusScore] = {}
    false_rows: dict[str, list[int]] = {}
    for c, scored in by_cat.items():
        chosen = evaluate_corpus([item for k, s in by_cat.items() if k != c for item in s])
        others_standard[c] = chosen.profiles["standard"].normalised
        thresholds = {p: chosen.profiles[p].threshold for p in PROFILES}
        if _labelled(scored):
            folds[c] = evaluate_corpus(scored, thresholds=thresholds)
        else:
            false_rows[c] = [_false_positives(scored, thresholds[p]) for p in PROFILES]
    return VariantResult(tuning, whole, others_standard, folds, false_rows)


def _label(t: ScoreTuning) -> str:
    star = " *" if t == DEFAULT_TUNING else ""
    timed = "+".join(t.timed) or "-"
    decay = "avg" if t.record_decays else f"{t.record_decay:g}"
    return (
        f"scale {t.scale_alpha:<5g} slow {t.slow_scale_alpha:<5g} decay {decay:<6} "
        f"floor {t.record_floor:<3g} spike {t.spike_margin:<3g} "
        f"timed {timed:<14}{'visits ' if t.profile_per_visit else ''}"
        f"{f'lag {t.range_lag_s / 3600:g} h ' if t.range_lag_s else ''}"
        f"{'durations ' if t.durations else ''}"
        f"{'unreported ' if t.duration_unreported else ''}"
        f"{'known ' if t.duration_known else ''}"
        f"{'majority ' if t.spike_majority else ''}"
        f"{f'tail {t.spike_tail_risk:g} ' if t.spike_tail_risk else ''}{star}"
    )


def _cells(result: CorpusScore | dict[str, float]) -> str:
    if isinstance(result, CorpusScore):
        return "  ".join(f"{result.profiles[p].normalised:6.1f}" for p in PROFILES)
    return "  ".join(f"{result[p]:6.1f}" for p in PROFILES)


def choose_held_out(results: Sequence[VariantResult], category: str) -> VariantResult:
    """The variant with the best standard score on the categories other than ``category``.

    The category's own score never enters the choice: that is what makes the
    fold's figure held out.
    """
    return max(results, key=lambda r: r.others_standard[category])


def _nested(title: str, results: list[VariantResult], categories: list[str]) -> None:
    """Per category: the variant best on the others, at their thresholds; folds pooled."""
    print()
    print(f"tuning and threshold both chosen on the other categories ({title}; standard decides)")
    folds = []
    for c in categories:
        best = choose_held_out(results, c)
        if c in best.folds:
            folds.append(best.folds[c])
            print(f"  {c:<24} {_cells(best.folds[c])}   with {_label(best.tuning)}")
        else:
            cells = " ".join(f"{f:>4} FP" for f in best.false_rows[c])
            print(f"  {c:<24} {cells}   with {_label(best.tuning)}")
    print(f"  {'all folds pooled':<24} {_cells(_pooled(folds))}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=_default_data_dir())
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--save", type=Path, help="pickle the per-variant results here")
    parser.add_argument(
        "--grids",
        default=",".join(GRIDS),
        help=f"comma-separated parts of the grid to run, of {', '.join(GRIDS)} (default: all)",
    )
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.grids.split(",") if n.strip()]
    unknown = [n for n in names if n not in GRIDS]
    if unknown or not names:
        parser.error(f"--grids takes names of {', '.join(GRIDS)}, got {args.grids!r}")
    # Per-reading first, so the subsets below are always well defined.
    grid = tuple(dict.fromkeys(t for n in names for t in GRIDS[n]))

    started = time.perf_counter()
    with ProcessPoolExecutor(max(1, args.jobs)) as pool:
        results = list(pool.map(evaluate_variant, [args.data_dir] * len(grid), grid))
    if args.save:
        args.save.write_bytes(pickle.dumps(results))
    categories = list(results[0].others_standard)
    labelled = list(results[0].folds)

    print("per variant: whole set (one threshold) | threshold held out, folds pooled")
    print("  standard / low_FP / low_FN; then each category's standard, threshold held out")
    print(
        f"{'variant (* = product)':<84}  whole set            | held out             | "
        + "  ".join(c[:10] for c in labelled)
    )
    for r in results:
        per = "  ".join(f"{r.folds[c].profiles['standard'].normalised:10.1f}" for c in labelled)
        rows = " ".join(f"{c[:12]} {v[0]} FP" for c, v in r.false_rows.items())
        print(
            f"{_label(r.tuning):<84}  {_cells(r.whole)} | "
            f"{_cells(_pooled(list(r.folds.values())))} | {per}  {rows}"
        )

    subsets = {
        "the whole grid run": results,
        "every rate per reading: the old parametrisation": [
            r for r in results if not (r.tuning.timed or r.tuning.record_decays)
        ],
        "per reading, without the spike margin": [
            r
            for r in results
            if not (r.tuning.timed or r.tuning.spike_margin) and not r.tuning.record_decays
        ],
        "records' decay per time": [r for r in results if r.tuning.timed],
        "per reading, no spike margin, the decays' scores averaged offered as a decay too": [
            r for r in results if not (r.tuning.timed or r.tuning.spike_margin)
        ],
        "averaged decays only (the product's parametrisation: no decay chosen)": [
            r for r in results if r.tuning.record_decays
        ],
    }
    for title, subset in subsets.items():
        if subset:
            _nested(title, subset, categories)
    elapsed = time.perf_counter() - started
    print(f"\n{len(grid)} variants in {elapsed:.0f} s wall with {args.jobs} worker(s)")
    return 0


if __name__ == "__main__":
    # Through the module, so --save pickles bench.nab_select.VariantResult
    # (loadable elsewhere), not __main__'s.
    from bench.nab_select import main as _main

    raise SystemExit(_main())
