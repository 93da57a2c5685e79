"""What every payload adapter produces: observations of device fields, before mapping.

An adapter only understands one ecosystem's payload. It names the device and
the field of each value as that ecosystem does; :mod:`ingest.adapters.router`
then maps them to the venue's sensors, converts units, validates and
dead-letters, the same for every adapter.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from ingest.contract import SensorStatus

__all__ = [
    "Adapter",
    "AdapterError",
    "DeviceHealth",
    "DeviceState",
    "Observation",
    "Parsed",
    "flatten_numbers",
    "load_json_object",
    "parse_time",
]


class AdapterError(Exception):
    """The whole message is unusable; ``reason`` is an ingest dead-letter reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Observation:
    """One value of one field of one device; ``ts`` None means "when received"."""

    device: str
    field: str
    value: Any
    ts: float | None = None


@dataclass(frozen=True, slots=True)
class DeviceHealth:
    """Radio and power facts about a device, kept beside its sensors' values."""

    rssi_dbm: float | None = None
    snr_db: float | None = None
    gateway: str | None = None
    link_quality: float | None = None
    battery: float | None = None


@dataclass(frozen=True, slots=True)
class DeviceState:
    """A device came online or went offline (a birth, a death, an availability)."""

    device: str
    status: SensorStatus
    ts: float | None = None


@dataclass(slots=True)
class Parsed:
    observations: list[Observation] = field(default_factory=list)
    states: list[DeviceState] = field(default_factory=list)
    health: dict[str, DeviceHealth] = field(default_factory=dict)
    # Per-value problems that cost one value, not the message: (reason, detail).
    problems: list[tuple[str, str]] = field(default_factory=list)


class Adapter(Protocol):
    """Decodes one ecosystem's (topic, payload) into observations. Pure; may keep
    per-device protocol state (Sparkplug aliases)."""

    def parse(self, topic: str, payload: bytes) -> Parsed: ...


def parse_time(raw: Any, *, epoch_unit: str = "ms") -> float:
    """ISO 8601 with a zone, or epoch seconds / milliseconds, to epoch seconds.

    Raises :class:`AdapterError` (``bad_timestamp``) for anything else.
    """
    if isinstance(raw, bool):
        raise AdapterError("bad_timestamp", f"timestamp {raw!r} is not a time")
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            raise AdapterError("bad_timestamp", "timestamp is not finite")
        return float(raw) / (1000.0 if epoch_unit == "ms" else 1.0)
    if isinstance(raw, str):
        text = raw.strip()
        # Network servers write nanoseconds; Python reads at most microseconds.
        if "." in text:
            head, _, frac = text.partition(".")
            digits = len(frac) - len(frac.lstrip("0123456789"))
            if digits > 6:
                text = head + "." + frac[:6] + frac[digits:]
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            raise AdapterError("bad_timestamp", f"timestamp {raw[:40]!r} is not ISO 8601") from None
        if dt.tzinfo is None:
            raise AdapterError("bad_timestamp", f"timestamp {raw[:40]!r} has no UTC offset")
        return dt.timestamp()
    raise AdapterError("bad_timestamp", f"timestamp of type {type(raw).__name__}")


def flatten_numbers(obj: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """``{"a": {"b": 1}, "c": true}`` -> ``[("a.b", 1), ("c", True)]``: every leaf.

    Codecs nest channels (``{"temperatureSensor": {"1": 28}}``); a dotted path
    names each leaf. Lists are indexed. The router decides which leaves are
    numbers.
    """
    out: list[tuple[str, Any]] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.extend(flatten_numbers(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.extend(flatten_numbers(v, f"{prefix}.{i}" if prefix else str(i)))
    elif prefix:
        out.append((prefix, obj))
    return out


def load_json_object(payload: bytes) -> dict[str, Any]:
    """The payload as a JSON object, or :class:`AdapterError` saying why not."""
    import msgspec

    try:
        doc = msgspec.json.decode(payload)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        # Devices do send NaN and Infinity; the stdlib reads them, so the one
        # bad value is rejected (non_finite) and the rest of the message kept.
        try:
            doc = json.loads(payload)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise AdapterError("invalid_json", f"not valid JSON: {exc}"[:200]) from None
    if not isinstance(doc, dict):
        raise AdapterError("bad_shape", "payload must be a JSON object")
    return doc
