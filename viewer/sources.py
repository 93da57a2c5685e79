"""What the hub and the routes read from and act on, as Protocols.

The twin's own :class:`~twin.alarms.AlarmManager`, :class:`~twin.commands.CommandTracker`
and :class:`~viewer.analytics_view.AnalyticsView` satisfy them in ``venue-twin serve``;
the mirrored views of :mod:`viewer.mirror_views` satisfy them in ``venue-twin viewer``.
"""

from __future__ import annotations

from typing import Any, Protocol

from twin.alarms import Alarm, AlarmListener, AlarmTransition
from twin.commands import CommandListener, CommandRecord
from viewer.analytics_view import AnalyticsChanges

__all__ = ["AlarmSource", "AnalyticsSource", "CommandSource"]


class AlarmSource(Protocol):
    def add_listener(self, listener: AlarmListener) -> None: ...

    def open_alarms(self, venue: str | None = None) -> list[Alarm]: ...

    async def get(self, alarm_id: str) -> Alarm: ...

    async def history(self, alarm_id: str) -> list[AlarmTransition]: ...

    async def acknowledge(self, alarm_id: str, user: str, note: str = "") -> Alarm: ...

    async def shelve(
        self, alarm_id: str, user: str, *, duration_s: float, note: str = ""
    ) -> Alarm: ...

    async def unshelve(self, alarm_id: str, user: str, note: str = "") -> Alarm: ...


class CommandSource(Protocol):
    def add_listener(self, listener: CommandListener) -> None: ...

    def open_commands(self, venue: str | None = None) -> list[CommandRecord]: ...

    async def get(self, command_id: str) -> CommandRecord: ...

    async def confirm(self, command_id: str, user: str) -> CommandRecord: ...

    async def reject(self, command_id: str, user: str, note: str = "") -> CommandRecord: ...


class AnalyticsSource(Protocol):
    def body(self, venue: str) -> dict[str, Any] | None: ...

    def take_changes(self, venue: str) -> AnalyticsChanges: ...
