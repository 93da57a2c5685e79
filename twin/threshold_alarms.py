"""Alarms from the venue file's thresholds and from devices going offline.

A sensor whose value leaves its warning band raises a warning, one that leaves
its alarm band a critical alarm, and one whose device says it is offline (or
its last will does) a warning; each clears when the sensor is back to normal.
Only changes of a sensor's health act, so a sensor that stays out of band costs
nothing per reading.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from twin.alarms import AlarmManager, Severity
from twin.alarms.texts import AlarmText, render
from twin.state import Health, SensorState, StateChanges
from twin.venue import SensorDef, Venue

__all__ = ["ThresholdAlarms"]

log = logging.getLogger(__name__)

THRESHOLD_KIND = "threshold"
OFFLINE_KIND = "offline"


class ThresholdAlarms:
    """A TwinService listener; ``run()`` applies the alarm changes it queued."""

    def __init__(
        self,
        venues: list[Venue],
        alarms: AlarmManager,
        *,
        max_queue: int = 10_000,
        clock: Callable[[str], float] | None = None,
    ) -> None:
        self._venues = {v.id: v for v in venues}
        # Per venue (the twin's data clock): when an offline report is stamped.
        self._clock = clock
        self._alarms = alarms
        self._last: dict[tuple[str, str], Health] = {}
        self._queue: asyncio.Queue[tuple[str, SensorState]] = asyncio.Queue(max_queue)
        self.dropped = 0

    def on_changes(self, venue: str, changes: StateChanges) -> None:
        for s in changes.sensors:
            key = (venue, s.sensor)
            if self._last.get(key) is s.health:
                continue
            self._last[key] = s.health
            try:
                self._queue.put_nowait((venue, s))
            except asyncio.QueueFull:
                self.dropped += 1  # the next health change will carry the state again

    async def run(self) -> None:
        while True:
            venue, s = await self._queue.get()
            try:
                await self._apply(venue, s)
            except Exception:  # an alarm store hiccup must not stop threshold alarms
                log.exception("threshold alarm for %s/%s failed", venue, s.sensor)

    async def drain(self) -> None:
        """Apply everything queued (for tests and shutdown)."""
        while not self._queue.empty():
            venue, s = self._queue.get_nowait()
            with contextlib.suppress(Exception):
                await self._apply(venue, s)

    async def _apply(self, venue: str, s: SensorState) -> None:
        v = self._venues.get(venue)
        sdef = v.sensor_by_id.get(s.sensor) if v is not None else None
        if sdef is None:
            return
        tz = v.timezone if v is not None else "UTC"
        if s.health in (Health.ALARM, Health.WARN) and s.value is not None:
            text = threshold_text(sdef, s.value, s.health)
            await self._alarms.raise_alarm(
                venue,
                s.sensor,
                THRESHOLD_KIND,
                Severity.CRITICAL if s.health is Health.ALARM else Severity.WARNING,
                render(text, "en", tz),
                value=s.value,
                ts=s.ts,
                text=text,
            )
        elif s.health is Health.OK:
            await self._alarms.clear(venue, s.sensor, THRESHOLD_KIND, ts=s.ts)
            await self._alarms.clear(venue, s.sensor, OFFLINE_KIND, ts=s.ts)
        if s.health is Health.OFFLINE:
            text = AlarmText("offline", {"sensor": sdef.id, "sensor_kind": sdef.kind.value})
            await self._alarms.raise_alarm(
                venue,
                s.sensor,
                OFFLINE_KIND,
                Severity.WARNING,
                render(text, "en", tz),
                ts=self._clock(venue) if self._clock is not None else None,
                text=text,
            )


def threshold_text(sdef: SensorDef, value: float, health: Health) -> AlarmText:
    """Which limit ``value`` is past, as a catalogue text."""
    t = sdef.thresholds
    if health is Health.ALARM:
        above = t.high is not None and value > t.high
        limit, level = (t.high if above else t.low), "alarm"
    else:
        above = t.warn_high is not None and value > t.warn_high
        limit, level = (t.warn_high if above else t.warn_low), "warning"
    key = f"threshold.{'above' if above else 'below'}_{level}"
    params: dict[str, str | float] = {
        "sensor": sdef.id,
        "value": value,
        "unit": sdef.display_unit,
    }
    params["limit"] = limit if limit is not None else float("nan")
    return AlarmText(key, params)
