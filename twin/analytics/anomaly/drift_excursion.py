"""A zone's excursion: its sensors' hours that the fast drift path leaves out.

A room event (a heating failure, a door left open) moves several sensors of
a zone far from their usual level at once; a failing sensor moves alone. The
fast path of :class:`~twin.analytics.anomaly.neighbour_drift.NeighbourDrift`
judges the median of a day's hourly levels, which an event of under half a
day does not move; but an 8 h heating failure with the cool hours before it
and its recovery holds more than half the day's slots for a day after it
ended, and once the residual's hour-to-hour scale, which the event inflated,
has learnt back down, that median reads as a drift (design seeds 7 and 27).

So (``DriftConfig.excursion_gaps``): a sensor's hour is *out* when its slow
residual is more than ``clip`` of its scales from its usual level (the bar
beyond which the usual level already refuses to learn an hour as the room's
habit); a zone's excursion begins at an hour in which two or more of its
judged sensors are out, each in a run of out hours that began at most half
a day before (a sensor out longer than that moved on its own, before the
room did); its members are the sensors out in such a run; their out hours,
back to the start of their run, are gaps in the fast path's day until their
slot is written again outside an excursion (a day later, when the
change since yesterday has taken the event back out of the slot's level).
The excursion ends at the first hour none of the zone's sensors is out, or
a day after it began: a change that lasts longer is the fast path's to judge,
and the zone must come back in band before another can begin.

State per zone: two ints.
"""

from __future__ import annotations

from collections.abc import Sequence

from twin.analytics.anomaly.drift_track import DAY_H, Track

__all__ = ["ONSET_H", "ZoneExcursion"]

ONSET_H = DAY_H // 2
"""How long before an excursion's start a member's run may have begun: the
fast path's own tolerance (an event under half a day does not move its median)."""


class ZoneExcursion:
    """One zone's excursion state, over its judged sensors' tracks."""

    __slots__ = ("_spent", "since")

    def __init__(self) -> None:
        self.since = -1  # the hour the current excursion began (-1: none)
        self._spent = False  # ended by its day's limit: waits for the zone to be in band

    def update(self, tracks: Sequence[Track], hour: int) -> None:
        """After a sensor of the zone was judged for ``hour``: begin, end or go on."""
        out = [t for t in tracks if _out_now(t, hour)]
        if not out:
            self.since, self._spent = -1, False
            return
        if self.since >= 0 and hour - self.since >= DAY_H:
            self.since, self._spent = -1, True
        if self._spent or self.since >= 0:
            return
        recent = [t for t in out if hour - t.out_from <= ONSET_H]
        if len(recent) < 2:
            return
        self.since = hour
        for t in recent:  # their run so far: the hours already in the day's slots
            for h in range(t.out_from, t.judged_hour + 1):
                t.gap[h % DAY_H] = 1

    def member(self, t: Track) -> bool:
        """Whether the sensor's hour just judged is one of the excursion's."""
        return (
            self.since >= 0 and t.out_hour == t.judged_hour and t.out_from >= self.since - ONSET_H
        )


def _out_now(t: Track, hour: int) -> bool:
    """Out of band at its latest judged hour, and that hour this one or the one
    before (another kind's group may not have judged this hour yet)."""
    return t.judged_hour >= hour - 1 and t.out_hour == t.judged_hour
