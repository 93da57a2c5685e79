"""The combined anomaly score: likelihood, seasonal residual, novelty, one report per event."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import log_ndtr

from twin.analytics.anomaly import AnomalyConfigError, DetectorConfig, SensorDetector
from twin.analytics.anomaly.combined import NOVEL_SCORE
from twin.analytics.anomaly.likelihood import AnomalyLikelihood
from twin.analytics.anomaly.novelty import RangeNovelty
from twin.analytics.anomaly.seasonal import SeasonalProfile, SeasonalResidual
from twin.analytics.anomaly.suppression import EventSuppressor

HALF_HOUR = 1800.0
DAY = 86400.0


def _scores(ts: np.ndarray, values: np.ndarray, config: DetectorConfig | None = None) -> np.ndarray:
    detector = SensorDetector(config)
    out = np.zeros(len(values))
    for i, (t, v) in enumerate(zip(ts.tolist(), values.tolist(), strict=True)):
        detector.update(t, v)
        out[i] = detector.anomaly_score
    return out


def test_likelihood_is_silent_in_warmup_and_judges_against_own_history() -> None:
    rng = np.random.default_rng(3)
    for scale in (0.01, 100.0):  # the same relative outlier on a quiet and a loud stream
        lk = AnomalyLikelihood(warmup=100)
        raw = np.abs(rng.normal(0.0, scale, 1000))
        surprises = [lk.update(r) for r in raw.tolist()]
        assert surprises[:100] == [0.0] * 100
        # |noise| has a heavier tail than the fitted Gaussian, but not by much.
        assert max(surprises[100:]) < 10.0
        assert lk.update(10.0 * scale) > 30.0


def test_likelihood_short_average_needs_a_sustained_rise() -> None:
    lk = AnomalyLikelihood(short=10, warmup=50)
    rng = np.random.default_rng(4)
    for r in np.abs(rng.normal(0.0, 1.0, 500)).tolist():
        lk.update(r)
    one = lk.update(4.0)  # one moderate reading barely moves a 10-reading average
    sustained = max(lk.update(4.0) for _ in range(9))
    assert sustained > 3.0 * one


def test_likelihood_surprise_is_the_gaussian_tail_even_far_out() -> None:
    def trained() -> AnomalyLikelihood:
        lk = AnomalyLikelihood(long_alpha=0.5, warmup=10)
        for _ in range(10):
            lk.update(0.0)
        return lk

    # Mean 0, standard deviation at its 1e-6 floor: raw x is z = x * 1e6.
    zs = (3.0, 34.9, 35.1, 60.0)
    surprises = [trained().update(z * 1e-6) for z in zs]
    expected = [-float(log_ndtr(-z)) / math.log(10.0) for z in zs]
    assert surprises == pytest.approx(expected, rel=1e-6)
    assert surprises == sorted(surprises)


def test_seasonal_profile_learns_each_bin_separately() -> None:
    profile = SeasonalProfile(DAY, 24, alpha=0.5)
    noon = profile.bin_of(12 * 3600.0 + 5.0)
    assert noon == 12
    assert profile.bin_of(DAY + 12 * 3600.0) == noon
    assert math.isnan(profile.predict(noon))
    profile.learn(noon, 10.0)
    profile.learn(noon, 20.0)
    assert profile.predict(noon) == pytest.approx(15.0)
    assert math.isnan(profile.predict(13))


def _daily(days: int, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    ts = np.arange(days * 48) * HALF_HOUR
    rng = np.random.default_rng(seed)
    values = 100.0 + 20.0 * np.sin(2 * np.pi * ts / DAY) + rng.normal(0.0, 1.0, len(ts))
    return ts, values


def test_seasonal_residual_is_used_only_for_periodic_streams() -> None:
    ts, values = _daily(14)
    periodic = SeasonalResidual(6.0)
    level = values[0]
    for t, v in zip(ts.tolist(), values.tolist(), strict=True):
        periodic.update(t, v, level)
        level += 0.05 * (v - level)
    assert periodic.periodic

    noise = SeasonalResidual(6.0)
    rng = np.random.default_rng(6)
    for t, v in zip(ts.tolist(), (100.0 + rng.normal(0.0, 1.0, len(ts))).tolist(), strict=True):
        assert noise.update(t, v, 100.0) == 0.0
    assert not noise.periodic


def test_a_flat_day_in_a_daily_cycle_scores_above_every_normal_day() -> None:
    # A holiday: the value sits at the daily mean all day. Every reading is
    # ordinary for the level; only the time of day makes it wrong.
    ts, values = _daily(28)
    holiday = slice(20 * 48, 21 * 48)
    values[holiday] = 100.0 + np.random.default_rng(8).normal(0.0, 1.0, 48)
    seasonal = _scores(ts, values, DetectorConfig(range_tolerance=None))
    normal = np.r_[seasonal[10 * 48 : 20 * 48], seasonal[22 * 48 :]]
    assert seasonal[holiday].max() > normal.max() + 0.1
    level_only = _scores(ts, values, DetectorConfig(seasonal=False, range_tolerance=None))
    assert level_only[holiday].max() < seasonal[holiday].max()


def test_range_novelty_flags_only_values_beyond_the_margin_after_warmup() -> None:
    novelty = RangeNovelty(tolerance=0.1, warmup=3)
    assert [novelty.update(v) for v in (0.0, 10.0, 100.0)] == [False, False, False]
    assert novelty.update(105.0) is False  # within 10 % of the 0..100 range
    assert novelty.update(120.0) is True
    assert novelty.update(-5.0) is False
    assert novelty.update(-20.0) is True
    assert (novelty.low, novelty.high) == (-20.0, 120.0)


def test_suppressor_keeps_the_first_of_a_run_and_a_later_larger_event() -> None:
    suppressor = EventSuppressor(decay=0.99, damping=0.5)
    out = [suppressor.update(s) for s in (0.1, 0.8, 0.8, 0.8, 0.2, 0.9)]
    assert out == pytest.approx([0.1, 0.8, 0.4, 0.4, 0.1, 0.9])
    for _ in range(500):  # the record decays: a repeat of the same event counts again
        suppressor.update(0.0)
    assert suppressor.update(0.8) == pytest.approx(0.8)


def test_a_level_step_scores_high_once_not_for_its_duration() -> None:
    rng = np.random.default_rng(9)
    values = 20.0 + rng.normal(0.0, 0.2, 3000)
    values[2000:] += 3.0  # 15 sigma: a new level
    # Novelty off: in long plain noise a new extreme now and then is novel too.
    scores = _scores(np.arange(3000) * 60.0, values, DetectorConfig(range_tolerance=None))
    peak = int(np.argmax(scores))
    assert 2000 <= peak <= 2005
    assert scores[peak] > 0.6
    high = np.flatnonzero(scores > scores[peak] / 2.0)
    assert len(high[high >= 2000]) <= 3
    assert scores[:2000].max() < scores[peak] / 2.0


def test_a_slow_climb_to_a_new_extreme_scores_as_novel() -> None:
    # A climb the moving level follows, so the residual stays small; the
    # noise is bounded, so before the climb no reading leaves the band.
    rng = np.random.default_rng(10)
    values = 20.0 + rng.uniform(-1.0, 1.0, 2000)
    values[1500:] += np.linspace(0.0, 8.0, 500)
    scores = _scores(np.arange(2000) * 60.0, values)
    first = int(np.argmax(scores >= NOVEL_SCORE))
    assert 1500 < first < 1800
    assert scores[:1500].max() < NOVEL_SCORE


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"range_tolerance": -0.1}, "range_tolerance"),
        ({"range_tolerance": math.inf}, "range_tolerance"),
        ({"event_decay": 1.0}, "event_decay"),
        ({"event_decay": -0.5}, "event_decay"),
    ],
)
def test_invalid_score_settings_are_refused(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(AnomalyConfigError, match=match):
        DetectorConfig(**kwargs)  # type: ignore[arg-type]


def test_without_suppression_a_sustained_excursion_scores_high_throughout() -> None:
    rng = np.random.default_rng(12)
    values = 20.0 + rng.normal(0.0, 0.2, 1500)
    values[1000:1010] += 3.0
    cfg = DetectorConfig(range_tolerance=None, event_decay=None)
    raw = _scores(np.arange(1500) * 60.0, values, cfg)
    once = _scores(np.arange(1500) * 60.0, values, DetectorConfig(range_tolerance=None))
    assert (raw[1000:1003] > 0.5).all()
    assert (once[1000:1010] > 0.5).sum() < (raw[1000:1010] > 0.5).sum()
