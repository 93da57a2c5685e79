"""The residual scale following the stream's own mean-spread law (``ScoreTuning.spread_law``).

``spread_law.SpreadLaw`` fits Taylor's exponent ``b`` (spread ~ mean ** b)
online and scales the residual scale by ``(prediction / m) ** (b / 2)``; off
in the product (issue 14, twenty-fifth NAB session; docs/measurements/anomaly-log.md).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from numpy.typing import NDArray

from twin.analytics.anomaly import StreamScore
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning
from twin.analytics.anomaly.spread_law import SpreadLaw

_MAD_TO_SIGMA = 1.2533141373155001
_N = 20_000


def _daily_mean() -> NDArray[np.float64]:
    t = 300.0 * np.arange(_N)
    mean: NDArray[np.float64] = 20.0 * (1.0 + 0.8 * np.sin(2.0 * math.pi * t / 86400.0 - 2.0)) + 1.0
    return mean


def _gamma_poisson(seed: int) -> NDArray[np.float64]:
    """Overdispersed counts on a daily cycle: variance m + m**2 / 4, so spread ~ m ** 0.5-1."""
    rng = np.random.default_rng(seed)
    values: NDArray[np.float64] = rng.poisson(rng.gamma(4.0, _daily_mean() / 4.0)).astype(
        np.float64
    )
    return values


def _tail_shares(values: NDArray[np.float64], with_law: bool) -> tuple[float, float, SpreadLaw]:
    """Share of |z| > 4 in the busy and the quiet half of the day, the scale an EWMA at 0.01."""
    mean = _daily_mean()
    law = SpreadLaw()
    scale = abs(values[0] - mean[0])
    big = {True: 0, False: 0}
    seen = {True: 0, False: 0}
    for i, (p, v) in enumerate(zip(mean.tolist(), values.tolist(), strict=True)):
        r = v - p
        factor = law.factors(p, 0.5)[0] if with_law else 1.0
        z = r / max(0.5, scale * _MAD_TO_SIGMA * factor)
        if i > 3000:
            busy = p > 21.0
            seen[busy] += 1
            big[busy] += abs(z) > 4.0
        law.learn(v, p, r, 0.5, 0.01, 0.002)
        scale += 0.01 * (min(abs(r), 3.0 * scale * _MAD_TO_SIGMA) - scale)
    return big[True] / seen[True], big[False] / seen[False], law


@pytest.mark.parametrize("seed", [7, 8])
def test_counts_exponent_found_and_busy_tail_thinned(seed: int) -> None:
    values = _gamma_poisson(seed)
    busy_before, quiet_before, _ = _tail_shares(values, with_law=False)
    busy_after, quiet_after, law = _tail_shares(values, with_law=True)
    # Between Poisson's 0.5 and the gamma's 1.
    assert 0.6 < law.b < 0.95
    # Without the law the busy hours' tail is many times the quiet hours'.
    assert busy_before > 5.0 * quiet_before
    assert busy_after < 0.5 * busy_before
    assert quiet_after <= quiet_before * 1.5 + 1e-3


def test_spread_not_following_level_keeps_exponent_zero() -> None:
    rng = np.random.default_rng(3)
    mean = _daily_mean() + 20.0
    values = mean + rng.normal(0.0, 2.0, _N)
    law = SpreadLaw()
    for p, v in zip(mean.tolist(), values.tolist(), strict=True):
        law.learn(v, p, v - p, 1e-3, 0.01, 0.002)
        assert law.b == 0.0
    assert law.factors(60.0, 1e-3) == (1.0, 1.0)


def test_negative_value_switches_the_law_off_for_good() -> None:
    values = _gamma_poisson(9)
    mean = _daily_mean()
    law = SpreadLaw()
    for p, v in zip(mean.tolist(), values.tolist(), strict=True):
        law.learn(v, p, v - p, 0.5, 0.01, 0.002)
    assert law.b > 0.0
    law.learn(-1.0, 5.0, -6.0, 0.5, 0.01, 0.002)
    assert law.b == 0.0
    for p, v in zip(mean.tolist()[:3000], values.tolist()[:3000], strict=True):
        law.learn(v, p, v - p, 0.5, 0.01, 0.002)
    assert law.b == 0.0


def _scores(tuning: ScoreTuning, values: NDArray[np.float64]) -> list[float]:
    scorer = StreamScore(tuning)
    t0 = 1.4e9
    return [scorer.update(t0 + 300.0 * i, v) for i, v in enumerate(values.tolist())]


def test_scores_unchanged_where_spread_does_not_follow_level() -> None:
    rng = np.random.default_rng(4)
    values = _daily_mean() + 20.0 + rng.normal(0.0, 2.0, _N)
    taylor = replace(DEFAULT_TUNING, spread_law="taylor")
    assert _scores(taylor, values) == _scores(DEFAULT_TUNING, values)


def test_counts_scored_with_the_law_fire_less() -> None:
    values = _gamma_poisson(11)
    taylor = replace(DEFAULT_TUNING, spread_law="taylor")
    start = math.ceil(0.15 * _N)
    before = sum(s >= 0.1262 for s in _scores(DEFAULT_TUNING, values)[start:])
    after = sum(s >= 0.1262 for s in _scores(taylor, values)[start:])
    assert after < before


def test_anscombe_only_on_integer_streams() -> None:
    rng = np.random.default_rng(5)
    anscombe = replace(DEFAULT_TUNING, spread_law="anscombe")
    real = _daily_mean() + rng.normal(0.0, 2.0, _N)
    assert _scores(anscombe, real) == _scores(DEFAULT_TUNING, real)
    counts = _gamma_poisson(12)
    assert _scores(anscombe, counts) != _scores(DEFAULT_TUNING, counts)


def test_off_in_the_product_and_validated() -> None:
    assert DEFAULT_TUNING.spread_law == ""
    with pytest.raises(ValueError, match="spread_law"):
        ScoreTuning(spread_law="boxcox")
