"""An hourly drift residual like the simulator's rooms give, for the slow path's tests."""

from __future__ import annotations

import numpy as np

RATE = 0.5 / 168.0  # 0.5 degC a week, per hour


def noise(hours: int, seed: int) -> np.ndarray:
    """Small hour-to-hour scatter (0.005) and, once a day, a burst of a few
    hours ten times larger (a busy afternoon)."""
    rng = np.random.default_rng(seed)
    out = rng.normal(0.0, 0.005, hours)
    for day in range(hours // 24):
        at = day * 24 + int(rng.integers(8, 16))
        out[at : at + 4] += rng.choice((-1.0, 1.0)) * rng.uniform(0.03, 0.1)
    return out
