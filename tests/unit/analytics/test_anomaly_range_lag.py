"""ScoreTuning.range_lag_s: a new extreme judged against the range as it stood a while ago.

These tests pin what the mechanism does (docs/measurements/anomaly-log.md,
"Range novelty against an older range", issue 14's twelfth NAB session; off
on in the product since then), not a NAB score. NAB's whole-set threshold there is 0.126.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from twin.analytics.anomaly.range_novelty import LaggedRange, novelty
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning
from twin.analytics.anomaly.stream_score import StreamScore

_DAY = 86_400.0
_ON = DEFAULT_TUNING
_OFF = replace(DEFAULT_TUNING, range_lag_s=0.0)
_THRESHOLD = 0.126
_STEP = 300.0


def _scores(tuning: ScoreTuning, values: np.ndarray) -> np.ndarray:
    scorer = StreamScore(tuning)
    return np.array([scorer.update(i * _STEP, float(v)) for i, v in enumerate(values)])


def _daily(days: float, seed: int = 0) -> np.ndarray:
    """A machine's temperature: 70 +- 10 over the day, noise 1, every 5 minutes."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(days * _DAY / _STEP)) * _STEP
    return 70.0 + 10.0 * np.sin(2 * np.pi * t / _DAY) + rng.normal(0.0, 1.0, len(t))


def _creeping(seed: int) -> np.ndarray:
    """A machine's temperature (70 +- 1) with a 2.5-hour dip of 30 that lifts every
    evidence's record, then over 50 h a climb 10 degrees past its old top,
    0.017 a reading: far inside the noise, and each new top only a hair above
    the last."""
    rng = np.random.default_rng(seed)
    before = 70.0 + rng.normal(0.0, 1.0, 3000)
    before[1500:1530] -= 30.0
    climb = 70.0 + rng.normal(0.0, 1.0, 600) + np.linspace(0.0, 10.0, 600)
    return np.concatenate([before, climb])


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_value_that_creeps_past_the_old_range_is_news_with_the_lag_only(seed: int) -> None:
    values = _creeping(seed)
    on, off = _scores(_ON, values), _scores(_OFF, values)
    assert on[3000:].max() > _THRESHOLD
    assert (on[3000:] > _THRESHOLD).sum() <= 3  # once or twice, not every new top
    # Every earlier value is the bar without the lag: each step of the climb
    # passes the last one by a hair, and nothing else beats the dip's records.
    assert off[3000:].max() < _THRESHOLD
    # Before the climb it reports what the product reports.
    assert (on[:3000] > _THRESHOLD).sum() == (off[:3000] > _THRESHOLD).sum()


def test_a_level_that_stays_up_after_a_step_is_not_news_again() -> None:
    # After a step up, readings inside the new range are no new extreme: the
    # lagged range must not score them for a whole lag.
    values = np.concatenate([_daily(10), _daily(2, seed=1) + 40.0])
    on = _scores(_ON, values)
    after = on[10 * int(_DAY / _STEP) :]
    assert (after > _THRESHOLD).sum() <= 3


def test_the_lagged_range_is_the_range_one_lag_before() -> None:
    lagged = LaggedRange(800.0)  # a mark every 100 s
    low, high = np.inf, -np.inf
    for ts, v in enumerate([5.0, 3.0, 9.0, 4.0, 12.0, 1.0] * 100):
        assert (found := lagged.at_lag(ts * 100.0)) is None or found[1] >= found[0]
        low, high = min(low, v), max(high, v)
        lagged.mark(ts * 100.0, low, high)
    assert lagged.at_lag(599 * 100.0) == (1.0, 12.0)
    fresh = LaggedRange(800.0)
    fresh.mark(0.0, 3.0, 5.0)
    fresh.mark(500.0, 0.0, 9.0)
    assert fresh.at_lag(700.0) is None  # nothing that old yet
    assert fresh.at_lag(1000.0) == (3.0, 5.0)  # the marks at or before 200 s
    assert fresh.at_lag(1300.0) == (0.0, 9.0)


def test_novelty_needs_five_percent_of_the_range_and_a_step_and_a_positive_lag() -> None:
    assert novelty(10.4, 0.0, 10.0, 0.01) == 0.0  # 4 % beyond
    assert novelty(11.0, 0.0, 10.0, 0.01) == pytest.approx(0.5)  # 10 %: 1 - 0.05 / 0.1
    assert novelty(-1.0, 0.0, 10.0, 0.01) == pytest.approx(0.5)  # below as above
    assert novelty(11.0, 0.0, 10.0, 1.0) == 0.0  # one step of a count is not novel
    assert novelty(11.0, 5.0, 5.0, 0.01) == 0.0  # no range yet
    with pytest.raises(ValueError, match="lag"):
        LaggedRange(0.0)
    with pytest.raises(ValueError, match="range_lag_s"):
        ScoreTuning(range_lag_s=-1.0)
