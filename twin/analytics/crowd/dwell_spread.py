"""The Little's-law pseudo-measurement's spread learned from its innovations (Mehra 1970).

For a measurement of variance ``R``, ``E[nu^2] = H P H^T + R``: the ratio
``(nu^2 - H P H^T) / R`` averaged over recent steps says how far the stated
``R`` is off. As for cameras (``camera_noise.py``), but a pseudo-measurement's
errors are correlated over its window ``W`` (consecutive ones share their
entries): its ``R`` is the per-step variance times the steps in ``W``, so a
step's own variance is ``R / steps`` and a step is worth ``1 / steps`` of a
sample; the counts below are of windows, not of steps.

Unlike a camera's, the factor may narrow as well as widen, within
``[_LOW, _HIGH]`` and only once ``_MIN_WINDOWS`` windows were seen. A
persistent mean innovation (a biased prior) does not average out over the
windows the filter pools: where it is significant the spread is widened to
cover it that many times over, never narrowed. A bias the filter has taken
into its own prediction leaves no mean innovation, so only a bias that
something else contradicts (a camera, the counters) is seen.

On by default for transit zones (``AnalyticsConfig.dwell_spread_learned``):
on held-out seeds it brought the real corridors' bands inside 90-98 %; it
cannot tell a biased prior from an unbiased one where no camera watches
(docs/measurements/crowd-log.md, "The Little's-law spread learned from its
innovations").
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["DwellSpread"]

Vector = npt.NDArray[np.float64]

# Averaged over ~30 windows, used after 10, variance factor within [1/2, 4]
# (1/4 took the biased bi west band to 85 %, design seeds 0-49);
# each window's sample clipped at 16 so one jam is not taken for the spread.
_MEMORY = 30.0
_MIN_WINDOWS = 10.0
_LOW = 0.5
_HIGH = 4.0
_CLIP = 16.0
# A mean innovation this many standard errors from 0 is a bias, not chance.
_BIAS_T = 2.0


class DwellSpread:
    """Innovation statistics of ``n`` pseudo-measured zones; O(zones) state."""

    def __init__(self, n: int) -> None:
        self._excess = np.zeros(n)  # weighted sum of (nu^2 - HPH^T) / R
        self._sq = np.zeros(n)  # weighted sum of nu^2 / R
        self._mean = np.zeros(n)  # weighted sum of nu / sqrt(R)
        self._weight = np.zeros(n)
        self._windows = np.zeros(n)

    def __len__(self) -> int:
        return len(self._sq)

    def factor(self) -> Vector:
        """The variance factor now: 1 until enough windows were seen."""
        out = np.ones(len(self._sq))
        ok = self._windows >= _MIN_WINDOWS
        w = self._weight[ok]
        excess, sq, mean = self._excess[ok] / w, self._sq[ok] / w, self._mean[ok] / w
        n = np.minimum(self._windows[ok], _MEMORY)
        # A bias does not average out over the n windows the filter pools:
        # the spread must cover it n times over (and never narrow).
        biased = mean**2 * n > _BIAS_T**2 * np.maximum(sq - mean**2, 1e-12)
        fitted = np.where(biased, np.maximum(mean**2 * n, 1.0), excess)
        out[ok] = np.clip(fitted, _LOW, _HIGH)
        return out

    def scale(self, innov: Vector, hph: Vector, r: Vector, steps: Vector) -> Vector:
        """``r`` scaled by what the innovations so far show; then learns from these.

        ``steps``: the number of steps in each zone's window (``W / dt``, >= 1).
        """
        out = r * self.factor()
        ok = r > 0
        share = np.where(ok, 1.0 / np.maximum(steps, 1.0), 0.0)
        # One step's own error variance is r / steps: the inflation by the
        # steps in W only pools them (module doc).
        safe_r = np.where(ok, r * share, 1.0)
        keep = 1.0 - share / _MEMORY
        self._excess = keep * self._excess + share * np.minimum((innov**2 - hph) / safe_r, _CLIP)
        self._sq = keep * self._sq + share * np.minimum(innov**2 / safe_r, _CLIP)
        self._mean = keep * self._mean + share * innov / np.sqrt(safe_r)
        self._weight = keep * self._weight + share
        self._windows += share
        return out
