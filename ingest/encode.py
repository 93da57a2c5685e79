"""Encoding of contract values into MQTT payloads (what devices and simulators send).

Payload shapes, version 1 (``docs/protocol.md`` has the JSON Schemas):

- one reading:   ``{"v": 1, "ts": 1732530000123, "value": 21.5, "quality": "good"}``
- many readings of one sensor: ``{"v": 1, "readings": [{"ts": .., "value": ..}, ..]}``
- batch:         ``{"v": 1, "readings": [{"sensor": "id", "ts": .., "value": ..}, ..]}``
- status:        ``{"v": 1, "state": "online", "ts": ..}``
- command:       ``{"v": 1, "id": "..", "action": "..", "params": {..}, "ts": ..}``
- command ack:   ``{"v": 1, "id": "..", "ok": true, "detail": "..", "ts": ..}``

``ts`` is UTC epoch milliseconds (an integer) or an ISO 8601 string with offset;
encoders here always write milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from ingest.contract import (
    CONTRACT_VERSION,
    Command,
    CommandAck,
    Quality,
    Reading,
    SensorStatus,
)

__all__ = [
    "encode_ack",
    "encode_batch",
    "encode_command",
    "encode_reading",
    "encode_sensor_readings",
    "encode_status",
    "to_millis",
]

_encoder = msgspec.json.Encoder()


def to_millis(ts: float) -> int:
    return round(ts * 1000.0)


def _item(r: Reading, with_sensor: bool) -> dict[str, Any]:
    d: dict[str, Any] = {"ts": to_millis(r.ts), "value": r.value}
    if with_sensor:
        d["sensor"] = r.sensor
    if r.quality is not Quality.GOOD:
        d["quality"] = r.quality.value
    return d


def encode_reading(r: Reading) -> bytes:
    """Payload for ``venues/{venue}/sensors/{sensor}`` carrying one reading."""
    return _encoder.encode({"v": CONTRACT_VERSION, **_item(r, with_sensor=False)})


def encode_sensor_readings(readings: Iterable[Reading]) -> bytes:
    """Payload for ``venues/{venue}/sensors/{sensor}`` carrying several readings."""
    items = [_item(r, with_sensor=False) for r in readings]
    return _encoder.encode({"v": CONTRACT_VERSION, "readings": items})


def encode_batch(readings: Iterable[Reading]) -> bytes:
    """Payload for ``venues/{venue}/batch``: readings of many sensors of one venue."""
    items = [_item(r, with_sensor=True) for r in readings]
    return _encoder.encode({"v": CONTRACT_VERSION, "readings": items})


def encode_status(status: SensorStatus, ts: float) -> bytes:
    return _encoder.encode({"v": CONTRACT_VERSION, "state": status.value, "ts": to_millis(ts)})


def encode_command(cmd: Command) -> bytes:
    return _encoder.encode(
        {
            "v": CONTRACT_VERSION,
            "id": cmd.command_id,
            "action": cmd.action,
            "params": cmd.params,
            "ts": to_millis(cmd.ts),
        }
    )


def encode_ack(ack: CommandAck) -> bytes:
    return _encoder.encode(
        {
            "v": CONTRACT_VERSION,
            "id": ack.command_id,
            "ok": ack.ok,
            "detail": ack.detail,
            "ts": to_millis(ack.ts),
        }
    )
