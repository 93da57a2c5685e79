"""The command storage port (the alarm store adapters implement it too)."""

from __future__ import annotations

from typing import Protocol

from twin.commands.model import CommandRecord, CommandTransition

__all__ = ["CommandStore"]


class CommandStore(Protocol):
    """Commands (latest version) and their history; lists newest first."""

    async def save_command(self, record: CommandRecord, transition: CommandTransition) -> None: ...

    async def get_command(self, command_id: str) -> CommandRecord | None: ...

    async def commands(
        self, venue: str | None = None, *, limit: int = 100
    ) -> list[CommandRecord]: ...

    async def open_commands(self) -> list[CommandRecord]: ...

    async def command_history(self, command_id: str) -> list[CommandTransition]: ...
