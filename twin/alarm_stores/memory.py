"""In-memory alarm and command store: the fake for unit tests and demos.

Behaves as the SQLite and PostgreSQL adapters do (same conformance suite);
keeps everything, so use it only where the process is short-lived.
"""

from __future__ import annotations

from typing import Literal

from twin.alarms.errors import AlarmStoreError
from twin.alarms.model import Alarm, AlarmTransition
from twin.commands.model import CommandRecord, CommandTransition

__all__ = ["MemoryAlarmStore"]


class MemoryAlarmStore:
    """Implements ``AlarmStore`` and ``CommandStore``."""

    def __init__(self) -> None:
        self._alarms: dict[str, Alarm] = {}
        self._alarm_history: dict[str, list[AlarmTransition]] = {}
        self._commands: dict[str, CommandRecord] = {}
        self._command_history: dict[str, list[CommandTransition]] = {}
        self._is_open = False

    async def open(self) -> None:
        self._is_open = True

    async def close(self) -> None:
        self._is_open = False

    def _check(self) -> None:
        if not self._is_open:
            raise AlarmStoreError("alarm store is not open")

    # -- alarms ------------------------------------------------------------

    async def save_alarm(self, alarm: Alarm, transition: AlarmTransition | None) -> None:
        self._check()
        self._alarms[alarm.alarm_id] = alarm
        if transition is not None:
            self._alarm_history.setdefault(alarm.alarm_id, []).append(transition)

    async def get_alarm(self, alarm_id: str) -> Alarm | None:
        self._check()
        return self._alarms.get(alarm_id)

    async def open_alarms(self, venue: str | None = None) -> list[Alarm]:
        self._check()
        found = [
            a
            for a in self._alarms.values()
            if a.state.is_open and (venue is None or a.venue == venue)
        ]
        return sorted(found, key=lambda a: (-a.raised_at, a.alarm_id))

    async def alarms(
        self,
        venue: str | None = None,
        *,
        since: float | None = None,
        limit: int = 100,
        by: Literal["raised", "updated"] = "raised",
    ) -> list[Alarm]:
        self._check()
        found = [
            a
            for a in self._alarms.values()
            if (venue is None or a.venue == venue) and (since is None or a.updated_at >= since)
        ]
        if by == "updated":
            return sorted(found, key=lambda a: (-a.updated_at, a.alarm_id))[:limit]
        return sorted(found, key=lambda a: (-a.raised_at, a.alarm_id))[:limit]

    async def alarm_history(self, alarm_id: str) -> list[AlarmTransition]:
        self._check()
        return list(self._alarm_history.get(alarm_id, []))

    # -- commands ----------------------------------------------------------

    async def save_command(self, record: CommandRecord, transition: CommandTransition) -> None:
        self._check()
        self._commands[record.command_id] = record
        self._command_history.setdefault(record.command_id, []).append(transition)

    async def get_command(self, command_id: str) -> CommandRecord | None:
        self._check()
        return self._commands.get(command_id)

    async def commands(self, venue: str | None = None, *, limit: int = 100) -> list[CommandRecord]:
        self._check()
        found = [c for c in self._commands.values() if venue is None or c.venue == venue]
        return sorted(found, key=lambda c: (-c.created_at, c.command_id))[:limit]

    async def open_commands(self) -> list[CommandRecord]:
        self._check()
        found = [c for c in self._commands.values() if not c.state.is_final]
        return sorted(found, key=lambda c: (-c.created_at, c.command_id))

    async def command_history(self, command_id: str) -> list[CommandTransition]:
        self._check()
        return list(self._command_history.get(command_id, []))
