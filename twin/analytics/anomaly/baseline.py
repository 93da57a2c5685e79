"""Robust running level and noise scale of one stream, in O(1) state."""

from __future__ import annotations

__all__ = ["Baseline"]

# sigma = sqrt(pi / 2) * mean absolute deviation for Gaussian noise.
_MAD_TO_SIGMA = 1.2533141373155001
# Residuals are winsorised at this many scales before they move the level, so
# a spike barely moves it while a real change is still followed.
_CLIP_SIGMA = 3.0


class Baseline:
    """Exponentially weighted level and mean absolute deviation, winsorised.

    During the first ``warmup`` readings the weights are ``1 / n`` (a plain
    mean), so the estimates settle quickly instead of remembering the first
    reading for ``1 / alpha`` readings.
    """

    __slots__ = ("_alpha", "_scale_alpha", "_warmup", "count", "mad", "mean", "min_scale")

    def __init__(self, alpha: float, scale_alpha: float, min_scale: float, warmup: int) -> None:
        self._alpha = alpha
        self._scale_alpha = scale_alpha
        self._warmup = warmup
        self.min_scale = min_scale
        self.mean = 0.0
        self.mad = 0.0
        self.count = 0

    @property
    def scale(self) -> float:
        """Robust noise standard deviation (never below ``min_scale``)."""
        return max(self.mad * _MAD_TO_SIGMA, self.min_scale)

    @property
    def ready(self) -> bool:
        return self.count >= self._warmup

    def z(self, value: float) -> float:
        """Standardised residual of ``value`` against the level before it."""
        return (value - self.mean) / self.scale

    def update(self, value: float) -> None:
        self.count += 1
        if self.count == 1:
            self.mean = value
            return
        residual = value - self.mean
        if self.count <= self._warmup:
            weight = 1.0 / self.count
            self.mean += weight * residual
            self.mad += weight * (abs(residual) - self.mad)
            return
        limit = _CLIP_SIGMA * self.scale
        clipped = limit if residual > limit else (-limit if residual < -limit else residual)
        self.mean += self._alpha * clipped
        self.mad += self._scale_alpha * (abs(clipped) - self.mad)

    def reset_level(self, value: float) -> None:
        """Jump the level to ``value`` after a confirmed level shift."""
        self.mean = value
