"""Wire form of the twin's state topics (``venues/{venue}/twin/...``), version 1.

Sensor and zone bodies have the shape of the WebSocket frames
(``docs/websocket.md``); alarms and commands carry the WebSocket body plus the
few fields a mirror needs to rebuild the twin's records exactly (``active``,
``acknowledged_at``, ``cleared_at``; ``sent_at``, ``deadline``). Every message
has ``"v": 1``; ``epoch`` names one run of the publisher, ``seq`` counts its
deltas per venue (a snapshot carries the seq of the last delta it includes).
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

import msgspec

from twin.alarms import Alarm, AlarmState, Severity
from twin.alarms.texts import text_from_json, text_to_json
from twin.commands import CommandRecord, CommandState
from twin.replica.errors import CodecError
from twin.state import Health, SensorState, ZoneState

__all__ = [
    "VERSION",
    "ActionKind",
    "ActionReply",
    "ActionRequest",
    "AlarmWire",
    "CommandWire",
    "DeltaMsg",
    "ResyncRequest",
    "SensorWire",
    "SnapshotMsg",
    "ZoneWire",
    "alarm_from_wire",
    "alarm_to_wire",
    "command_from_wire",
    "command_to_wire",
    "decode",
    "encode",
    "sensor_from_wire",
    "sensor_to_wire",
    "zone_to_wire",
]

VERSION = 1

ActionKind = Literal["acknowledge", "shelve", "unshelve", "confirm", "reject"]


class SensorWire(msgspec.Struct, frozen=True):
    value: float | None
    ts: float | None
    status: Health


class ZoneWire(msgspec.Struct, frozen=True):
    occupancy: float | None
    density: float | None
    temperature: float | None
    humidity: float | None
    co2: float | None
    lux: float | None


class AlarmWire(msgspec.Struct, frozen=True):
    id: str
    venue: str
    source: str
    kind: str
    severity: Severity
    state: AlarmState
    message: str
    value: float | None
    count: int
    raised_at: float
    updated_at: float
    acknowledged_by: str | None
    note: str
    shelved_until: float | None
    active: bool
    acknowledged_at: float | None
    cleared_at: float | None
    # The message's catalogue key and parameters (twin.alarms.texts); "" if none.
    text: str = ""
    # Alarm.revision (0 from a publisher that predates it).
    revision: int = 0


class CommandWire(msgspec.Struct, frozen=True):
    id: str
    venue: str
    target: str
    action: str
    params: dict[str, bool | float | str]
    state: CommandState
    origin: str
    created_at: float
    updated_at: float
    expires_at: float | None
    detail: str
    confirmed_by: str | None
    sent_at: float | None
    deadline: float | None


class SnapshotMsg(msgspec.Struct, tag="snapshot", tag_field="type"):
    """The full picture of one venue (retained)."""

    venue: str
    epoch: str
    seq: int
    published_at: float
    sensors: dict[str, SensorWire]
    zones: dict[str, ZoneWire]
    alarms: list[AlarmWire]
    commands: list[CommandWire]
    analytics: dict[str, Any]
    v: int = VERSION


class DeltaMsg(msgspec.Struct, tag="delta", tag_field="type"):
    """What changed in one tick; alarms and commands in their new state."""

    venue: str
    epoch: str
    seq: int
    published_at: float
    sensors: dict[str, SensorWire]
    zones: dict[str, ZoneWire]
    alarms: list[AlarmWire]
    commands: list[CommandWire]
    analytics: dict[str, Any] | None = None
    v: int = VERSION


class ResyncRequest(msgspec.Struct, tag="resync", tag_field="type"):
    """A mirror asks for a fresh snapshot (it saw a gap or a new epoch)."""

    venue: str
    reason: str = ""
    v: int = VERSION


class ActionRequest(msgspec.Struct, tag="action", tag_field="type"):
    """An operator action forwarded by a mirror viewer, answered on ``reply_to``."""

    request_id: str
    reply_to: str
    venue: str
    kind: ActionKind
    target_id: str
    user: str
    note: str = ""
    duration_s: float | None = None
    v: int = VERSION


class ActionReply(msgspec.Struct, tag="reply", tag_field="type"):
    """``status`` is the HTTP status the twin's own route would have answered."""

    request_id: str
    ok: bool
    status: int
    error: str | None = None
    alarm: AlarmWire | None = None
    command: CommandWire | None = None
    v: int = VERSION


