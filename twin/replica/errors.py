"""Errors of the replicated twin state (publisher, actions, mirrors).

Each carries the HTTP status a viewer answers with, so a mirror's routes turn
them into responses without knowing which one happened.
"""

from __future__ import annotations

__all__ = ["ActionTimeout", "CodecError", "RemoteActionFailed", "ReplicaError", "TwinUnreachable"]


class ReplicaError(Exception):
    """Base of every replica error; ``status`` is the HTTP status to answer with."""

    status = 500


class CodecError(ReplicaError):
    """A twin-topic payload that does not decode (wrong JSON, type or version)."""

    status = 400


class TwinUnreachable(ReplicaError):
    """The mirror cannot reach the twin: broker down, or the twin stopped publishing."""

    status = 503


class ActionTimeout(ReplicaError):
    """The twin did not answer a forwarded operator action in time."""

    status = 504


class RemoteActionFailed(ReplicaError):
    """The twin answered an action with an error status this side has no type for."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
