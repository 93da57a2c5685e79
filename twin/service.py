"""The twin's async shell: feeds decoded input into each venue's live state.

Listeners receive ``(venue_id, StateChanges)`` on the event loop; the viewer's
hub and the analytics subscribe here. The state itself stays synchronous.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping

from ingest.contract import Reading, StatusEvent
from ingest.decode import DecodeResult
from twin.data_clock import DataClock
from twin.state import LiveState, SensorState, StateChanges
from twin.venue import SensorDef, Venue

__all__ = ["ChangeListener", "TwinService"]

log = logging.getLogger(__name__)

ChangeListener = Callable[[str, StateChanges], None]


class TwinService:
    def __init__(
        self,
        venues: Iterable[Venue],
        *,
        sweep_interval_s: float = 1.0,
        clock: DataClock | None = None,
    ) -> None:
        self.venues: dict[str, Venue] = {v.id: v for v in venues}
        # Staleness (and the analytics' silence watchdogs) run on the data's clock.
        self.clock = clock or DataClock()
        self.states: dict[str, LiveState] = {vid: LiveState(v) for vid, v in self.venues.items()}
        self._listeners: list[ChangeListener] = []
        self._sweep_interval = sweep_interval_s

    def add_listener(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)

    def knows(self, venue: str, sensor: str | None = None) -> bool:
        v = self.venues.get(venue)
        return v is not None and (sensor is None or sensor in v.sensor_by_id)

    def on_decoded(self, result: DecodeResult) -> None:
        """Ingest listener: one decoded message's readings and status events."""
        if result.readings:
            self.apply_readings(result.readings)
        if result.statuses:
            self.apply_statuses(result.statuses)

    def apply_readings(self, readings: Iterable[Reading]) -> None:
        by_venue: dict[str, list[Reading]] = {}
        for r in readings:
            by_venue.setdefault(r.venue, []).append(r)
        for v, rs in by_venue.items():
            self.clock.observe(v, max(r.ts for r in rs))
        self._emit({v: self.states[v].apply(rs) for v, rs in by_venue.items() if v in self.states})

    def apply_statuses(self, events: Iterable[StatusEvent]) -> None:
        by_venue: dict[str, list[StatusEvent]] = {}
        for e in events:
            by_venue.setdefault(e.venue, []).append(e)
        # Status events do not move the data clock: a device's online/offline and its
        # last will are stamped by the wall clock when it connects, even mid catch-up.
        self._emit(
            {v: self.states[v].apply_status(es) for v, es in by_venue.items() if v in self.states}
        )

    def apply_mirrored(self, venue: str, states: Iterable[SensorState]) -> None:
        """Sensor states mirrored from the twin that publishes them (``venue-twin viewer``)."""
        if venue in self.states:
            self._emit({venue: self.states[venue].set_mirrored(states)})

    def place(self, venue: Venue, defn: SensorDef) -> None:
        """Swap in a venue whose file now places ``defn`` (see twin.placement)."""
        self.venues[venue.id] = venue
        self.states[venue.id].place(venue, defn)

    def sweep(self, now: float | None = None) -> None:
        """Mark sensors stale at ``now``, or at each venue's data clock."""
        self._emit(
            {
                vid: st.sweep(self.clock.now(vid) if now is None else now)
                for vid, st in self.states.items()
            }
        )

    async def run_sweeper(self) -> None:
        """Marks sensors stale when their reports stop; runs until cancelled."""
        while True:
            await asyncio.sleep(self._sweep_interval)
            self.sweep()

    def _emit(self, changes: Mapping[str, StateChanges]) -> None:
        for venue_id, ch in changes.items():
            if not ch:
                continue
            for listener in self._listeners:
                try:
                    listener(venue_id, ch)
                except Exception:  # one broken consumer must not stop the twin
                    log.exception("twin listener failed")
