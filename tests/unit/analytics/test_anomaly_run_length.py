"""ScoreTuning.run_length: a flat run clearly longer than the stream's earlier runs.

These tests pin what the mechanism does (docs/measurements/anomaly-log.md, "Run-length
novelty", issue 14's tenth NAB session), not a NAB score. NAB's whole-set
threshold there is 0.126.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from twin.analytics.anomaly.run_length import RunLength
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning
from twin.analytics.anomaly.stream_score import StreamScore

_ON = replace(DEFAULT_TUNING, run_length=2.0)
_THRESHOLD = 0.126


def _scores(
    tuning: ScoreTuning,
    values: np.ndarray,
    step: float = 300.0,
    gaps: dict[int, float] | None = None,
) -> np.ndarray:
    """Scores of ``values``, one every ``step`` s; ``gaps[i]`` s more before reading ``i``."""
    scorer = StreamScore(tuning)
    out, ts = [], 0.0
    for i, v in enumerate(values):
        ts += step + (gaps or {}).get(i, 0.0)
        out.append(scorer.update(ts, float(v)))
    return np.array(out)


def _lively_then_stuck(stuck: int, seed: int = 0) -> np.ndarray:
    """3,000 readings of unit noise around 10, then ``stuck`` readings at 9.7 (inside the noise)."""
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(10.0, 1.0, 3000), np.full(stuck, 9.7)])


def test_a_stream_flat_from_the_start_never_scores() -> None:
    # NAB's artificialNoAnomaly flatline: one value throughout is not a run
    # longer than usual, it is all the stream has ever shown.
    assert not _scores(_ON, np.full(5000, 3.0)).any()


def test_a_long_stuck_run_after_a_lively_stream_is_reported_once() -> None:
    values = _lively_then_stuck(400)
    on, off = _scores(_ON, values), _scores(DEFAULT_TUNING, values)
    stuck = on[3001:]
    assert (stuck > _THRESHOLD).sum() == 1  # once per run, not every reading
    assert stuck.max() >= 0.5  # twice the bar: 1 - bar / length
    assert not off[3000:].any()  # the other evidences see nothing: the level learns 9.7
    assert np.array_equal(on[:3000], off[:3000])  # nothing changes while the stream is lively


def test_a_short_stuck_run_is_not_reported() -> None:
    # Continuous noise has runs of 1: the bar is the floor (5 x the mean
    # run), so a handful of repeats is not news.
    assert not _scores(_ON, _lively_then_stuck(6))[3000:].any()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_mostly_zero_count_streams_ordinary_runs_of_zero_score_nothing(seed: int) -> None:
    # Poisson(0.05) counts: runs of zeros average 20 readings, separated by
    # one-reading runs. With the mean taken over runs (not readings) the
    # bar halves and ordinary runs of zeros scored (3 rows per 20,000).
    values = np.random.default_rng(seed).poisson(0.05, 20_000).astype(float)
    assert np.array_equal(_scores(_ON, values), _scores(DEFAULT_TUNING, values))


def test_a_coarse_thermometers_ordinary_runs_score_nothing() -> None:
    # A daily cycle of 0.5 degC read at 0.1 degC resolution: runs of equal
    # readings of every length up to dozens, all of them ordinary.
    rng = np.random.default_rng(4)
    t = np.arange(7200)
    values = np.round(20.0 + 0.5 * np.sin(2 * np.pi * t / 1440) + rng.normal(0, 0.03, 7200), 1)
    assert np.array_equal(_scores(_ON, values, step=60.0), _scores(DEFAULT_TUNING, values, 60.0))


def test_a_gap_neither_ends_a_run_nor_counts_as_readings_of_it() -> None:
    # 8 repeats are under twice the bar (about 2 x 5 readings); the same 8
    # with a day's gap in the middle are still 8 readings: no report.
    short = _lively_then_stuck(8)
    gap = {3004: 86_400.0}
    assert not _scores(_ON, short)[3000:].any()
    assert not _scores(_ON, short, gaps=gap)[3000:].any()
    # 16 repeats report, with or without the gap: it did not end the run.
    long = _lively_then_stuck(16)
    assert (_scores(_ON, long)[3000:] > _THRESHOLD).sum() == 1
    assert (_scores(_ON, long, gaps=gap)[3000:] > _THRESHOLD).sum() == 1


def test_a_run_the_stream_has_shown_before_is_not_news() -> None:
    # The same 40-reading stuck spell twice, 500 readings apart: the first
    # is new (the stream's runs were 1 reading), the second is its record.
    rng = np.random.default_rng(1)
    values = rng.normal(10.0, 1.0, 4000)
    values[2000:2040] = 9.7
    values[2540:2580] = 9.8
    scores = _scores(_ON, values)
    assert (scores[2001:2040] > _THRESHOLD).sum() == 1
    assert not scores[2541:2580].any()


def test_the_product_keeps_run_length_novelty_off_and_bad_factors_are_refused() -> None:
    # Measured in issue 14's tenth NAB session and not switched on: it
    # caught no NAB window and added false rows (docs/anomaly.md).
    assert DEFAULT_TUNING.run_length == 0.0
    values = _lively_then_stuck(400)
    scorer = StreamScore()  # what SensorDetector and `anomaly score` build
    product = np.array([scorer.update(300.0 * (i + 1), float(v)) for i, v in enumerate(values)])
    assert not product[3000:].any()  # the stuck spell stays unseen by the product
    for bad in (1.0, 0.5, -2.0):
        with pytest.raises(ValueError, match="run_length"):
            ScoreTuning(run_length=bad)
    with pytest.raises(ValueError, match="factor"):
        RunLength(1.0, 5.0)
