"""ScoreTuning.spike_tail_risk: a spike withheld when the stream's own tail makes it ordinary.

Issue 14, nab52 session (the product's at 0.01 since then). The spike
strengths' peaks over their 98 % quantile are fitted by a generalised Pareto
distribution (SPOT, Siffer et al. 2017) by probability-weighted moments; a
spike whose tail probability is above the risk is not reported. These tests
pin the estimator and the mechanism, not a NAB score.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy.stats import genpareto

from bench.nab_synthetic import counts
from twin.analytics.anomaly import stream_score
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning
from twin.analytics.anomaly.spike_tail import (
    MIN_PEAKS,
    PEAK_QUANTILE,
    PeakQuantile,
    SpikeTail,
    gpd_pwm,
)
from twin.analytics.anomaly.stream_score import StreamScore

_ON = DEFAULT_TUNING
# The product before issue 14's nab52 session.
_OFF = replace(DEFAULT_TUNING, spike_tail_risk=0.0)


@pytest.mark.parametrize("shape", [-0.2, 0.0, 0.3])
def test_pwm_recovers_the_shape_and_scale(shape: float) -> None:
    y = genpareto.rvs(shape, scale=2.0, size=5000, random_state=np.random.default_rng(0))
    fit = gpd_pwm(y.tolist())
    assert fit is not None
    xi, sigma = fit
    assert xi == pytest.approx(shape, abs=0.05)
    assert sigma == pytest.approx(2.0, rel=0.08)


def test_pwm_stays_below_one_and_needs_spread() -> None:
    # Shape 1.5 (no finite mean): the estimate is below 1 by construction
    # (a1 > 0), biased low; equal excesses have no estimate.
    y = genpareto.rvs(1.5, size=2000, random_state=np.random.default_rng(1))
    fit = gpd_pwm(y.tolist())
    assert fit is not None
    assert 0.5 < fit[0] < 1.0
    assert gpd_pwm([2.0] * 20) is None
    assert gpd_pwm([1.0]) is None


def test_the_peak_quantile_follows_the_sample() -> None:
    x = np.abs(np.random.default_rng(2).standard_normal(50_000))
    quantile = PeakQuantile(PEAK_QUANTILE)
    for v in x.tolist():
        quantile.add(v)
    assert quantile.value == pytest.approx(float(np.quantile(x, PEAK_QUANTILE)), rel=0.03)


def test_an_equal_sigma_spike_is_ordinary_on_a_heavy_tail_and_rare_on_a_light_one() -> None:
    rng = np.random.default_rng(3)
    heavy, light = SpikeTail(), SpikeTail()
    for v in np.abs(rng.standard_t(1.5, 20_000)).tolist():
        heavy.learn(v)
    for v in np.abs(rng.standard_normal(20_000)).tolist():
        light.learn(v)
    # Six sigma: a reading in about 60 on Student's t with 1.5 degrees of
    # freedom, about 2e-9 on Gaussian noise.
    assert heavy.probability(6.0) > 0.01
    assert light.probability(6.0) < 1e-4
    # Below the 98 % quantile a strength is not a peak: the tail's whole share.
    assert light.probability(1.0) == pytest.approx(1.0 - PEAK_QUANTILE)


def test_too_few_peaks_are_not_judged() -> None:
    tail = SpikeTail()
    for v in [1.0] * 200:
        tail.learn(v)
    # Equal values: no strength beats the quantile, so no peak; not judged.
    assert tail.probability(50.0) == 0.0
    for v in np.linspace(2.0, 3.0, MIN_PEAKS - 2).tolist():
        tail.learn(v)
    assert tail.probability(50.0) == 0.0


def _scores(tuning: ScoreTuning, seed: int) -> np.ndarray:
    t, v = counts(seed)
    scorer = StreamScore(tuning)
    return np.array([scorer.update(a, b) for a, b in zip(t.tolist(), v.tolist(), strict=True)])


class _Ordinary(SpikeTail):
    """A tail that calls every spike ordinary: the gate's wiring, apart from the estimate."""

    def probability(self, x: float) -> float:
        return 1.0 - PEAK_QUANTILE


def test_only_spike_reports_are_withheld_and_the_state_learns_as_without_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Synthetic counts, a design seed (100); the first 4,000 readings.
    product = _scores(_OFF, 100)[:4000]
    monkeypatch.setattr(stream_score, "SpikeTail", _Ordinary)
    gated = _scores(_ON, 100)[:4000]
    withheld = np.flatnonzero(gated != product)
    assert withheld.size > 0  # the product reports spikes on these counts
    # Only spike reports: the product's other reports stay (new extremes, shifts).
    assert withheld.size < np.count_nonzero(product)
    # Output only: no reading scores more.
    assert (gated <= product).all()
    assert (product[withheld] > 0.0).all()


def test_the_product_has_it_and_off_has_no_tail() -> None:
    assert DEFAULT_TUNING.spike_tail_risk == 0.01
    assert StreamScore(_OFF)._tail is None
    assert isinstance(StreamScore(_ON)._tail, SpikeTail)
    with pytest.raises(ValueError, match="spike_tail_risk"):
        ScoreTuning(spike_tail_risk=1.0)


def test_with_the_estimate_no_reading_scores_more() -> None:
    product, tail = _scores(_OFF, 102)[:4000], _scores(_ON, 102)[:4000]
    assert (tail <= product).all()
