"""Alarm and command history that waits for the database: its health and its last flush."""

from __future__ import annotations

import logging

from twin.alarms import AlarmManager
from twin.commands import CommandTracker

__all__ = ["flush_history", "history_write_counts"]

log = logging.getLogger(__name__)


def history_write_counts(
    alarms: AlarmManager | None, commands: CommandTracker | None
) -> dict[str, dict[str, int]]:
    """History writes waiting for the database, and any given up on, per tracker."""
    return {
        name: {"waiting": tracker.writes.pending, "dropped": tracker.writes.dropped}
        for name, tracker in (("alarms", alarms), ("commands", commands))
        if tracker is not None
    }


async def flush_history(alarms: AlarmManager, commands: CommandTracker) -> None:
    """History that waited for the database gets its last chance; what stays is logged."""
    for tracker in (alarms, commands):
        if not await tracker.writes.flush():
            log.error(
                "%d %s history writes could not be stored before shutdown",
                tracker.writes.pending,
                "alarm" if tracker is alarms else "command",
            )
