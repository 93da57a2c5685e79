"""Range novelty: a value beyond every earlier one (step 5 of ``stream_score``).

As NAB's Numenta detector's "spatial anomaly": a value beyond the stream's
range by more than 5 % of its width (and 1.5 resolution steps, so a count's
next integer is not news) scores ``1 - 0.05 / excess``.

:class:`LaggedRange` (``ScoreTuning.range_lag_s``) judges against the range as
it stood a while ago instead, so a value that creeps past the old extremes a
little at a time (a machine heating up over hours) is news once it is clearly
beyond them; against the range of every earlier reading each step of the
climb only just passes the last one and never scores.
"""

from __future__ import annotations

from array import array

__all__ = ["LaggedRange", "novelty"]

_NOVELTY = 0.05
_NOVELTY_STEPS = 1.5
# Marks of the range per lag: the range used is at most 1/8 of a lag older than asked.
_MARKS_PER_LAG = 8
_SLOTS = _MARKS_PER_LAG + 2


def novelty(value: float, low: float, high: float, quantum: float) -> float:
    """``1 - 0.05 / excess`` for a value beyond ``[low, high]`` by over 5 % of its width."""
    excess = _excess(value, low, high, quantum)
    return 1.0 - _NOVELTY / excess if excess else 0.0


def _excess(value: float, low: float, high: float, quantum: float) -> float:
    """How far beyond ``[low, high]``, in its widths; 0 unless over 5 % and 1.5 steps."""
    if not high > low:
        return 0.0
    beyond = b if (b := low - value) > (a := value - high) else a
    excess = beyond / (high - low)
    return excess if excess > _NOVELTY and beyond > _NOVELTY_STEPS * quantum else 0.0


class LaggedRange:
    """The range of a stream's readings as it stood ``lag_s`` seconds ago (bounded marks)."""

    __slots__ = ("_count", "_every", "_head", "_lag", "_last_at", "_last_excess", "_marks")

    def __init__(self, lag_s: float) -> None:
        if not lag_s > 0.0:
            raise ValueError(f"the lag must be positive, got {lag_s}")
        self._lag = lag_s
        self._every = lag_s / _MARKS_PER_LAG
        # A ring of (ts, low, high) marks, flat: 240 bytes a stream, not a deque of tuples.
        self._marks = array("d", bytes(8 * 3 * _SLOTS))
        self._head = 0  # the oldest mark
        self._count = 0
        self._last_excess = 0.0
        self._last_at = -lag_s

    def at_lag(self, ts: float) -> tuple[float, float] | None:
        """``(low, high)`` of the readings up to ``lag_s`` before ``ts``; None if none that old."""
        limit = ts - self._lag
        marks = self._marks
        found = None
        for i in range(self._count):
            at = 3 * ((self._head + i) % _SLOTS)
            if marks[at] > limit:
                break
            found = (marks[at + 1], marks[at + 2])
        return found

    def mark(self, ts: float, low: float, high: float) -> None:
        """The range after the reading at ``ts`` (kept every 1/8 of a lag)."""
        count, marks = self._count, self._marks
        if count and ts - marks[3 * ((self._head + count - 1) % _SLOTS)] < self._every:
            return
        if count == _SLOTS:
            self._head = (self._head + 1) % _SLOTS
            count -= 1
        at = 3 * ((self._head + count) % _SLOTS)
        marks[at], marks[at + 1], marks[at + 2] = ts, low, high
        self._count = count + 1

    def novelty(self, ts: float, value: float, low: float, high: float, quantum: float) -> float:
        """Range novelty of a new extreme (beyond every earlier value, ``[low, high]``)
        against the range one lag before ``ts``; 0 for any other value.

        Once per excursion: within a lag of the last one it must go twice as
        far. After a step up, the day's cycle sets a new extreme reading after
        reading, each well beyond the old range: that is one event, not twenty
        (a stream stepped up 1.6 ranges scored 20 readings, 1 without the lag).
        """
        if low <= value <= high or (old := self.at_lag(ts)) is None:
            return 0.0
        excess = _excess(value, old[0], old[1], quantum)
        if not excess:
            return 0.0
        if ts - self._last_at < self._lag and excess < 2.0 * self._last_excess:
            return 0.0
        self._last_excess, self._last_at = excess, ts
        return 1.0 - _NOVELTY / excess
