"""Alarms, commands and analytics as a mirror viewer sees them.

They hold what the twin published (open alarms and commands, the analytics
body), announce changes to listeners like the twin's own services do, read
history from the shared store, and forward operator actions to the twin
(:class:`ActionForwarder`), turning its answer into the same exceptions the
twin's services raise, so the REST routes answer exactly as in-process.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
from typing import Any, Protocol

from twin.alarms import (
    Alarm,
    AlarmEvent,
    AlarmListener,
    AlarmState,
    AlarmStore,
    AlarmTransition,
    IllegalTransition,
    UnknownAlarm,
)
from twin.commands import (
    CommandEvent,
    CommandListener,
    CommandNotPending,
    CommandRecord,
    CommandStore,
    CommandTransition,
    UnknownCommand,
)
from twin.replica.codec import ActionKind, ActionReply, alarm_from_wire, command_from_wire
from twin.replica.errors import RemoteActionFailed
from twin.venue import Venue
from viewer.analytics_view import AnalyticsChanges, empty_analytics

__all__ = ["ActionForwarder", "MirrorAlarms", "MirrorAnalytics", "MirrorCommands"]

log = logging.getLogger(__name__)


class ActionForwarder(Protocol):
    """Sends an operator action to the twin and returns its reply (``MirrorClient``)."""

    async def forward(
        self,
        venue: str,
        kind: ActionKind,
        target_id: str,
        user: str,
        *,
        note: str = "",
        duration_s: float | None = None,
    ) -> ActionReply: ...


class MirrorAlarms:
    """The twin's open alarms, mirrored; satisfies :class:`viewer.sources.AlarmSource`."""

    def __init__(self, forwarder: ActionForwarder, store: AlarmStore | None = None) -> None:
        self._forwarder = forwarder
        self._store = store
        self._open: dict[str, Alarm] = {}
        self._listeners: list[AlarmListener] = []

    def add_listener(self, listener: AlarmListener) -> None:
        self._listeners.append(listener)

    # -- fed by the mirror -----------------------------------------------------

    def replace(self, venue: str, alarms: list[Alarm]) -> None:
        """A snapshot's open alarms of ``venue``: announce what differs."""
        fresh = {a.alarm_id: a for a in alarms}
        for old in [a for a in self._open.values() if a.venue == venue]:
            if old.alarm_id not in fresh:
                # Leaving the open set means closed: the only state that is not open.
                self.update(dataclasses.replace(old, state=AlarmState.CLEARED, active=False))
        for a in alarms:
            if self._open.get(a.alarm_id) != a:
                self.update(a)

    def update(self, alarm: Alarm) -> None:
        if alarm.state.is_open:
            self._open[alarm.alarm_id] = alarm
        else:
            self._open.pop(alarm.alarm_id, None)
        event = AlarmEvent(alarm, None)
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:  # one broken consumer must not stop the mirror
                log.exception("alarm listener failed")

    # -- reads -------------------------------------------------------------------

    def open_alarms(self, venue: str | None = None) -> list[Alarm]:
        found = [a for a in self._open.values() if venue is None or a.venue == venue]
        return sorted(found, key=lambda a: (-a.severity.rank, -a.raised_at))

    async def get(self, alarm_id: str) -> Alarm:
        alarm = self._open.get(alarm_id)
        if alarm is None and self._store is not None:
            alarm = await self._store.get_alarm(alarm_id)
        if alarm is None:
            raise UnknownAlarm(alarm_id)
        return alarm

    async def history(self, alarm_id: str) -> list[AlarmTransition]:
        return await self._store.alarm_history(alarm_id) if self._store is not None else []

    # -- actions, forwarded ------------------------------------------------------

    async def acknowledge(self, alarm_id: str, user: str, note: str = "") -> Alarm:
        return await self._act("acknowledge", alarm_id, user, note=note)

    async def shelve(self, alarm_id: str, user: str, *, duration_s: float, note: str = "") -> Alarm:
        return await self._act("shelve", alarm_id, user, note=note, duration_s=duration_s)

    async def unshelve(self, alarm_id: str, user: str, note: str = "") -> Alarm:
        return await self._act("unshelve", alarm_id, user, note=note)

    async def _act(
        self,
        kind: ActionKind,
        alarm_id: str,
        user: str,
        *,
        note: str,
        duration_s: float | None = None,
    ) -> Alarm:
        venue = (await self.get(alarm_id)).venue
        reply = await self._forwarder.forward(
            venue, kind, alarm_id, user, note=note, duration_s=duration_s
        )
        if reply.ok and reply.alarm is not None:
            return alarm_from_wire(reply.alarm)
        if reply.status == 404:
            raise UnknownAlarm(alarm_id)
        if reply.status == 409:
            raise IllegalTransition(reply.error or "not allowed in the alarm's state")
        raise RemoteActionFailed(reply.status, reply.error or "the twin refused the action")


