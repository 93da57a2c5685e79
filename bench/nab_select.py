"""Choose the detector's tuning with each NAB category left out in turn.

Usage: python bench/nab_select.py [DATA_DIR]

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
per-fold choices only measure how much choosing it was worth.
"""

from __future__ import annotations

import argparse
import math
import sys
from itertools import product
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
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning  # noqa: E402
from twin.analytics.anomaly.stream_score import StreamScore  # noqa: E402
from twin.analytics.nab import PROFILES, CorpusScore, evaluate_corpus, load_corpus  # noqa: E402

__all__ = ["GRID", "main", "score_with"]

GRID: tuple[ScoreTuning, ...] = tuple(
    ScoreTuning(scale_alpha=a, slow_scale_alpha=s)
    for a, s in product((0.02, 0.01, 0.005), (0.0, 0.002, 0.001))
)


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


def _label(t: ScoreTuning) -> str:
    star = " *" if t == DEFAULT_TUNING else ""
    return f"scale {t.scale_alpha:<6g} slow {t.slow_scale_alpha:<6g}{star}"


def _cells(result: CorpusScore | dict[str, float]) -> str:
    if isinstance(result, CorpusScore):
        return "  ".join(f"{result.profiles[p].normalised:6.1f}" for p in PROFILES)
    return "  ".join(f"{result[p]:6.1f}" for p in PROFILES)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=_default_data_dir())
    args = parser.parse_args(argv)

    corpus = {c: load_corpus(args.data_dir, c) for c in _categories(args.data_dir)}
    runs: dict[ScoreTuning, dict[str, Scored]] = {}
    for tuning in GRID:
        runs[tuning] = {
            c: [(s, score_with(tuning, s.timestamps, v)) for s, v in files]
            for c, files in corpus.items()
        }

    print("per variant: whole set (one threshold) | threshold held out, folds pooled")
    print(f"{'variant (* = product)':<32}  standard  low_FP  low_FN | standard  low_FP  low_FN")
    for tuning, by_cat in runs.items():
        everything = [item for scored in by_cat.values() for item in scored]
        folds = []
        for c, scored in by_cat.items():
            if not _labelled(scored):
                continue
            others = [item for k, s in by_cat.items() if k != c for item in s]
            chosen = evaluate_corpus(others)
            thresholds = {p: chosen.profiles[p].threshold for p in PROFILES}
            folds.append(evaluate_corpus(scored, thresholds=thresholds))
        whole = evaluate_corpus(everything)
        print(f"{_label(tuning):<32}  {_cells(whole)} | {_cells(_pooled(folds))}")

    print()
    print("tuning and threshold both chosen on the other categories (standard decides)")
    folds = []
    for c in corpus:
        best: tuple[float, ScoreTuning, CorpusScore] | None = None
        for tuning, by_cat in runs.items():
            others = [item for k, s in by_cat.items() if k != c for item in s]
            chosen = evaluate_corpus(others)
            if best is None or chosen.profiles["standard"].normalised > best[0]:
                best = (chosen.profiles["standard"].normalised, tuning, chosen)
        assert best is not None
        _, tuning, chosen = best
        thresholds = {p: chosen.profiles[p].threshold for p in PROFILES}
        scored = runs[tuning][c]
        if _labelled(scored):
            fold = evaluate_corpus(scored, thresholds=thresholds)
            folds.append(fold)
            print(f"  {c:<24} {_cells(fold)}   with {_label(tuning)}")
        else:
            fps = [_false_positives(scored, thresholds[p]) for p in PROFILES]
            print(f"  {c:<24} {fps[0]:>4} FP {fps[1]:>4} FP {fps[2]:>4} FP   with {_label(tuning)}")
    print(f"  {'all folds pooled':<24} {_cells(_pooled(folds))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
