"""ScoreTuning.signed_runs: how long the shift evidence stays on one side.

Issue 14's nab50 session (off). A run of the signed shift evidence beyond
its mean size on one side is reported once it lasts twice the longest
earlier run of the same sign. These tests pin the mechanism, not a NAB
score.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning
from twin.analytics.anomaly.signed_runs import SignedRuns
from twin.analytics.anomaly.stream_score import StreamScore

_ON = replace(DEFAULT_TUNING, signed_runs=True)
_THRESHOLD = 0.1262  # NAB's whole-set standard threshold today
_MEAN = 1.0  # the evidence's mean size (SignedRuns debiases it as an EWMA from 0)
_FAST = 0.5  # that EWMA's weight here: debiased to _MEAN within a few readings


def _runs(pattern: list[tuple[float, int]]) -> tuple[SignedRuns, list[float]]:
    """Feed (signed evidence, readings) blocks after a settled start; the scores out."""
    runs = SignedRuns(DEFAULT_TUNING.record_decay, _FAST)
    out = []
    for value, readings in [(0.0, 200), *pattern]:
        for _ in range(readings):
            runs.tick(0)
            out.append(runs.observe(value, _MEAN, True))
    return runs, out


def test_each_side_keeps_its_own_record_of_runs() -> None:
    # Routine runs of 40 readings above, of 12 below.
    routine = [(3.0, 40), (0.0, 5), (-3.0, 12), (0.0, 5)] * 5
    runs, scores = _runs(routine)
    assert runs.state() == (12.0, 40.0)  # (below, above)
    assert max(scores) == 0.0  # none is twice its side's record
    # A 30-reading run below is news against the runs below (12), not against
    # the longer runs above (40).
    _, scores = _runs([*routine, (-3.0, 30)])
    assert max(scores) == pytest.approx(1.0 - 12.0 / 25.0)  # reported once, at 25 readings
    assert sum(s > 0.0 for s in scores) == 1


def test_a_run_is_strict() -> None:
    # Runs of 12 below; then 20 below, one reading off, 20 below: two runs, not one of 41.
    routine = [(-3.0, 12), (0.0, 5)] * 3
    runs, scores = _runs([*routine, (-3.0, 20), (0.0, 1), (-3.0, 20), (0.0, 1)])
    assert max(scores) == 0.0
    assert runs.state()[0] == 20.0


def _scores(tuning: ScoreTuning, values: np.ndarray) -> np.ndarray:
    scorer = StreamScore(tuning)
    return np.array([scorer.update(300.0 * i, float(x)) for i, x in enumerate(values)])


def test_a_long_half_sigma_drop_on_a_daily_cycle() -> None:
    # The one case of 54 tried (flat or daily, 0.5-1 sigma, 6-24 h, seeds 0-2)
    # where the option adds a report in a drop: 12 hours at half a sigma.
    rng = np.random.default_rng(2)
    i = np.arange(288 * 21)
    values = 10.0 * np.sin(2.0 * np.pi * i / 288) + rng.normal(0.0, 1.0, i.size)
    at = 288 * 18 + 60
    values[at : at + 144] -= 0.5
    product, runs = _scores(DEFAULT_TUNING, values), _scores(_ON, values)
    assert product[at : at + 154].max() < _THRESHOLD
    assert runs[at : at + 154].max() > _THRESHOLD


def test_off_scores_as_the_product() -> None:
    values = np.random.default_rng(0).normal(0.0, 1.0, 3000)
    off = replace(_ON, signed_runs=False)
    assert np.array_equal(_scores(off, values), _scores(DEFAULT_TUNING, values))
