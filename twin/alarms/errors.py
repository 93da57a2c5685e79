"""Errors of the alarm system."""

from __future__ import annotations

__all__ = [
    "AlarmError",
    "AlarmStoreError",
    "AlarmStoreUnavailable",
    "IllegalTransition",
    "UnknownAlarm",
]


class AlarmError(Exception):
    """Base of every alarm error."""


class IllegalTransition(AlarmError):
    """An operation that the alarm's current state does not allow (e.g. ack twice)."""


class UnknownAlarm(AlarmError, KeyError):
    """No alarm with that id."""

    def __str__(self) -> str:
        return f"no alarm {self.args[0]!r}" if self.args else "no such alarm"


class AlarmStoreError(AlarmError):
    """The alarm or command store failed (connection, schema, data)."""


class AlarmStoreUnavailable(AlarmStoreError):
    """The store cannot be reached now (connection lost, database locked): retry later."""
