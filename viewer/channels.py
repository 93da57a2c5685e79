"""What a WebSocket client can watch: a live venue or a replay session.

A channel coalesces its source's changes between hub ticks (latest value per
sensor, zone, alarm and command) and turns them into frames on :meth:`drain`;
:meth:`snapshot` gives the full picture for a new or resynchronised client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from twin.alarms import Alarm, AlarmEvent
from twin.commands import CommandEvent, CommandRecord
from twin.data_clock import DataClock
from twin.state import LiveState, SensorState, StateChanges, ZoneState
from viewer import frames
from viewer.analytics_view import empty_analytics
from viewer.bodies import alarm_body, command_body
from viewer.sources import AlarmSource, AnalyticsSource, CommandSource

__all__ = ["Channel", "ChannelKey", "LiveChannel", "ReplayChannel"]

ChannelKey = tuple[str, str | None]  # (venue, replay session id or None for live)


class Channel(Protocol):
    def snapshot(self, now: float) -> dict[str, Any]: ...

    def drain(self, now: float) -> list[dict[str, Any]]: ...


class _StateChanges:
    """Sensor and zone changes coalesced to the newest value per key."""

    def __init__(self) -> None:
        self.sensors: dict[str, SensorState] = {}
        self.zones: dict[str, ZoneState] = {}

    def add(self, changes: StateChanges) -> None:
        for s in changes.sensors:
            self.sensors[s.sensor] = s
        for z in changes.zones:
            self.zones[z.zone] = z

    def take(self) -> tuple[dict[str, SensorState], dict[str, ZoneState]]:
        out = (self.sensors, self.zones)
        self.sensors, self.zones = {}, {}
        return out


class LiveChannel:
    """One venue of the live twin, with its alarms, commands and analytics."""

    def __init__(
        self,
        venue: str,
        state: Callable[[], LiveState],
        *,
        alarms: AlarmSource | None = None,
        commands: CommandSource | None = None,
        analytics: AnalyticsSource | None = None,
        clock: DataClock | None = None,
    ) -> None:
        self.venue = venue
        self._state = state
        self._clock = clock
        self._alarms = alarms
        self._commands = commands
        self._analytics = analytics
        self._changes = _StateChanges()
        self._alarm_changes: dict[str, Alarm] = {}
        self._command_changes: dict[str, CommandRecord] = {}

    def on_changes(self, changes: StateChanges) -> None:
        self._changes.add(changes)

    def on_alarm(self, event: AlarmEvent) -> None:
        self._alarm_changes[event.alarm.alarm_id] = event.alarm

    def on_command(self, event: CommandEvent) -> None:
        self._command_changes[event.record.command_id] = event.record

    def snapshot(self, now: float) -> dict[str, Any]:
        body = frames.snapshot_body(self._state(), now)
        body["alarms"] = (
            [alarm_body(a) for a in self._alarms.open_alarms(self.venue)] if self._alarms else []
        )
        commands = self._commands.open_commands(self.venue) if self._commands else []
        commands.sort(key=lambda c: -c.created_at)
        body["commands"] = [command_body(c) for c in commands]
        analytics = self._analytics.body(self.venue) if self._analytics else None
        body["analytics"] = analytics or empty_analytics(self._state().venue)
        body["replay"] = None
        body["clock"] = self._clock_body()
        return body

    def _clock_body(self) -> dict[str, Any]:
        """Which clock the venue is judged on: "wall", or "data" while catching up."""
        if self._clock is None:
            return {"mode": "wall", "lag_s": 0.0}
        info = self._clock.info(self.venue)
        return {"mode": info.mode, "lag_s": round(info.lag_s, 1)}

    def drain(self, now: float) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if self._alarm_changes:
            alarms, self._alarm_changes = self._alarm_changes, {}
            out += [{"type": "alarm", "alarm": alarm_body(a)} for a in alarms.values()]
        if self._command_changes:
            cmds, self._command_changes = self._command_changes, {}
            out += [{"type": "command", "command": command_body(c)} for c in cmds.values()]
        sensors, zones = self._changes.take()
        analytics = self._analytics.take_changes(self.venue) if self._analytics else None
        if sensors or zones or analytics:
            delta = frames.delta_frame(self.venue, sensors.values(), zones.values(), now)
            if analytics:
                delta["analytics"] = analytics.body()
            delta["replay"] = None
            delta["clock"] = self._clock_body()
            out.append(delta)
        return out


class ReplayChannel:
    """A replay session's own twin; its frames carry the session's position."""

    def __init__(
        self,
        venue: str,
        state: Callable[[], LiveState],
        session_body: Callable[[], dict[str, Any]],
    ) -> None:
        self.venue = venue
        self._state = state
        self._session_body = session_body
        self._changes = _StateChanges()
        self._last_session: dict[str, Any] | None = None

    def on_changes(self, _venue: str, changes: StateChanges) -> None:
        self._changes.add(changes)

    def snapshot(self, now: float) -> dict[str, Any]:
        state = self._state()
        body = frames.snapshot_body(state, now)
        # A replay has no alarms, commands or analytics of its own: those are live.
        body["alarms"] = []
        body["commands"] = []
        body["analytics"] = empty_analytics(state.venue)
        body["replay"] = self._last_session = self._session_body()
        return body

    def drain(self, now: float) -> list[dict[str, Any]]:
        sensors, zones = self._changes.take()
        session = self._session_body()
        if not sensors and not zones and session == self._last_session:
            return []
        self._last_session = session
        delta = frames.delta_frame(self.venue, sensors.values(), zones.values(), now)
        delta["replay"] = session
        return [delta]
