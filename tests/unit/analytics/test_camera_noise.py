"""A camera's noise is learned from its innovations: the band follows the camera, not its prior."""

from __future__ import annotations

import numpy as np

from twin.analytics.crowd import OccupancyConfig, OccupancyEstimator


def watch(true_sd: float, stated_sd: float, steps: int = 300) -> tuple[float, float]:
    """A camera-only zone of 50 people read every 10 s: (share of truth in band, mean sd)."""
    rng = np.random.default_rng(0)
    cfg = OccupancyConfig(camera_miss_sd=1e-3, camera_miss_sd_per_h=1e-3)
    est = OccupancyEstimator(["z"], [], cfg, {"z": 50.0}, {"z": 600.0}, ["z"])
    inside, sds = [], []
    for k in range(steps):
        est.predict({}, 10.0)
        est.observe_cameras({0: (50.0 + rng.normal(0.0, true_sd), stated_sd)})
        e = est.estimate()
        if k >= 100:  # once the innovations have been averaged
            inside.append(abs(e.occupancy["z"] - 50.0) <= 1.96 * e.sd["z"])
            sds.append(e.sd["z"])
    return float(np.mean(inside)), float(np.mean(sds))


def test_a_camera_noisier_than_its_prior_widens_the_band() -> None:
    """Stated sd 1.5, true sd 6: with the prior alone the truth was in the band 41 % of the time."""
    coverage, _ = watch(6.0, 1.5)
    assert coverage >= 0.9


def test_a_steady_camera_keeps_its_prior_band() -> None:
    """The prior is a floor: a camera that looks steadier is not trusted beyond it."""
    coverage, sd = watch(0.5, 3.0)
    assert coverage >= 0.9
    assert 1.5 < sd < 2.0
