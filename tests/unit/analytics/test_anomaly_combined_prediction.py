"""ScoreTuning.combined_prediction: the three predictors combined (forecast_combination.py)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from numpy.typing import NDArray

from twin.analytics.anomaly.forecast_combination import combine
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING
from twin.analytics.anomaly.stream_score import StreamScore

_ON = replace(DEFAULT_TUNING, combined_prediction=True)
_DAY = 288  # five-minute readings


def _daily_counts(seed: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Two weeks of overdispersed counts (gamma-Poisson, shape 4) on a daily cycle."""
    rng = np.random.default_rng(seed)
    n = 14 * _DAY
    mean = 20.0 + 15.0 * np.sin(2.0 * np.pi * np.arange(n) / _DAY)
    counts = rng.poisson(rng.gamma(4.0, mean / 4.0)).astype(np.float64)
    return 1.4e9 + 300.0 * np.arange(n, dtype=np.float64), counts


def test_weights_are_inverse_to_the_squared_errors() -> None:
    # errors 1 and 2: weights 1 and 1/4, so 0.8 of the level and 0.2 of the profile
    assert combine(10.0, 20.0, None, [1.0, 2.0, 9.0], 1e-9) == pytest.approx(12.0)
    assert combine(10.0, 20.0, 40.0, [1.0, 1.0, 1.0], 1e-9) == pytest.approx(70.0 / 3.0)


def test_an_unseen_bin_gets_no_weight() -> None:
    assert combine(10.0, None, None, [5.0, 0.1, 0.1], 1e-9) == 10.0
    assert combine(10.0, None, 40.0, [1.0, 0.1, 1.0], 1e-9) == pytest.approx(25.0)


def test_errors_below_the_resolution_weigh_as_the_resolution() -> None:
    # a flat stream's errors are 0: no division by zero, the floor weighs them equally
    assert combine(3.0, 5.0, None, [0.0, 0.0, 0.0], 0.5) == pytest.approx(4.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_daily_counts_predict_better_combined_than_by_any_one_predictor(seed: int) -> None:
    # The product picks the level here (the profiles are not 10 % better), which
    # lags the rising flank; the combination's error is below every predictor's.
    times, counts = _daily_counts(seed)
    on, off = StreamScore(_ON), StreamScore()
    for ts, value in zip(times.tolist(), counts.tolist(), strict=True):
        on.update(ts, value)
        off.update(ts, value)
    assert off.seasonal == "level"
    assert on.seasonal == "combined"
    assert on._errors[3] < min(on._errors[:3])


def test_off_the_scores_and_the_predictor_are_the_products() -> None:
    times, counts = _daily_counts(3)
    product, off = StreamScore(), StreamScore(replace(_ON, combined_prediction=False))
    for ts, value in zip(times.tolist(), counts.tolist(), strict=True):
        assert off.update(ts, value) == product.update(ts, value)
    assert off.seasonal == product.seasonal
    assert len(off._errors) == 3
