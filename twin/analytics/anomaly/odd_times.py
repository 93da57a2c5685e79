"""The times of day of a stream's last few spikes, so a daily job's burst is not news.

A cron job (a backup at 03:00, a nightly batch) makes a one-reading burst at
the same time every day. Its values differ from day to day, so
:class:`RecurringValues` does not know them, and each beats records that
decayed since the day before (issue 14, eleventh NAB session: 18 of
realAWSCloudwatch's 60 false rows). :class:`OddTimes` keeps the moments of
the last few readings reported as odd on their own and says whether a new
one falls at the time of day of remembered ones on enough earlier days.

The rule's two constants are chosen from what they mean, not fitted:

- **tolerance**: the larger of 15 minutes (a job's start drifts by minutes
  with load and queueing) and two sampling intervals (a burst may land on
  the reading before or after its slot);
- **days** (``ScoreTuning.odd_times``, e.g. 2): a job seen on two earlier
  days is a routine; on one, it may be chance.

Days are counted as whole-day lags from the reading (not calendar days), so
a job near midnight is not split, and a lag must be at least one day: spikes
earlier the same day never count. A stream whose timestamps are row numbers
(seconds that are not seconds) would need 86,400 rows for a day: the rule is
then in effect off. What it cannot tell: a real fault that strikes at the
same time on three days is muted too; to an operator watching one stream it
*is* a routine by then, and the slow evidences still see it grow or come
more often.
"""

from __future__ import annotations

from array import array

__all__ = ["DAY", "OddTimes", "tolerance"]

DAY = 86400.0
_MIN_TOLERANCE = 900.0  # 15 minutes
_INTERVALS = 2.0


def tolerance(interval: float) -> float:
    """Seconds within which two spikes a whole number of days apart count as the same time."""
    scaled = _INTERVALS * interval
    return scaled if scaled > _MIN_TOLERANCE else _MIN_TOLERANCE


class OddTimes:
    """A fixed ring of the moments of the last ``slots`` odd readings (8 bytes a slot)."""

    __slots__ = ("_days", "_filled", "_next", "_times")

    def __init__(self, days: int, slots: int = 8) -> None:
        if days < 1:
            raise ValueError(f"days must be at least 1, got {days}")
        if slots < days:
            raise ValueError(f"slots must hold at least {days} days, got {slots}")
        self._days = days
        self._times = array("d", bytes(8 * slots))
        self._filled = 0
        self._next = 0

    def __len__(self) -> int:
        return self._filled

    def routine(self, ts: float, interval: float, keep: bool) -> bool:
        """True when spikes came at ``ts``'s time of day on enough earlier days.

        ``interval`` is the stream's sampling interval in seconds (0 if not yet
        known). With ``keep``, ``ts`` is remembered after the check: a spike
        that would be reported on its own, muted or not, so a job that keeps
        running stays known while other spikes pass through the ring. Unlike
        a known odd value, one that beat only some of the averaged records
        counts: it was reported to the operator all the same.
        """
        near = tolerance(interval)
        times = self._times
        seen: set[int] = set()
        for i in range(self._filled):
            lag = ts - times[i]
            days = round(lag / DAY)
            if days >= 1 and abs(lag - days * DAY) <= near:
                seen.add(days)
        if keep:
            times[self._next] = ts
            self._next = (self._next + 1) % len(times)
            if self._filled < len(times):
                self._filled += 1
        return len(seen) >= self._days
