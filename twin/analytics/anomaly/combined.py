"""One anomaly score per reading, in [0, 1], for NAB-style scoring and ranking.

NAB sweeps one threshold over every stream of a corpus, so a score must mean
the same on a quiet sensor and a noisy one, and an event should score high
once, early, rather than for its whole duration. Per reading:

1. Surprise of the point residual (robust z against the level, in units of
   the spike threshold) given its own history on this stream: the anomaly
   likelihood of Ahmad et al. 2017 (:class:`AnomalyLikelihood`).
2. For a periodic stream, the same for the residual against the daily or
   weekly profile (:class:`SeasonalResidual`); the larger surprise counts.
3. The surprise ``s`` (``-log10`` tail probability) maps to
   ``1 - exp(-s / SURPRISE_SCALE)``: monotone, 0.63 at a 1e-10 tail, does
   not saturate before the tail underflows.
4. A value beyond every value seen so far (:class:`RangeNovelty`) scores at
   least ``NOVEL_SCORE``; a confirmed device fault (stuck, dropout) at least
   its own severity at the reading that confirms it.
5. :class:`EventSuppressor` halves a score that does not beat the decayed
   recent record, so an event reports once.
"""

from __future__ import annotations

import math

from twin.analytics.anomaly.likelihood import AnomalyLikelihood
from twin.analytics.anomaly.novelty import RangeNovelty
from twin.analytics.anomaly.seasonal import SeasonalResidual
from twin.analytics.anomaly.suppression import EventSuppressor

__all__ = ["NOVEL_SCORE", "SURPRISE_SCALE", "CombinedScore"]

SURPRISE_SCALE = 10.0
"""Surprise (-log10 tail probability) at which the score reaches 1 - 1/e."""
NOVEL_SCORE = 0.9
"""Score of a reading outside every value seen so far (below a confirmed fault's)."""
# Readings before the range of values is trusted for novelty.
_NOVELTY_WARMUP = 300


class CombinedScore:
    """Anomaly likelihood of the residuals, merged with novelty and device faults."""

    __slots__ = ("_novelty", "_point", "_seasonal", "_suppressor", "value")

    def __init__(
        self,
        spike_sigma: float = 6.0,
        seasonal: bool = True,
        range_tolerance: float | None = 0.05,
        event_decay: float | None = 0.999,
    ) -> None:
        self._point = AnomalyLikelihood()
        self._seasonal = SeasonalResidual(spike_sigma) if seasonal else None
        self._novelty = (
            RangeNovelty(range_tolerance, _NOVELTY_WARMUP) if range_tolerance is not None else None
        )
        self._suppressor = EventSuppressor(event_decay) if event_decay is not None else None
        self.value = 0.0

    @property
    def periodic(self) -> bool:
        """Whether the seasonal residual is currently in use for this stream."""
        return self._seasonal is not None and self._seasonal.periodic

    def update(
        self, ts: float, value: float, residual: float, level: float, fault: float = 0.0
    ) -> float:
        """Score a reading.

        ``residual`` is the robust z divided by the spike threshold (0 while
        the baseline warms up or the sensor is stuck); ``level`` the baseline
        level before this reading; ``fault`` the score in [0, 1] of a stuck or
        dropout detection made at this reading (0 if none).
        """
        surprise = self._point.update(residual)
        if self._seasonal is not None:
            surprise = max(surprise, self._seasonal.update(ts, value, level))
        score = 1.0 - math.exp(-surprise / SURPRISE_SCALE)
        if self._novelty is not None and self._novelty.update(value):
            score = max(score, NOVEL_SCORE)
        score = max(score, fault)
        self.value = self._suppressor.update(score) if self._suppressor is not None else score
        return self.value
