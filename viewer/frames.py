"""WebSocket frame bodies (protocol version 1, see ``docs/websocket.md``).

Frames carry sensor values and zone aggregates, never geometry: their size is
independent of the mesh.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from twin.state import LiveState, SensorState, ZoneState
from viewer.roles import Principal

__all__ = [
    "PROTOCOL_VERSION",
    "delta_frame",
    "encode",
    "error_frame",
    "hello_frame",
    "sensor_body",
    "snapshot_body",
    "zone_body",
]

PROTOCOL_VERSION = 1
_encoder = msgspec.json.Encoder()


def encode(frame: dict[str, Any]) -> str:
    return _encoder.encode(frame).decode()


def sensor_body(s: SensorState) -> dict[str, Any]:
    return {"value": s.value, "ts": s.ts, "status": s.health.value}


def zone_body(z: ZoneState) -> dict[str, Any]:
    return {
        "occupancy": z.occupancy,
        "density": z.density,
        "temperature": z.temperature,
        "humidity": z.humidity,
        "co2": z.co2,
        "lux": z.lux,
    }


def snapshot_body(state: LiveState, server_time: float) -> dict[str, Any]:
    return {
        "type": "snapshot",
        "v": PROTOCOL_VERSION,
        "venue": state.venue.id,
        "server_time": server_time,
        "sensors": {s.sensor: sensor_body(s) for s in state.sensors()},
        "zones": {z.zone: zone_body(z) for z in state.zones()},
    }


def delta_frame(
    venue: str,
    sensors: Iterable[SensorState],
    zones: Iterable[ZoneState],
    server_time: float,
) -> dict[str, Any]:
    return {
        "type": "delta",
        "v": PROTOCOL_VERSION,
        "venue": venue,
        "server_time": server_time,
        "sensors": {s.sensor: sensor_body(s) for s in sensors},
        "zones": {z.zone: zone_body(z) for z in zones},
    }


def hello_frame(server_time: float, principal: Principal) -> dict[str, Any]:
    return {
        "type": "hello",
        "v": PROTOCOL_VERSION,
        "server_time": server_time,
        "username": principal.username,
        "role": principal.role.value,
    }


def error_frame(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}
