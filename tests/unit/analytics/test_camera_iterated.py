"""The iterated camera update lands on the posterior mode of a reading ``n (1 - g)``."""

from __future__ import annotations

import numpy as np

from twin.analytics.crowd import OccupancyConfig, OccupancyEstimator


def fused(iterated: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A zone predicted at 200 +- 20 whose camera (miss share 0.02 +- 0.1) reads 150 +- 1."""
    cfg = OccupancyConfig(camera_miss_share=0.02, camera_miss_sd=0.1, camera_iterated=iterated)
    est = OccupancyEstimator(["z"], [], cfg, cameras=["z"])
    est.set_occupancy("z", 200.0, 20.0)
    x0, p0 = est.x.copy(), est.P.copy()
    est.observe_cameras({0: (150.0, 1.0)})
    return x0, p0, est.x.copy()


def gradient(x0: np.ndarray, p0: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Gradient of the negative log posterior (Gaussian prior, reading 150 +- 1) at ``x``."""
    n, g = x
    resid = 150.0 - n * (1.0 - g)
    jac = np.array([1.0 - g, -n])
    return np.linalg.solve(p0, x - x0) - jac * resid


def test_the_iterated_update_is_the_posterior_mode() -> None:
    x0, p0, x = fused(True)
    assert np.abs(gradient(x0, p0, x)).max() < 1e-4


def test_the_single_linearisation_is_not() -> None:
    """Linearised at the prediction, the slope on g is -200 where the reading says ~150."""
    x0, p0, x = fused(False)
    assert np.abs(gradient(x0, p0, x)).max() > 1e-2
