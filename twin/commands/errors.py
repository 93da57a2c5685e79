"""Errors of the command path."""

from __future__ import annotations

__all__ = ["CommandError", "CommandNotPending", "PublishFailed", "UnknownCommand"]


class CommandError(Exception):
    """Base of every command error."""


class UnknownCommand(CommandError, KeyError):
    def __str__(self) -> str:
        return f"no command {self.args[0]!r}" if self.args else "no such command"


class CommandNotPending(CommandError):
    """Confirm or reject on a command that no longer waits for an operator."""


class PublishFailed(CommandError):
    """The broker did not take the command (not connected, refused, timed out)."""
