"""The last few odd values of a stream, so a state it has been in before is not news.

A sensor that saturates (a CPU at exactly 100 %), drops out to a sentinel (0,
or the last good value held) or clips at its range end returns to that very
value again and again. The first visit is worth a report; later visits are a
known state of this stream, not a new event. :class:`RecurringValues` keeps
the values of the last few readings reported as odd on their own (a spike or
a new extreme) and says whether a reading repeats one of them, to the
stream's resolution.
"""

from __future__ import annotations

from array import array

__all__ = ["RecurringValues"]


class RecurringValues:
    """A fixed ring of the last ``slots`` odd values (bounded state: 8 bytes a slot)."""

    __slots__ = ("_filled", "_next", "_values")

    def __init__(self, slots: int = 8) -> None:
        if slots < 1:
            raise ValueError(f"slots must be at least 1, got {slots}")
        self._values = array("d", bytes(8 * slots))
        self._filled = 0
        self._next = 0

    def __len__(self) -> int:
        return self._filled

    def repeats(self, value: float, tolerance: float) -> bool:
        """True when ``value`` is within ``tolerance`` of a remembered odd value."""
        values = self._values
        return any(abs(value - values[i]) <= tolerance for i in range(self._filled))

    def remember(self, value: float) -> None:
        """Keep ``value``, forgetting the oldest when the ring is full."""
        self._values[self._next] = value
        self._next = (self._next + 1) % len(self._values)
        if self._filled < len(self._values):
            self._filled += 1
