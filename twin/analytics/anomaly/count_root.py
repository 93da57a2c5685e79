"""The square root of count streams (Anscombe 1948), decided online from the values seen.

Counts spread with their level (Poisson: variance = mean; overdispersed counts
more), so on a daily cycle the busy hours' residuals are wider than the scale
learnt over the whole day, and their ``|z|`` has a heavy tail (issue 14,
eleventh NAB session). ``2 sqrt(v + 3/8)`` makes a Poisson count's spread about
1 whatever its mean, so one scale fits the whole day.

Which streams are counts: a stream whose first ``qualify`` readings (the
scorer's settling, when it reports nothing) are all non-negative integers.
While deciding, those readings are kept; a fraction or a negative value among
them means the stream is not a count, and the scorer starts over untransformed
on the kept readings, so such a stream scores exactly as without the option.
After that the decision stands: a later fraction or negative value is mapped by
:func:`anscombe`, which is defined, continuous and increasing on every real, so
the stream's learnt state (level, profiles, scales) never switches units in
mid-stream (the comparison in commit 02bf93e dropped the root at the first
fraction and fed raw values into square-root state).
"""

from __future__ import annotations

import math

from twin.analytics.anomaly.score_tuning import ScoreTuning

__all__ = ["CountQualifier", "anscombe"]

_SHIFT = 0.375  # Anscombe's 3/8: the root's spread is nearest 1 for Poisson counts
_ROOT_AT_0 = 2.0 * math.sqrt(_SHIFT)


def anscombe(value: float) -> float:
    """``2 sqrt(v + 3/8)`` for ``v >= 0``, mirrored about 0 below it (same slope at 0)."""
    if value >= 0.0:
        return 2.0 * math.sqrt(value + _SHIFT)
    return 2.0 * _ROOT_AT_0 - 2.0 * math.sqrt(_SHIFT - value)


class CountQualifier:
    """The first readings of a stream while it is judged a count stream or not."""

    __slots__ = ("qualify", "readings", "tuning")

    def __init__(self, tuning: ScoreTuning, qualify: int) -> None:
        self.tuning = tuning  # to start over without the root
        self.qualify = qualify
        self.readings: list[tuple[float, float]] = []

    def admit(self, ts: float, value: float) -> bool:
        """Keep a reading if it is a count (a non-negative integer); False if it is not."""
        if value < 0.0 or not value.is_integer():
            return False
        self.readings.append((ts, value))
        return True

    @property
    def done(self) -> bool:
        """Enough counts seen: the stream is a count stream for good."""
        return len(self.readings) >= self.qualify