class MirrorCommands:
    """The twin's open commands, mirrored; satisfies :class:`viewer.sources.CommandSource`."""

    def __init__(self, forwarder: ActionForwarder, store: CommandStore | None = None) -> None:
        self._forwarder = forwarder
        self._store = store
        self._open: dict[str, CommandRecord] = {}
        self._listeners: list[CommandListener] = []

    def add_listener(self, listener: CommandListener) -> None:
        self._listeners.append(listener)

    def replace(self, venue: str, records: list[CommandRecord]) -> None:
        """A snapshot's open commands of ``venue``; those gone are dropped quietly.

        Their final state (acknowledged, failed, ...) is not in a snapshot; a
        browser that still lists one refreshes it from ``GET /api/commands``.
        """
        fresh = {c.command_id: c for c in records}
        for gone in [c for c in self._open.values() if c.venue == venue]:
            if gone.command_id not in fresh:
                del self._open[gone.command_id]
        for c in records:
            if self._open.get(c.command_id) != c:
                self.update(c)

    def update(self, record: CommandRecord) -> None:
        if record.state.is_final:
            self._open.pop(record.command_id, None)
        else:
            self._open[record.command_id] = record
        event = CommandEvent(record, _transition_of(record))
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:  # one broken consumer must not stop the mirror
                log.exception("command listener failed")

    def open_commands(self, venue: str | None = None) -> list[CommandRecord]:
        return [r for r in self._open.values() if venue is None or r.venue == venue]

    async def get(self, command_id: str) -> CommandRecord:
        record = self._open.get(command_id)
        if record is None and self._store is not None:
            record = await self._store.get_command(command_id)
        if record is None:
            raise UnknownCommand(command_id)
        return record

    async def confirm(self, command_id: str, user: str) -> CommandRecord:
        return await self._act("confirm", command_id, user)

    async def reject(self, command_id: str, user: str, note: str = "") -> CommandRecord:
        return await self._act("reject", command_id, user, note)

    async def _act(
        self, kind: ActionKind, command_id: str, user: str, note: str = ""
    ) -> CommandRecord:
        venue = (await self.get(command_id)).venue
        reply = await self._forwarder.forward(venue, kind, command_id, user, note=note)
        if reply.ok and reply.command is not None:
            return command_from_wire(reply.command)
        if reply.status == 404:
            raise UnknownCommand(command_id)
        if reply.status == 409:
            raise CommandNotPending(reply.error or "the command no longer waits for an operator")
        raise RemoteActionFailed(reply.status, reply.error or "the twin refused the action")


def _transition_of(record: CommandRecord) -> CommandTransition:
    # The mirror sees states, not the twin's transitions: the event says where it is now.
    return CommandTransition(record.command_id, record.updated_at, None, record.state, "", "")


class MirrorAnalytics:
    """The analytics body the twin published; satisfies :class:`viewer.sources.AnalyticsSource`."""

    def __init__(self, venues: list[Venue], *, max_anomalies: int = 50) -> None:
        self._venues = {v.id: v for v in venues}
        self._max_anomalies = max_anomalies
        self._bodies = {v.id: empty_analytics(v) for v in venues}
        self._anomalies: dict[str, collections.deque[dict[str, Any]]] = {
            v.id: collections.deque(maxlen=max_anomalies) for v in venues
        }
        self._pending = {v.id: AnalyticsChanges() for v in venues}

    def set_body(self, venue: str, body: dict[str, Any]) -> None:
        """A snapshot's full analytics body; clients get its zones and artefacts."""
        if venue not in self._venues:
            return
        if not body:  # the twin runs no analytics
            body = empty_analytics(self._venues[venue])
        self._bodies[venue] = {
            **body,
            "zones": {k: dict(v) for k, v in body.get("zones", {}).items()},
            "artefacts": {k: dict(v) for k, v in body.get("artefacts", {}).items()},
        }
        anomalies = self._anomalies[venue]
        anomalies.clear()
        anomalies.extend(body.get("anomalies", []))
        pending = self._pending[venue]
        pending.zones.update(self._bodies[venue]["zones"])
        pending.artefacts.update(self._bodies[venue]["artefacts"])

    def apply_changes(self, venue: str, changes: dict[str, Any]) -> None:
        """A delta's analytics: ``{"zones", "artefacts", "anomalies"}`` (new ones)."""
        if venue not in self._venues:
            return
        body, pending = self._bodies[venue], self._pending[venue]
        for zone, fields in changes.get("zones", {}).items():
            body["zones"][zone] = pending.zones[zone] = dict(fields)
        for artefact, fields in changes.get("artefacts", {}).items():
            body["artefacts"][artefact] = pending.artefacts[artefact] = dict(fields)
        for gate, fields in changes.get("gates", {}).items():
            body.setdefault("gates", {})[gate] = pending.gates[gate] = dict(fields)
        for item in changes.get("anomalies", []):
            self._anomalies[venue].appendleft(item)
            pending.anomalies.append(item)
        if len(pending.anomalies) > self._max_anomalies:  # bounded between ticks
            del pending.anomalies[: -self._max_anomalies]

    def body(self, venue: str) -> dict[str, Any] | None:
        body = self._bodies.get(venue)
        if body is None:
            return None
        return {
            **body,
            "zones": {k: dict(v) for k, v in body["zones"].items()},
            "artefacts": dict(body["artefacts"]),
            "anomalies": list(self._anomalies[venue]),
        }

    def take_changes(self, venue: str) -> AnalyticsChanges:
        if venue not in self._pending:
            return AnalyticsChanges()
        changes, self._pending[venue] = self._pending[venue], AnalyticsChanges()
        return changes
