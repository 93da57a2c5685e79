"""The profiles' bins weighed per visit (``ScoreTuning.profile_per_visit``, off in the product).

A visit is one pass of the day (or week) through a half-hour bin. Per
reading, a 5-minute stream's bin gets six updates a visit at weight 0.2 and
forgets a day within a day and a half; per visit, every stream's bin keeps
about five visits, whatever its sampling interval (issue 14, eleventh NAB
session; docs/measurements/anomaly-log.md).
"""

from __future__ import annotations

from array import array
from dataclasses import replace

import numpy as np
import pytest

from twin.analytics.anomaly import StreamScore
from twin.analytics.anomaly.profile_bins import (
    BIN_SECONDS,
    PROFILE_ALPHA,
    learn_bin,
    visit_weight,
)
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning


def _bin_after(visits: list[float], interval: float, per_visit: bool) -> float:
    """One bin's mean after passes at these values, each pass its readings at ``interval``."""
    means = array("f", [0.0])
    seen = array("H", [0])
    readings = max(1, round(BIN_SECONDS / interval))
    alpha = visit_weight(interval) if per_visit else PROFILE_ALPHA
    for value in visits:
        for _ in range(readings):
            learn_bin(means, seen, 0, value, alpha, 0xFFFF)
    return means[0]


@pytest.mark.parametrize("interval", [10.0, 60.0, 300.0, 1800.0, 3600.0])
def test_one_odd_visit_moves_a_settled_bin_by_a_fifth_at_any_interval(interval: float) -> None:
    days = [0.0] * 20 + [10.0]  # settled at 0, then one day at 10
    assert _bin_after(days, interval, per_visit=True) == pytest.approx(2.0, abs=0.01)


def test_per_reading_a_five_minute_bin_forgets_a_day_within_the_next() -> None:
    # What the option corrects: six readings at 0.2 take 74 % of the odd day.
    assert _bin_after([0.0] * 20 + [10.0], 300.0, per_visit=False) == pytest.approx(7.38, abs=0.01)
    assert _bin_after([0.0] * 20 + [10.0], 1800.0, per_visit=False) == pytest.approx(2.0)


def test_a_bin_is_a_plain_average_of_its_first_five_visits() -> None:
    # (1 / weight is 27.4 readings, a little under five visits of six)
    assert _bin_after([1.0, 2.0, 3.0, 4.0, 5.0], 300.0, per_visit=True) == pytest.approx(
        3.0, abs=0.05
    )


def test_an_unknown_interval_keeps_the_visit_weight() -> None:
    assert visit_weight(0.0) == PROFILE_ALPHA
    assert visit_weight(7200.0) == PROFILE_ALPHA


def test_a_daily_profile_per_visit_predicts_a_noisy_cycle_closer_to_its_noise() -> None:
    # 14 days of a 5-minute cycle in unit noise: per visit, each bin averages
    # about 30 readings instead of about 9, so its error is nearer E|N(0,1)|.
    rng = np.random.default_rng(0)
    n = 14 * 288
    t = 1.4e9 + 300.0 * np.arange(n)
    v = 10.0 + 3.0 * np.sin(2.0 * np.pi * np.arange(n) / 288) + rng.normal(0.0, 1.0, n)
    errors = {}
    for on in (False, True):
        scorer = StreamScore(replace(DEFAULT_TUNING, profile_per_visit=on))
        daily = []
        for i, (ts, x) in enumerate(zip(t.tolist(), v.tolist(), strict=True)):
            if i >= 7 * 288:  # after a week: each bin has had seven visits
                d = int(ts % 86400 * 48 // 86400)
                daily.append(abs(x - scorer._day[d]))  # the daily profile's prediction
            scorer.update(ts, x)
        errors[on] = float(np.mean(daily))
    assert errors[True] < 0.83 < errors[False]


def test_the_product_keeps_it_off() -> None:
    assert DEFAULT_TUNING.profile_per_visit is False
    assert ScoreTuning().profile_per_visit is False
