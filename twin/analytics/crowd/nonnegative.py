"""Occupancy conditioned on ``n >= 0`` in the filter's own metric (Simon 2010, sec. 2.3).

A zone whose mean is negative is held at 0 and the people it lacks are taken
from the zones its errors are correlated with (active-set projection), so the
venue total stays where the counters put it. Exact for up to ``MAX_ACTIVE``
negative zones (the usual case: a few zones near empty); beyond that, e.g. a
whole venue emptying at closing, the rest are clipped, which keeps a step's
cost bounded.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["MAX_ACTIVE", "condition_nonnegative"]

PROJECTION_ROUNDS = 4
MAX_ACTIVE = 32

Vector = npt.NDArray[np.float64]


def condition_nonnegative(x0: Vector, p: npt.NDArray[np.float64]) -> Vector:
    """The mean ``x0`` (covariance ``p``) conditioned on its negative entries being 0, clipped."""
    x = x0.copy()
    active = np.zeros(len(x0), dtype=bool)
    for _ in range(PROJECTION_ROUNDS):
        neg = x < 0.0
        if not neg.any() or active.sum() + neg.sum() > MAX_ACTIVE:
            break
        active |= neg
        a = np.flatnonzero(active)
        paa = p[np.ix_(a, a)] + 1e-9 * np.eye(len(a))
        x = x0 - p[:, a] @ np.linalg.solve(paa, x0[a])
    return np.clip(x, 0.0, None)
