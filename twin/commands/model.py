"""Command records: a command to a device, its state and its history."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from ingest.contract import Command

__all__ = ["CommandRecord", "CommandState", "CommandTransition", "Params"]

Params = Mapping[str, float | str | bool]


class CommandState(enum.StrEnum):
    PENDING_CONFIRMATION = "pending_confirmation"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    REJECTED_BY_OPERATOR = "rejected_by_operator"
    EXPIRED = "expired"

    @property
    def is_final(self) -> bool:
        return self not in (CommandState.PENDING_CONFIRMATION, CommandState.SENT)


@dataclass(frozen=True, slots=True)
class CommandRecord:
    """One command from request to its final state.

    ``expires_at`` bounds how long it may wait for an operator's confirmation;
    ``deadline`` how long for the device's acknowledgement once sent.
    ``origin`` says who asked: ``rule:<id>`` or ``user:<name>``.
    """

    command_id: str
    venue: str
    target: str
    action: str
    params: Params
    state: CommandState
    origin: str
    created_at: float
    updated_at: float
    expires_at: float | None = None
    sent_at: float | None = None
    deadline: float | None = None
    detail: str = ""
    confirmed_by: str | None = None

    def to_command(self, ts: float) -> Command:
        return Command(self.venue, self.target, self.command_id, self.action, dict(self.params), ts)


@dataclass(frozen=True, slots=True)
class CommandTransition:
    command_id: str
    ts: float
    from_state: CommandState | None
    to_state: CommandState
    user: str
    detail: str = ""
