"""The per-reading rates of :class:`StreamScore`, per reading or per unit of time.

Every decay and EWMA weight of the score acts once per reading. Those that
``ScoreTuning.timed`` names are given per 5 minutes of the stream's own time
instead and rescaled to its step (the median of its recent intervals): a
half-life of 4.8 days stays 4.8 days on a 30-minute stream, where 1,400
readings would be 29 days. The rest stay per reading (warm-up lengths,
estimator weights: they count samples).
"""

from __future__ import annotations

import math
from array import array
from functools import lru_cache

from twin.analytics.anomaly.score_tuning import REFERENCE_INTERVAL, ScoreTuning

__all__ = ["StreamRates", "rates_for"]

# Per reading at the reference interval (the tuning's own rates aside):
_LEVEL_ALPHA = 0.05  # the robust level
_ERROR_ALPHA = 0.01  # each predictor's mean absolute error (which one is used)
# EWMA weights of the evidence: 1.0 is the reading alone (spike), then about
# 10 and 100 readings (shift, slow change).
_EVIDENCE_ALPHAS = (1.0, 0.1, 0.01)
# Decay of the recent-score record (half-life about 70 readings).
_REPORT_DECAY = 0.99
# The rate of the mean evidence that floors the records.
_TYPICAL_ALPHA = 0.001
# Recent intervals whose median is the stream's step: a median of 9 ignores
# up to 4 gaps or bursts among them.
_RING = 9


class StreamRates:
    """The rates for one stream; :meth:`observe` each interval, read the attributes."""

    __slots__ = (
        "_ring",
        "_seen",
        "_tuning",
        "alphas",
        "error_alpha",
        "gains",
        "level_alpha",
        "record_decay",
        "report_decay",
        "scale_alpha",
        "slow_alpha",
        "step",
        "typical_alpha",
    )

    def __init__(self, tuning: ScoreTuning) -> None:
        self._tuning = tuning
        # A per-reading tuning keeps no ring and never rescales.
        self._ring = array("d", bytes(8 * _RING)) if tuning.timed else None
        self._seen = 0
        self.step = REFERENCE_INTERVAL
        """The stream's step in seconds (the reference until a timed tuning sees one)."""
        self._rescale(1.0)

    def observe(self, dt: float) -> None:
        """Take one interval; rescale the timed rates when the median interval moves."""
        ring = self._ring
        if ring is None or dt <= 0.0:
            return
        seen = self._seen
        ring[seen % _RING] = dt
        seen += 1
        self._seen = seen
        # Every interval while the ring fills, then once per turn of it: the
        # median (and a few pow calls) costs next to nothing per reading.
        if seen <= _RING or seen % _RING == 0:
            recent = sorted(ring[: min(seen, _RING)])
            step = recent[len(recent) // 2]
            if step != self.step:
                self.step = step
                self._rescale(step / REFERENCE_INTERVAL)

    def _rescale(self, ratio: float) -> None:
        """Rates for readings ``ratio`` reference intervals apart.

        A timed decay ``d`` becomes ``d ** ratio`` per reading, a timed EWMA
        weight ``a`` becomes ``1 - (1 - a) ** ratio``; per-reading ones stay.
        """
        t = self._tuning
        # At the reference interval every rate is exactly the tuning's (no
        # rounding from 1 - (1 - a) ** 1).
        timed = t.timed if ratio != 1.0 else ()

        def decay(d: float, group: str) -> float:
            return d**ratio if group in timed else d

        def weight(a: float, group: str) -> float:
            return 1.0 - (1.0 - a) ** ratio if group in timed else a

        self.record_decay = decay(t.record_decay, "records")
        self.typical_alpha = weight(_TYPICAL_ALPHA, "records")
        self.report_decay = decay(_REPORT_DECAY, "report")
        self.alphas = tuple(1.0 if a == 1.0 else weight(a, "evidence") for a in _EVIDENCE_ALPHAS)
        # An EWMA of unit-variance noise has variance a / (2 - a): this gain
        # brings each evidence back to unit noise.
        self.gains = tuple(math.sqrt((2.0 - a) / a) for a in self.alphas)
        self.scale_alpha = weight(t.scale_alpha, "scales")
        self.slow_alpha = weight(t.slow_scale_alpha, "scales")
        self.level_alpha = weight(_LEVEL_ALPHA, "scales")
        self.error_alpha = weight(_ERROR_ALPHA, "scales")


@lru_cache(maxsize=32)
def _shared(tuning: ScoreTuning) -> StreamRates:
    return StreamRates(tuning)


def rates_for(tuning: ScoreTuning) -> StreamRates:
    """The rates of a new stream: one shared, never-changing instance per per-reading tuning.

    A per-reading tuning's rates never change (:meth:`StreamRates.observe`
    returns at once), so the live path's thousands of sensors share one
    instance instead of carrying about 320 bytes each; a timed tuning gets
    its own, since each stream has its own step.
    """
    return _shared(tuning) if not tuning.timed else StreamRates(tuning)