Message = SnapshotMsg | DeltaMsg | ResyncRequest | ActionRequest | ActionReply

T = TypeVar("T", SnapshotMsg, DeltaMsg, ResyncRequest, ActionRequest, ActionReply)

_encoder = msgspec.json.Encoder()
_decoders: dict[type[Any], msgspec.json.Decoder[Any]] = {}


def encode(msg: Message) -> bytes:
    return _encoder.encode(msg)


def decode(data: bytes | bytearray | memoryview, kind: type[T]) -> T:
    """Decode one message of ``kind``; anything else raises :class:`CodecError`."""
    decoder = _decoders.get(kind)
    if decoder is None:
        decoder = _decoders[kind] = msgspec.json.Decoder(kind)
    try:
        msg: T = decoder.decode(data)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise CodecError(f"bad {kind.__name__}: {exc}") from exc
    if msg.v != VERSION:
        raise CodecError(f"unsupported version {msg.v} (this build speaks {VERSION})")
    return msg


# -- conversions -----------------------------------------------------------


def sensor_to_wire(s: SensorState) -> SensorWire:
    return SensorWire(s.value, s.ts, s.health)


def sensor_from_wire(sensor: str, w: SensorWire) -> SensorState:
    # Offline is the only health that a device's status sets, and it wins over all others.
    return SensorState(sensor, w.value, w.ts, w.status, w.status is not Health.OFFLINE)


def zone_to_wire(z: ZoneState) -> ZoneWire:
    return ZoneWire(z.occupancy, z.density, z.temperature, z.humidity, z.co2, z.lux)


def alarm_to_wire(a: Alarm) -> AlarmWire:
    return AlarmWire(
        id=a.alarm_id,
        venue=a.venue,
        source=a.source,
        kind=a.kind,
        severity=a.severity,
        state=a.state,
        message=a.message,
        value=a.value,
        count=a.count,
        raised_at=a.raised_at,
        updated_at=a.updated_at,
        acknowledged_by=a.acknowledged_by,
        note=a.note,
        shelved_until=a.shelved_until,
        active=a.active,
        acknowledged_at=a.acknowledged_at,
        cleared_at=a.cleared_at,
        text=text_to_json(a.text),
        revision=a.revision,
    )


def alarm_from_wire(w: AlarmWire) -> Alarm:
    return Alarm(
        alarm_id=w.id,
        venue=w.venue,
        source=w.source,
        kind=w.kind,
        severity=w.severity,
        state=w.state,
        message=w.message,
        value=w.value,
        count=w.count,
        active=w.active,
        raised_at=w.raised_at,
        updated_at=w.updated_at,
        acknowledged_at=w.acknowledged_at,
        acknowledged_by=w.acknowledged_by,
        note=w.note,
        cleared_at=w.cleared_at,
        shelved_until=w.shelved_until,
        text=text_from_json(w.text),
        revision=w.revision,
    )


def command_to_wire(c: CommandRecord) -> CommandWire:
    return CommandWire(
        id=c.command_id,
        venue=c.venue,
        target=c.target,
        action=c.action,
        params=dict(c.params),
        state=c.state,
        origin=c.origin,
        created_at=c.created_at,
        updated_at=c.updated_at,
        expires_at=c.expires_at,
        detail=c.detail,
        confirmed_by=c.confirmed_by,
        sent_at=c.sent_at,
        deadline=c.deadline,
    )


def command_from_wire(w: CommandWire) -> CommandRecord:
    return CommandRecord(
        command_id=w.id,
        venue=w.venue,
        target=w.target,
        action=w.action,
        params=dict(w.params),
        state=w.state,
        origin=w.origin,
        created_at=w.created_at,
        updated_at=w.updated_at,
        expires_at=w.expires_at,
        sent_at=w.sent_at,
        deadline=w.deadline,
        detail=w.detail,
        confirmed_by=w.confirmed_by,
    )
