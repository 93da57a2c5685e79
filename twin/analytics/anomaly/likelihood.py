"""Anomaly likelihood of a raw score stream (Ahmad et al. 2017, NAB's Numenta detector).

A raw anomaly score (here a residual in units of its threshold) means
different things on a quiet and a noisy stream. As in Numenta's anomaly
likelihood, the short-term average of the raw score is judged against the
long-run distribution of that average on the same stream: a Gaussian with an
exponentially weighted mean and variance (about ``1 / long_alpha`` readings;
Numenta re-estimates over a sliding window of 8,640, which would need a
buffer). The result is the surprise ``-log10`` of the upper tail probability,
computed with ``scipy.special.log_ndtr`` so tiny tails do not underflow.
"""

from __future__ import annotations

import math
from collections import deque

from scipy.special import log_ndtr

__all__ = ["AnomalyLikelihood"]

_LN10 = math.log(10.0)
_SQRT1_2 = math.sqrt(0.5)
# Below this z, ``erfc`` (fast, in the standard library) has not underflowed yet.
_ERFC_MAX_Z = 35.0
# Floor of the long-run standard deviation, so a raw score that has been
# exactly constant does not turn the first small change into infinite surprise.
_MIN_SD = 1e-6


class AnomalyLikelihood:
    """Surprise (``-log10`` tail probability) of each raw score given its own history.

    ``short`` readings are averaged before judging (Numenta uses 10; 1 judges
    each reading alone, with no buffer). The first ``warmup`` averages only
    train the distribution and score 0.
    """

    __slots__ = ("_count", "_long_alpha", "_mean", "_recent", "_sum", "_var", "_warmup")

    def __init__(self, short: int = 1, long_alpha: float = 0.001, warmup: int = 100) -> None:
        # A deque costs about 600 bytes; most streams judge single readings.
        self._recent: deque[float] | None = deque(maxlen=short) if short > 1 else None
        self._sum = 0.0
        self._long_alpha = long_alpha
        self._warmup = warmup
        self._count = 0
        self._mean = 0.0
        self._var = 0.0

    def update(self, raw: float, judge: bool = True) -> float:
        """Learn ``raw`` and return its surprise (0 if ``judge`` is false: learning only)."""
        recent = self._recent
        if recent is None:
            average = raw
        else:
            if len(recent) == recent.maxlen:
                self._sum -= recent[0]
            recent.append(raw)
            self._sum += raw
            average = self._sum / len(recent)
        surprise = 0.0
        if judge and self._count >= self._warmup:
            z = (average - self._mean) / (math.sqrt(self._var) + _MIN_SD)
            if z < _ERFC_MAX_Z:
                surprise = -math.log(0.5 * math.erfc(z * _SQRT1_2)) / _LN10
            else:
                surprise = -float(log_ndtr(-z)) / _LN10
        self._count += 1
        weight = max(self._long_alpha, 1.0 / self._count)
        delta = average - self._mean
        self._mean += weight * delta
        self._var = (1.0 - weight) * (self._var + weight * delta * delta)
        return surprise
