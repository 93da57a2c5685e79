"""A sustained departure from a stream's daily cycle is judged against the noise learnt before it.

The slow evidences (shift, drift, a changed cycle) standardise by a slowly
learnt residual scale (``ScoreTuning.slow_scale_alpha``): with only the fast
scale, a day on which the cycle fails to happen inflated the scale within a
few dozen readings and diluted its own evidence (NAB's nyc_taxi blizzard
scored 0.00).
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning
from twin.analytics.anomaly.stream_score import StreamScore

_STEP = 300.0
_DAY = 288
_THRESHOLD = 0.15  # the NAB whole-set thresholds are 0.13-0.17
# The scale learning of the detector before issue 14's slow scale.
_FAST_ONLY = ScoreTuning(scale_alpha=0.02, slow_scale_alpha=0.0)


def _run(values: NDArray[np.float64], tuning: ScoreTuning = DEFAULT_TUNING) -> NDArray[np.float64]:
    scorer = StreamScore(tuning)
    times = 1.4e9 + _STEP * np.arange(len(values))
    return np.array(
        [scorer.update(t, v) for t, v in zip(times.tolist(), values.tolist(), strict=True)]
    )


def _cycle(seed: int) -> tuple[NDArray[np.float64], NDArray[np.float64], slice]:
    """Six weeks of a daily cycle (trough 60, peak 140) with bounded noise.

    Returns the clean series, the same series with a day in week five on
    which the cycle swings only 40 % as far from its trough (a venue closed
    by snow, a plant idle), and that day. The day starts at a trough, so
    there is no jump to see: only a cycle that fails to rise.
    """
    rng = np.random.default_rng(seed)
    n = 42 * _DAY
    base = 100.0 - 40.0 * np.cos(2.0 * np.pi * np.arange(n) / _DAY)
    noise = np.clip(rng.normal(0.0, 5.0, n), -12.5, 12.5)
    clean = base + noise
    event = clean.copy()
    day = slice(28 * _DAY, 29 * _DAY)
    event[day] = 60.0 + 0.4 * (base[day] - 60.0) + noise[day]
    return clean, event, day


@pytest.mark.parametrize("seed", range(6))
def test_a_day_without_its_cycle_is_caught_and_its_clean_twin_is_quiet(seed: int) -> None:
    clean, event, day = _cycle(seed)
    assert _run(event)[day].max() >= _THRESHOLD
    assert _run(clean)[7 * _DAY :].max() < 0.1


def test_with_the_fast_scale_alone_the_same_days_were_missed() -> None:
    missed = [s for s in range(6) if _run(_cycle(s)[1], _FAST_ONLY)[_cycle(s)[2]].max() < 0.15]
    assert missed  # seeds 0 and 5 (0.14 and 0.15): the defect the slow scale fixes


def test_tuning_rejects_rates_outside_their_range() -> None:
    with pytest.raises(ValueError, match="scale_alpha"):
        ScoreTuning(scale_alpha=0.0)
    with pytest.raises(ValueError, match="slow_scale_alpha"):
        ScoreTuning(slow_scale_alpha=1.5)
    assert ScoreTuning(slow_scale_alpha=0.0).slow_scale_alpha == 0.0
