"""bench/nab_losses.py: the distance to a perfect NAB score, split exactly."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bench.nab_losses import losses
from twin.analytics.nab import PROFILES, LabeledSeries, evaluate_corpus


def _series(n: int, windows: list[tuple[int, int]]) -> LabeledSeries:
    ts = 1.4e9 + 300.0 * np.arange(n, dtype=np.float64)
    return LabeledSeries("f.csv", ts, tuple((ts[a], ts[b]) for a, b in windows))


def test_late_missed_and_false_positives_add_up_to_the_distance_to_perfect() -> None:
    series = _series(1000, [(400, 499), (700, 799)])
    scores = np.zeros(1000)
    scores[450] = 0.9  # the first window found half-way through
    scores[460] = 0.9  # a second detection in the same window counts for nothing
    scores[300] = 0.8  # a false positive far from any window
    scores[805] = 0.8  # one just after a window: cheaper
    scores[50] = 1.0  # in the probation: ignored
    corpus = [(series, scores)]
    for name, cost in PROFILES.items():
        result = evaluate_corpus(corpus, thresholds={p: 0.5 for p in PROFILES}).profiles[name]
        lost = losses(corpus, 0.5, cost)
        assert lost.total == pytest.approx(result.perfect - result.raw)
        assert lost.windows == 2
        assert lost.windows_missed == 1
        assert lost.missed == pytest.approx(cost.tp + cost.fn)
        assert lost.fp_rows == 2
        assert 0.0 < lost.false_positives < 2 * cost.fp
        assert 0.0 < lost.late < cost.tp
        assert lost.mean_position == pytest.approx(0.5)


def test_nothing_found_means_every_window_missed_and_no_position() -> None:
    series = _series(1000, [(400, 499)])
    lost = losses([(series, np.zeros(1000))], 0.5, PROFILES["standard"])
    assert lost.windows_missed == 1
    assert lost.false_positives == 0.0
    assert lost.late == 0.0
    assert math.isnan(lost.mean_position)
