"""The MQTT wire contract: topics, payload shapes and the typed values they decode to.

Everything past `ingest/` sees these value objects, never raw bytes or dicts.
Version 1 of the contract; payloads carry ``"v": 1`` (optional, assumed 1).

Topics, under a configurable prefix (``""`` by default):

- ``venues/{venue}/sensors/{sensor}``   one sensor, one reading or ``{"readings": [...]}``;
  a ``people_tracker`` also sends ``{"ts", "count", "positions": [[x, y], ..], "ids"?}``
- ``venues/{venue}/batch``              many sensors: ``{"readings": [{"sensor": ..}, ..]}``
- ``venues/{venue}/status/{sensor}``    ``{"state": "online" | "offline"}``, retained, last will
- ``venues/{venue}/commands/{target}``  twin to device; ``.../ack`` device to twin
- ``venues/{venue}/twin/...``           derived state published by the twin
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = [
    "CONTRACT_VERSION",
    "Command",
    "CommandAck",
    "DeadLetter",
    "Quality",
    "Reading",
    "SensorStatus",
    "StatusEvent",
    "TopicKind",
    "Topics",
    "TrackFrame",
]

CONTRACT_VERSION = 1


class Quality(enum.StrEnum):
    """Device-reported quality of a reading (OPC UA's three-way split)."""

    GOOD = "good"
    UNCERTAIN = "uncertain"
    BAD = "bad"


class SensorStatus(enum.StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"


@dataclass(frozen=True, slots=True)
class Reading:
    """One sensor value at one device time.

    ``ts`` is the device's timestamp as UTC epoch seconds (float): cheap to
    compare, bucket and put in numpy arrays; convert at the edges.
    """

    venue: str
    sensor: str
    ts: float
    value: float
    quality: Quality = Quality.GOOD


@dataclass(frozen=True, slots=True)
class TrackFrame:
    """One frame of a people tracker (3D stereo counter, camera tracker).

    ``count`` is also stored as the sensor's reading (storage stays numeric);
    the positions (venue metres, ``(n, 2)`` as pairs) and optional track ids
    go only to the live analytics and are never stored. ``count`` may exceed
    ``len(positions)`` (people counted but not located).
    """

    venue: str
    sensor: str
    ts: float
    count: int
    positions: tuple[tuple[float, float], ...]
    ids: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class StatusEvent:
    venue: str
    sensor: str
    status: SensorStatus
    ts: float


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A rejected message: why, where from, and its bytes (capped)."""

    reason: str
    detail: str
    topic: str
    payload: bytes
    received_at: float


@dataclass(frozen=True, slots=True)
class Command:
    venue: str
    target: str
    command_id: str
    action: str
    params: dict[str, float | str | bool]
    ts: float


@dataclass(frozen=True, slots=True)
class CommandAck:
    venue: str
    target: str
    command_id: str
    ok: bool
    detail: str
    ts: float


class TopicKind(enum.StrEnum):
    SENSOR = "sensors"
    BATCH = "batch"
    STATUS = "status"
    COMMAND = "commands"
    TWIN = "twin"


@dataclass(frozen=True, slots=True)
class Topics:
    """Builds and filters topic names under one prefix."""

    prefix: str = ""

    def _root(self) -> str:
        return f"{self.prefix.rstrip('/')}/venues" if self.prefix else "venues"

    def sensor(self, venue: str, sensor: str) -> str:
        return f"{self._root()}/{venue}/sensors/{sensor}"

    def batch(self, venue: str) -> str:
        return f"{self._root()}/{venue}/batch"

    def status(self, venue: str, sensor: str) -> str:
        return f"{self._root()}/{venue}/status/{sensor}"

    def command(self, venue: str, target: str) -> str:
        return f"{self._root()}/{venue}/commands/{target}"

    def command_ack(self, venue: str, target: str) -> str:
        return f"{self.command(venue, target)}/ack"

    def twin(self, venue: str, path: str) -> str:
        return f"{self._root()}/{venue}/twin/{path}"

    def ingest_filters(self, venue: str = "+") -> list[str]:
        """Subscriptions an ingest worker needs (readings and status)."""
        root = self._root()
        return [
            f"{root}/{venue}/sensors/+",
            f"{root}/{venue}/batch",
            f"{root}/{venue}/status/+",
        ]

    def split(self, topic: str) -> tuple[str, TopicKind, str] | None:
        """``(venue, kind, rest)`` for a topic of ours, else ``None``."""
        root = self._root() + "/"
        if not topic.startswith(root):
            return None
        parts = topic[len(root) :].split("/")
        if len(parts) < 2 or not parts[0]:
            return None
        try:
            kind = TopicKind(parts[1])
        except ValueError:
            return None
        return parts[0], kind, "/".join(parts[2:])
