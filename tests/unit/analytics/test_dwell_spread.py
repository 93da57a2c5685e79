"""The Little's-law pseudo-measurement's spread learned from its innovations (dwell_spread.py)."""

from __future__ import annotations

import numpy as np

from twin.analytics.crowd import OccupancyEstimator
from twin.analytics.crowd.dwell_prior import DwellPrior, DwellPriorConfig
from twin.analytics.crowd.dwell_spread import DwellSpread

STEPS = 400
TRUE_SD = 2.0


def track(
    stated_var: float, bias: float = 0.0, camera_sd: float | None = None, learn: bool = True
) -> tuple[float, float]:
    """A zone of ~20 people with turnover, a pseudo-measurement each 10 s step.

    The pseudo-measurement reads the truth + ``bias`` + noise of sd 2 and
    says its variance is ``stated_var``; ``camera_sd``: a camera reads the
    zone too. Returns (share of steps with the truth in the 95 % band, mean
    stated-variance factor), over the steps after the first 100.
    """
    rng = np.random.default_rng(7)
    est = OccupancyEstimator(["z"], [], initial={"z": 20.0}, open_zones={"z": 600.0})
    spread = DwellSpread(1)
    n = 20.0
    inside, factors = [], []
    for k in range(STEPS):
        n = max(0.0, n + rng.normal(0.0, np.sqrt(2.0 * (n + 1.0) * 10.0 / 600.0)))
        est.predict({}, 10.0)
        z = n + bias + rng.normal(0.0, TRUE_SD)
        r = np.array([stated_var])
        if learn:
            innov = np.array([z - est.x[0]])
            r = spread.scale(innov, np.array([est.P[0, 0]]), r, np.ones(1))
        est.observe_many({"z": (max(z, 0.0), float(np.sqrt(r[0])))})
        if camera_sd is not None:
            est.observe("z", max(n + rng.normal(0.0, camera_sd), 0.0), camera_sd)
        e = est.estimate()
        if k >= 100:
            inside.append(abs(e.occupancy["z"] - n) <= 1.96 * e.sd["z"])
            factors.append(r[0] / stated_var)
    return float(np.mean(inside)), float(np.mean(factors))


def test_a_spread_stated_too_narrow_is_widened_to_a_calibrated_band() -> None:
    """Stated variance a third of the truth's: the band held the truth 80 % of steps unlearned."""
    unlearned, _ = track(TRUE_SD**2 / 3.0, learn=False)
    coverage, factor = track(TRUE_SD**2 / 3.0)
    assert unlearned < 0.85
    assert 0.9 <= coverage <= 0.98
    assert 2.0 < factor <= 4.0


def test_a_spread_stated_too_wide_is_narrowed_within_its_bound() -> None:
    """Stated variance twice the truth's (band 97.7 % unlearned): narrowed, never below 1/2."""
    unlearned, _ = track(2.0 * TRUE_SD**2, learn=False)
    coverage, factor = track(2.0 * TRUE_SD**2)
    assert unlearned > 0.97
    assert 0.92 <= coverage <= unlearned - 0.01
    assert 0.5 <= factor < 0.8


def test_a_biased_prior_widens_where_a_camera_shows_the_bias() -> None:
    """Off by +4 people, noise sd 2 as stated; a camera shows the bias: in band 3 % -> 54 %."""
    unlearned, _ = track(TRUE_SD**2, bias=4.0, camera_sd=3.0, learn=False)
    coverage, factor = track(TRUE_SD**2, bias=4.0, camera_sd=3.0)
    assert factor > 2.0
    assert coverage > unlearned + 0.2


def test_nothing_is_learned_before_enough_windows() -> None:
    """Correlated steps are a fraction of a sample: 5 steps of a 5-step window are one."""
    spread = DwellSpread(1)
    for _ in range(45):
        out = spread.scale(np.array([0.0]), np.array([0.0]), np.array([10.0]), np.array([5.0]))
    assert out[0] == 10.0
    for _ in range(10):
        out = spread.scale(np.array([0.0]), np.array([0.0]), np.array([10.0]), np.array([5.0]))
    assert out[0] < 10.0


def test_the_prior_uses_the_learned_spread_only_when_configured() -> None:
    variances = []
    for learn in (False, True):
        prior = DwellPrior(1, {0: (2.0, 30.0)}, {}, DwellPriorConfig(learned_spread=learn))
        for k in range(60):
            prior.step(float(k + 1), 1.0, np.array([1.0]))
            _, _, var = prior.pseudo(
                float(k + 1), 1.0, np.array([1.5]), {0: 1.0}, (z_at(k), np.array([0.1]))
            )
        variances.append(float(var[0]))
    # The predicted occupancy matched the pseudo-measurement every step: narrowed.
    assert variances[1] < variances[0]


def z_at(k: int) -> np.ndarray:
    """The entries of the last 2 s (one a second), as the prior will say."""
    return np.array([min(float(k + 1), 2.0)])


def test_a_stay_zone_keeps_its_stated_spread() -> None:
    """Only transit zones learn: narrowed, the simulator's galleries fell below 90 % (crowd-log)."""
    variances = []
    for learn in (False, True):
        prior = DwellPrior(1, {}, {0: 600.0}, DwellPriorConfig(learned_spread=learn))
        for k in range(900):  # 15 windows of 600 s
            prior.step(10.0 * (k + 1), 10.0, np.array([1.0]))
            _, _, var = prior.pseudo(
                10.0 * (k + 1), 10.0, np.array([5.0]), None, (np.zeros(1), np.ones(1))
            )
        variances.append(float(var[0]))
    assert variances[1] == variances[0]
