"""ScoreTuning: every constant the held-out selection varies reaches the score."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from twin.analytics.anomaly.score_tuning import ScoreTuning
from twin.analytics.anomaly.stream_score import StreamScore


def _score(tuning: ScoreTuning, values: NDArray[np.float64]) -> NDArray[np.float64]:
    scorer = StreamScore(tuning)
    times = 1.4e9 + 300.0 * np.arange(len(values))
    return np.array(
        [scorer.update(t, v) for t, v in zip(times.tolist(), values.tolist(), strict=True)]
    )


def _regular_bursts() -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """Noise with a 30-sigma burst every 700 readings (past the record's memory)."""
    rng = np.random.default_rng(5)
    values = rng.normal(0.0, 1.0, 9000)
    at = np.arange(500, 8000, 700)
    values[at] += 30.0 * rng.uniform(0.95, 1.05, len(at))
    values[8600] += 60.0  # twice the usual burst: news on any tuning
    return values, at


@pytest.mark.parametrize(
    "kwargs",
    [
        {"record_decay": 0.0},
        {"record_decay": 1.5},
        {"record_floor": -1.0},
        {"spike_margin": -0.1},
        {"spike_margin": float("nan")},
    ],
)
def test_out_of_range_tuning_is_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        ScoreTuning(**kwargs)


def test_the_record_decay_is_the_tunings_not_a_fixed_constant() -> None:
    values, at = _regular_bursts()
    kept = _score(ScoreTuning(record_decay=1.0), values)
    fading = _score(ScoreTuning(record_decay=0.999), values)
    # A record that never fades keeps a burst of the same size quiet; one that
    # halves every 700 readings lets each burst through as news.
    assert kept[at[3:]].max() < 0.15
    assert fading[at[3:]].min() > 0.3


def test_the_record_floor_is_the_tunings() -> None:
    rng = np.random.default_rng(6)
    values = rng.normal(0.0, 1.0, 6000)
    low = _score(ScoreTuning(record_floor=3.0), values)
    high = _score(ScoreTuning(record_floor=8.0), values)
    # Once the mean evidence is learnt, 3 x it is within Gaussian noise's
    # reach, 8 x it is not.
    assert (low[3000:] > 0.0).sum() > 10
    assert high[3000:].max() == 0.0


def test_a_burst_of_the_streams_usual_size_is_not_news_with_the_spike_margin() -> None:
    values, at = _regular_bursts()
    plain = _score(ScoreTuning(spike_margin=0.0), values)
    margin = _score(ScoreTuning(spike_margin=1.1), values)
    # Without it each burst beats a record that faded since the last one.
    assert plain[at[-3:]].min() > 0.15
    assert margin[at[-3:]].max() < 0.127
    # A burst twice the usual size is still news.
    assert margin[8600] > 0.5
