"""Sparkplug B: ``spBv1.0/{group}/{NBIRTH|NDATA|NDEATH|DBIRTH|DDATA|DDEATH}/{node}[/{device}]``.

Payloads are the Sparkplug B protobuf (Eclipse Tahu's ``sparkplug_b.proto``,
compiled into :mod:`ingest.adapters.sparkplug_b_pb2`, read with protobuf's
runtime). A birth declares each metric's name and, optionally, an alias that
later DATA messages use instead of the name; this adapter remembers them per
edge node. Births mean online, deaths offline (an NDEATH takes the node's
devices with it). The device is ``{node}`` or ``{node}/{device}``; each
metric's name is the field.
"""

from __future__ import annotations

import threading
from typing import Any

from google.protobuf.message import DecodeError

from ingest.adapters import sparkplug_b_pb2
from ingest.adapters.base import AdapterError, DeviceState, Observation, Parsed
from ingest.contract import SensorStatus

__all__ = ["SparkplugAdapter", "encode_payload"]

_NAMESPACE = "spBv1.0"
_Payload: Any = sparkplug_b_pb2.Payload  # type: ignore[attr-defined]
# Sparkplug datatypes whose unsigned wire field carries a two's complement value.
_SIGNED32 = {1: 8, 2: 16, 3: 32}  # Int8, Int16, Int32 -> bits
_INT64 = 4
_VALUE_FIELDS = ("int_value", "long_value", "float_value", "double_value", "boolean_value")


class SparkplugAdapter:
    default_topic = f"{_NAMESPACE}/#"

    def __init__(self, group: str | None = None) -> None:
        self._group = group
        self._lock = threading.Lock()
        # (group, node) -> alias -> metric name, learnt from NBIRTH/DBIRTH.
        self._aliases: dict[tuple[str, str], dict[int, str]] = {}
        # (group, node) -> devices born under it, for an NDEATH.
        self._devices: dict[tuple[str, str], set[str]] = {}

    def parse(self, topic: str, payload: bytes) -> Parsed:
        parts = topic.split("/")
        if len(parts) not in (4, 5) or parts[0] != _NAMESPACE:
            if len(parts) >= 2 and parts[0] == _NAMESPACE and parts[1] == "STATE":
                return Parsed()  # host application state, not device data
            raise AdapterError("bad_topic", "expected spBv1.0/{group}/{type}/{node}[/{device}]")
        _, group, kind, node = parts[:4]
        device_id = parts[4] if len(parts) == 5 else None
        if self._group is not None and group != self._group:
            return Parsed()
        if kind in ("NCMD", "DCMD"):
            return Parsed()  # commands to the edge, not data from it
        device = node if device_id is None else f"{node}/{device_id}"
        msg = _Payload()
        try:
            msg.ParseFromString(payload)
        except DecodeError as exc:
            raise AdapterError("invalid_json", f"not a Sparkplug B payload: {exc}") from None
        key = (group, node)
        out = Parsed()
        payload_ts = msg.timestamp / 1000.0 if msg.HasField("timestamp") else None
        with self._lock:
            if kind == "NDEATH":
                out.states.append(DeviceState(node, SensorStatus.OFFLINE, payload_ts))
                out.states.extend(
                    DeviceState(f"{node}/{d}", SensorStatus.OFFLINE, payload_ts)
                    for d in sorted(self._devices.get(key, ()))
                )
                return out
            if kind == "DDEATH":
                out.states.append(DeviceState(device, SensorStatus.OFFLINE, payload_ts))
                return out
            if kind not in ("NBIRTH", "DBIRTH", "NDATA", "DDATA"):
                raise AdapterError("bad_topic", f"unknown Sparkplug message type {kind!r}")
            aliases = self._aliases.setdefault(key, {})
            if kind == "NBIRTH":
                aliases.clear()  # a rebirth redefines every alias
                self._devices[key] = set()
            if kind.endswith("BIRTH"):
                if device_id is not None:
                    self._devices.setdefault(key, set()).add(device_id)
                out.states.append(DeviceState(device, SensorStatus.ONLINE, payload_ts))
            for m in msg.metrics:
                name = m.name if m.name else None
                if m.HasField("alias"):
                    if kind.endswith("BIRTH") and name:
                        aliases[m.alias] = name
                    elif name is None:
                        name = aliases.get(m.alias)
                if name is None:
                    out.problems.append(
                        ("unknown_sensor", f"metric alias {m.alias} was not declared in a birth")
                    )
                    continue
                if name.startswith("bdSeq") or name.startswith("Node Control/"):
                    continue  # session bookkeeping, not measurements
                if m.is_null:
                    continue
                value = _metric_value(m)
                if value is None:
                    continue  # strings, datasets, templates: not time-series numbers
                ts = m.timestamp / 1000.0 if m.HasField("timestamp") else payload_ts
                out.observations.append(Observation(device, name, value, ts))
        return out


def _metric_value(m: Any) -> float | bool | None:
    which = m.WhichOneof("value")
    if which not in _VALUE_FIELDS:
        return None
    raw = getattr(m, which)
    if which == "int_value" and m.datatype in _SIGNED32:
        bits = _SIGNED32[m.datatype]
        raw &= (1 << bits) - 1
        if raw >= 1 << (bits - 1):
            raw -= 1 << bits
    elif which == "long_value" and m.datatype == _INT64 and raw >= 1 << 63:
        raw -= 1 << 64
    if which == "boolean_value":
        return bool(raw)
    return float(raw)


# Sparkplug datatype codes for the values encode_payload writes.
_DOUBLE = 10
_BOOLEAN = 11
_UINT64 = 8


def encode_payload(
    metrics: list[tuple[str, float | bool, int | None]],
    *,
    timestamp_ms: int,
    seq: int,
    aliases: dict[str, int] | None = None,
    birth: bool = False,
) -> bytes:
    """A Sparkplug B payload of ``(name, value, timestamp_ms)`` metrics.

    With ``aliases``, a birth carries name and alias and data carries only the
    alias, as the specification recommends. Used by the simulator and tests.
    """
    msg = _Payload()
    msg.timestamp = timestamp_ms
    msg.seq = seq % 256
    for name, value, ts in metrics:
        m = msg.metrics.add()
        alias = aliases.get(name) if aliases else None
        if alias is not None:
            m.alias = alias
        if alias is None or birth:
            m.name = name
        if ts is not None:
            m.timestamp = ts
        if isinstance(value, bool):
            m.datatype = _BOOLEAN
            m.boolean_value = value
        else:
            m.datatype = _DOUBLE
            m.double_value = float(value)
    return bytes(msg.SerializeToString())
