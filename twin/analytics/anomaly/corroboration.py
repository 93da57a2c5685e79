"""A change seen by several sensors of a zone is the room's, not a sensor fault.

A door left open or a heating failure moves the temperature, humidity and CO2
of a zone together; a failing sensor moves alone. Level-shift and drift
detections of a zone's climate sensors are therefore held for a short time:
if another sensor of the same zone reports a level shift, drift or spike in
that time (before or after), or its calibrated anomaly score rises (a
smooth change no typed detector names, :meth:`note_change`), every such
detection of the zone in the window is withheld as a zone change; otherwise it
is released as a sensor fault
when its hold ends (at the sensor's next reading, or a watchdog tick if it
fell silent). A drift is corroborated by a neighbour's change up to
:data:`LOOKBACK_S` earlier: a failing heater shows on the hygrometer (the
cooling air's relative humidity rises) within the first hour, while the
thermometer's slow average needs hours to leave its anchor. A spike is held
:data:`HOLD_S` (30 s: about one reading past its confirmation) and withheld
if a zone mate changed (a typed detection or a high score) within 30 s of
it: a gust through a door can jump two sensors at once; a sensor's own
glitch jumps it alone.

A level shift is also withheld at its release if another sensor of its zone
moved, over the hold, far more than it usually does in as long
(:class:`~twin.analytics.anomaly.motion.RecentMotion`, ``moved_scales``
usual moves): an open door steps the thermometer, and the humidity and CO2
follow too smoothly for a detector to name them within the hold.

A sensor whose own level shift was just released as its fault corroborates
nothing with its score for :data:`ECHO_S`: its calibrated score stays high,
or rises again, while its detector learns the new level (on the simulator,
a hygrometer 22 min into a 5-sigma offset withheld the CO2 offset of its
zone as a room change).

State per zone: the time of each sensor's last value-change detection and
the held detections (at most one per sensor and kind); per sensor, the time
of its last released level shift.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from twin.analytics.anomaly.detection import Detection, DetectionKind
from twin.analytics.anomaly.motion import RecentMotion

__all__ = ["ECHO_S", "HOLD_S", "LOOKBACK_S", "MOVED_SCALES", "ZoneCorroboration"]

HOLD_S: Mapping[DetectionKind, float] = {
    DetectionKind.LEVEL_SHIFT: 600.0,  # a door or a plant trips every sensor within minutes
    DetectionKind.DRIFT: 3600.0,  # a cooling room drifts each sensor at its own pace
    # A spike is one reading: a zone mate that jumped with it did so within a
    # reading or two (10 s sampling); held no longer, so its alarm waits about
    # one reading more than its own confirmation (2 readings).
    DetectionKind.SPIKE: 30.0,
}
LOOKBACK_S: Mapping[DetectionKind, float] = {
    DetectionKind.SPIKE: 30.0,
    DetectionKind.LEVEL_SHIFT: 600.0,
    # A heating failure or a stuck damper lasts hours: its slow drifts come long
    # after the first sign on a neighbour.
    DetectionKind.DRIFT: 6 * 3600.0,
}
MOVED_SCALES = 10.0
"""A zone mate's move over a held level shift's hold, in its usual moves of as
long, that makes the shift the room's. Chosen from the noise: on the simulated
museum wing's sound days (seeds 0 and 1, every thermometer and hygrometer,
every 10 min) the 99.9th percentile is 6.7-8.1 and the largest 9.7-13.8; the
open door of seed 3 moved the hygrometer 59."""
ECHO_S = 3600.0
"""How long after a sensor's level shift is released as its own fault its high
score is taken for that fault's echo, not a sign of the room (the sized
offsets of the fault bench last an hour)."""
_VALUE_CHANGE = (DetectionKind.LEVEL_SHIFT, DetectionKind.DRIFT, DetectionKind.SPIKE)


@dataclass(slots=True)
class _Zone:
    last_change: dict[str, float] = field(default_factory=dict)
    # Smooth changes only (a high score, no typed detection): the room's sign.
    last_note: dict[str, float] = field(default_factory=dict)
    held: dict[tuple[str, DetectionKind], Detection] = field(default_factory=dict)


class ZoneCorroboration:
    """Hold and release level-shift and drift detections of the sensors of each zone."""

    def __init__(
        self,
        zone_of: Mapping[str, str],
        motion: RecentMotion | None = None,
        moved_scales: float = MOVED_SCALES,
        echo_s: float = ECHO_S,
    ) -> None:
        self._zone_of = dict(zone_of)
        self._zones: dict[str, _Zone] = {}
        self._mates: dict[str, tuple[str, ...]] = {
            s: tuple(m for m, z in self._zone_of.items() if z == zone and m != s)
            for s, zone in self._zone_of.items()
        }
        self._motion = motion
        self._moved_scales = moved_scales
        self._echo_s = echo_s
        self._own_shift: dict[str, float] = {}  # sensor -> its released shift's time
        self.withheld = 0

    def covers(self, sensor: str) -> bool:
        """Whether the sensor's detections are corroborated by its zone's."""
        return sensor in self._zone_of

    def _room_moved(self, d: Detection, now: float) -> bool:
        """Whether a zone mate moved far more than usual over a level shift's hold.

        Not asked of a spike: its minute's move against the usual 10-min move
        is noise-sized (a minute's mean is noisier than ten minutes')."""
        if self._motion is None or d.kind is not DetectionKind.LEVEL_SHIFT:
            return False
        motion = self._motion
        return any(
            motion.moved(m, d.ts, now) >= self._moved_scales for m in self._mates.get(d.sensor, ())
        )

    def _zone(self, sensor: str) -> _Zone | None:
        zone = self._zone_of.get(sensor)
        if zone is None:
            return None
        return self._zones.setdefault(zone, _Zone())

    def note_change(self, sensor: str, ts: float, settled: bool = True) -> None:
        """A sensor saw an unusual change without a typed detection (a high score).

        It corroborates the zone's held detections as a detection would, and,
        if ``settled`` (its detector has seen a whole day: a fresh score rises
        at every new hour of the day), drifts up to ``LOOKBACK_S`` later;
        not within ``echo_s`` of the sensor's own released level shift.
        """
        zone = self._zone(sensor)
        if zone is None or ts - self._own_shift.get(sensor, -math.inf) < self._echo_s:
            return
        zone.last_change[sensor] = ts
        if settled:
            zone.last_note[sensor] = ts
        for key in [
            k for k in zone.held if k[0] != sensor and ts - zone.held[k].ts <= HOLD_S[k[1]]
        ]:
            del zone.held[key]
            self.withheld += 1

    def filter(self, detections: Iterable[Detection]) -> list[Detection]:
        """Detections to report now; held ones come out of :meth:`release`."""
        out: list[Detection] = []
        for d in detections:
            zone = self._zone(d.sensor)
            if zone is None or d.kind not in _VALUE_CHANGE:
                out.append(d)
                continue
            window = HOLD_S.get(d.kind, HOLD_S[DetectionKind.LEVEL_SHIFT])
            others = [
                s for s, t in zone.last_change.items() if s != d.sensor and abs(d.ts - t) <= window
            ]
            # Only a neighbour's smooth change is looked for so far back: its
            # typed faults (a spike, a step) are its own, not the room's.
            back = LOOKBACK_S.get(d.kind, 0.0)
            others += [
                s
                for s, t in zone.last_note.items()
                if s != d.sensor and s not in others and 0.0 <= d.ts - t <= back
            ]
            zone.last_change[d.sensor] = d.ts
            if others:
                # Corroborated: the room changed. Drop what the others still hold
                # if this change falls in their own window (a drift's hour must
                # not swallow a spike of 40 min before it).
                for key in [
                    k
                    for k, h in zone.held.items()
                    if k[0] in others and abs(d.ts - h.ts) <= max(HOLD_S[k[1]], LOOKBACK_S[k[1]])
                ]:
                    del zone.held[key]
                    self.withheld += 1
                if d.kind in HOLD_S:
                    self.withheld += 1
                    continue
            if d.kind in HOLD_S:
                zone.held.setdefault((d.sensor, d.kind), d)
            else:
                out.append(d)
        return out

    def release_for(self, sensor: str, now: float) -> list[Detection]:
        """The sensor's own held detections whose hold has ended (at its next reading)."""
        zone = self._zone(sensor)
        if zone is None or not zone.held:
            return []
        out: list[Detection] = []
        for kind in HOLD_S:
            d = zone.held.get((sensor, kind))
            if d is not None and now - d.ts >= HOLD_S[kind]:
                del zone.held[(sensor, kind)]
                if (released := self._released(d, now)) is not None:
                    out.append(released)
        return out

    def release(self, now: float, late_s: float = 300.0) -> list[Detection]:
        """Held detections ``late_s`` past their hold: their sensor has gone quiet.

        A sensor that keeps reporting gets its own out of :meth:`release_for`.
        """
        out: list[Detection] = []
        for zone in self._zones.values():
            for key, d in list(zone.held.items()):
                if now - d.ts >= HOLD_S[d.kind] + late_s:
                    del zone.held[key]
                    if (released := self._released(d, now)) is not None:
                        out.append(released)
        return out

    def _released(self, d: Detection, now: float) -> Detection | None:
        """A held detection at the end of its hold; None (withheld) if the room moved."""
        if self._room_moved(d, now):
            self.withheld += 1
            return None
        if d.kind is DetectionKind.LEVEL_SHIFT:
            self._own_shift[d.sensor] = d.ts
        return d
