"""Timed rates (``ScoreTuning.timed``): a half-life in hours means the same at any interval.

A decay per reading remembers six times longer, in hours, on a 30-minute
stream than on a 5-minute one; per unit of the stream's own time (the
median of its recent intervals) it does not.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from twin.analytics.anomaly.score_tuning import RATE_GROUPS, ScoreTuning
from twin.analytics.anomaly.stream_rates import rates_for
from twin.analytics.anomaly.stream_score import StreamScore

_HOUR = 3600.0
_DAYS = 40
_BURST_EVERY_H = 72.0  # one burst of the same size every 3 days
_TIMED = ScoreTuning(timed=("records", "report"))
_PER_READING = ScoreTuning()


def _burst_hours() -> NDArray[np.float64]:
    return np.arange(120.0, _DAYS * 24.0, _BURST_EVERY_H)


def _stream(step_s: float, seed: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The same process sampled every ``step_s``: noise and a 30-sigma burst every 3 days."""
    rng = np.random.default_rng(seed)
    times = 1.4e9 + np.arange(0.0, _DAYS * 86400.0, step_s)
    values = rng.normal(0.0, 1.0, len(times))
    for hour in _burst_hours():
        values[round(hour * _HOUR / step_s)] += 30.0
    return times, values


def _scores(
    tuning: ScoreTuning, times: NDArray[np.float64], values: NDArray[np.float64]
) -> list[float]:
    scorer = StreamScore(tuning)
    return [scorer.update(t, v) for t, v in zip(times.tolist(), values.tolist(), strict=True)]


def _reported_burst_hours(
    tuning: ScoreTuning, step_s: float, threshold: float = 0.15
) -> set[float]:
    times, values = _stream(step_s, seed=int(step_s))
    scores = _scores(tuning, times, values)
    reported = set()
    for hour in _burst_hours():
        i = round(hour * _HOUR / step_s)
        if scores[i] >= threshold:
            reported.add(float(hour))
    return reported


def test_timed_records_report_the_same_bursts_at_5_and_30_minutes() -> None:
    five = _reported_burst_hours(_TIMED, 300.0)
    thirty = _reported_burst_hours(_TIMED, 1800.0)
    # The record halves in 4.8 days of time on both: each burst 3 days after
    # the last beats what is left of it, whatever the interval.
    assert len(five) == len(_burst_hours())
    assert five == thirty


def test_per_reading_records_mean_six_times_longer_at_30_minutes() -> None:
    five = _reported_burst_hours(_PER_READING, 300.0)
    thirty = _reported_burst_hours(_PER_READING, 1800.0)
    # The defect timed rates remove: 1,400 readings are 4.8 days at 5 minutes
    # but 29 days at 30, so the same bursts go quiet on the slower stream.
    assert len(five) >= 8
    assert len(thirty) <= len(five) // 2


def test_on_a_five_minute_stream_timed_and_per_reading_rates_agree() -> None:
    times, values = _stream(300.0, seed=9)
    assert _scores(_TIMED, times, values) == _scores(_PER_READING, times, values)


def test_the_streams_step_is_the_median_interval_not_fooled_by_gaps() -> None:
    scorer = StreamScore(_TIMED)
    rng = np.random.default_rng(3)
    t = 1.4e9
    for i in range(400):
        # A 6-hour gap every 50 readings, and jitter of +-20 s.
        t += 6 * _HOUR if i % 50 == 49 else 1800.0 + rng.uniform(-20.0, 20.0)
        scorer.update(t, float(rng.normal()))
    assert abs(scorer.step - 1800.0) <= 20.0


def test_a_per_reading_tuning_keeps_no_interval_ring() -> None:
    scorer = StreamScore(_PER_READING)
    for i in range(30):
        scorer.update(1.4e9 + 1800.0 * i, float(i % 3))
    assert scorer.step == 300.0  # the reference: it never rescales


@pytest.mark.parametrize("timed", [("seconds",), ("records", "records")])
def test_an_unknown_or_repeated_rate_group_is_refused(timed: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="timed must be"):
        ScoreTuning(timed=timed)


def test_a_list_of_rate_groups_is_refused_not_left_unhashable() -> None:
    with pytest.raises(ValueError, match="timed must be a tuple"):
        ScoreTuning(timed=["records"])  # type: ignore[arg-type]


def test_every_rate_group_can_be_timed() -> None:
    assert ScoreTuning(timed=RATE_GROUPS).timed == RATE_GROUPS


def test_per_reading_streams_share_one_rates_instance_timed_ones_do_not() -> None:
    # The live path keeps thousands of StreamScores: a per-reading tuning's
    # rates never change, so they are not copied per stream.
    assert rates_for(_PER_READING) is rates_for(_PER_READING)
    five, thirty = rates_for(_TIMED), rates_for(_TIMED)
    assert five is not thirty
    five.observe(300.0)
    thirty.observe(1800.0)
    assert five.record_decay == _TIMED.record_decay
    assert thirty.record_decay == pytest.approx(_TIMED.record_decay**6)
    assert thirty.report_decay == pytest.approx(0.99**6)
    # Evidence and scale weights are not in this tuning's timed groups.
    assert thirty.alphas == five.alphas
    assert thirty.scale_alpha == five.scale_alpha
