"""The twin's state on the broker, for mirror viewers (``docs/protocol.md``, ``docs/scaling.md``).

:class:`StatePublisher` runs in the twin's process: snapshots, deltas, and the
operator actions that mirrors forward. The wire form is in :mod:`twin.replica.codec`.
"""

from twin.replica.actions import ActionHandler
from twin.replica.errors import (
    ActionTimeout,
    CodecError,
    RemoteActionFailed,
    ReplicaError,
    TwinUnreachable,
)
from twin.replica.publisher import AnalyticsFeed, PublisherStats, StatePublisher

__all__ = [
    "ActionHandler",
    "ActionTimeout",
    "AnalyticsFeed",
    "CodecError",
    "PublisherStats",
    "RemoteActionFailed",
    "ReplicaError",
    "StatePublisher",
    "TwinUnreachable",
]
