"""ScoreTuning.likelihood: HTM's anomaly likelihood fused by max with the records.

These tests pin what the mechanism does (docs/measurements/anomaly-log.md, issue 14's sixth
NAB session), not a NAB score.
"""

from __future__ import annotations

import numpy as np
import pytest

from twin.analytics.anomaly.likelihood import AnomalyLikelihood
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning
from twin.analytics.anomaly.stream_score import StreamScore


def _scores(tuning: ScoreTuning, values: np.ndarray) -> np.ndarray:
    scorer = StreamScore(tuning)
    return np.array([scorer.update(300.0 * i, float(v)) for i, v in enumerate(values)])


def test_unit_noise_stays_far_under_the_bar() -> None:
    likelihood = AnomalyLikelihood(12.0, 6.0)
    z = np.random.default_rng(3).normal(0.0, 1.0, 20_000)
    surprises = [likelihood.surprise(float(v)) for v in z]
    assert max(surprises) < 8.0  # decades; the bars offered are 8-16
    assert all(likelihood.score(float(v)) == 0.0 for v in z[:2000])


def test_nothing_is_judged_during_htm_s_learning_period() -> None:
    likelihood = AnomalyLikelihood(1.0, 6.0)
    # A sustained 6-sigma run from the start: still learning, no surprise.
    assert all(likelihood.surprise(6.0) == 0.0 for _ in range(388))


def test_a_run_far_above_the_usual_mean_is_surprising() -> None:
    likelihood = AnomalyLikelihood(12.0, 6.0)
    for v in np.random.default_rng(4).normal(0.0, 1.0, 3000):
        likelihood.surprise(float(v))
    run = [likelihood.score(5.0) for _ in range(10)]
    assert run[-1] > 0.5


def test_a_stream_gone_quiet_is_judged_too() -> None:
    # Two-sided, as HTM's: a mean far below the usual is as unlikely.
    likelihood = AnomalyLikelihood(12.0, 6.0)
    for v in np.random.default_rng(5).normal(0.0, 1.0, 3000):
        likelihood.surprise(float(v))
    quiet = [likelihood.surprise(0.0) for _ in range(30)]
    assert max(quiet) > 3.0


def test_a_smaller_event_after_a_large_one_still_scores() -> None:
    # Unit noise; a 25-sigma burst of 20 readings, then 600 readings later a
    # 8-sigma one. The records remember the first (half-life about 1,400
    # readings), so alone they miss the second; the likelihood judges it
    # against the stream's distribution, which the first moved only by its
    # share of the history.
    values = np.random.default_rng(3).normal(0.0, 1.0, 6000)
    values[3000:3020] += 25.0
    values[3600:3620] += 8.0
    records = _scores(DEFAULT_TUNING, values)
    fused = _scores(ScoreTuning(likelihood=12.0), values)
    assert records[3000:3030].max() > 0.9 and fused[3000:3030].max() > 0.9
    assert records[3600:3630].max() < 0.1
    assert fused[3600:3630].max() > 0.4


def test_the_product_keeps_it_off_and_a_negative_bar_is_refused() -> None:
    assert DEFAULT_TUNING.likelihood == 0.0
    with pytest.raises(ValueError, match="likelihood"):
        ScoreTuning(likelihood=-1.0)
    with pytest.raises(ValueError, match="bar"):
        AnomalyLikelihood(0.0, 6.0)
