"""The spike record's floor over a stream's usual bursts (``ScoreTuning.spike_margin``).

Off in the product: measured on NAB held out, it lost (docs/anomaly.md).
A reading within half of the spike record is one of the stream's bursts;
their EWMA (over about 5) is the size of a burst here, and the record does
not decay below ``margin`` times it: a stream with a burst every few
hundred readings (more than the record's memory lets fade) does not report
each as news.
"""

from __future__ import annotations

__all__ = ["KnownSpikes"]

# A reading beyond this part of the spike record is a burst; their EWMA weight.
_BURST_PART = 0.5
_BURST_ALPHA = 0.2


class KnownSpikes:
    """The EWMA of a stream's bursts, and the floor it sets under the spike record."""

    __slots__ = ("_level", "_margin")

    def __init__(self, margin: float) -> None:
        if not margin > 0.0:
            raise ValueError(f"spike margin must be > 0, got {margin}")
        self._margin = margin
        self._level = 0.0

    def floor(self, strength: float, bar: float, decayed: float, rise: float) -> float:
        """The spike record after ``decayed``, kept above ``margin`` times the usual burst.

        ``rise`` is how many times ``bar`` one reading may count for (the
        record's own rise limit).
        """
        level = self._level
        if strength > _BURST_PART * bar:
            level += _BURST_ALPHA * (min(strength, rise * bar) - level)
            self._level = level
        floor = self._margin * level
        return decayed if decayed > floor else floor
