"""One anomaly score per reading, in [0, 1], for NAB-style scoring and ranking.

NAB sweeps one threshold over every stream of a corpus, so a score must mean
the same on a quiet sensor and a noisy one. As in Numenta's anomaly
likelihood, the raw residual (robust z of the reading against its level,
in units of the spike threshold) is judged against its own long-run
distribution on this stream: the score is the Gaussian tail probability ``q``
of the current raw value given the exponentially weighted mean and variance
of past raw values, mapped to ``1 - q ** (1 / 16)`` (monotone, so ``q = 1e-7``
is about 0.63, and it does not saturate before ``q`` underflows). A fault that
a device detector confirms (stuck, dropout, out of range) scores at least its
own severity.
"""

from __future__ import annotations

import math

from scipy.special import log_ndtr

__all__ = ["CombinedScore"]

# Long-run memory of the raw residual's distribution, in readings (1 / alpha).
_LONG_ALPHA = 0.001
# Readings of raw residuals needed before the distribution is trusted.
_WARMUP = 100
_LOG_ROOT = 16.0


class CombinedScore:
    """Anomaly likelihood of the residual, merged with confirmed device faults."""

    __slots__ = ("_count", "_mean", "_var", "value")

    def __init__(self) -> None:
        self._count = 0
        self._mean = 0.0
        self._var = 0.0
        self.value = 0.0

    def update(self, residual: float, fault: float = 0.0) -> float:
        """Score a reading from its residual evidence and a device-fault score.

        ``residual`` is the robust z divided by the spike threshold; ``fault``
        is the score in [0, 1] of a stuck or dropout detection made at this
        reading (0 if none).
        """
        likelihood = 0.0
        if self._count >= _WARMUP:
            sd = math.sqrt(self._var) + 1e-9
            log_q = float(log_ndtr(-(residual - self._mean) / sd))
            likelihood = 1.0 - math.exp(log_q / _LOG_ROOT)
        self._count += 1
        weight = max(_LONG_ALPHA, 1.0 / self._count)
        delta = residual - self._mean
        self._mean += weight * delta
        self._var = (1.0 - weight) * (self._var + weight * delta * delta)
        self.value = max(likelihood, fault)
        return self.value
