"""Routes adapter topics to their adapter and turns observations into readings.

Everything after parsing is shared by every adapter: device -> sensor mapping,
unit conversion to the venue's canonical unit, validation (numbers, finite,
timestamp window), unknown devices registered as unplaced sensors, dead
letters with reasons, device health. Topics under our own contract go to the
contract :class:`~ingest.decode.Decoder` untouched, so the hot path for our
own devices costs one ``startswith``.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from paho.mqtt.client import topic_matches_sub

from ingest.adapters.base import Adapter, AdapterError, DeviceHealth, Observation, Parsed
from ingest.adapters.build import build_adapter
from ingest.adapters.spec import AdapterFormat, AdapterSpec, UnknownDevices
from ingest.contract import DeadLetter, Reading, StatusEvent, Topics
from ingest.decode import DecodeLimits, Decoder, DecodeResult, Reason
from ingest.units import Linear, UnitError, canonical_unit, conversion

__all__ = ["AdapterDecoder", "Route", "UnplacedSensor", "sensor_id"]

log = logging.getLogger(__name__)

_BAD_ID_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")
# Formats where the operator pointed at one value: a non-number there is an error.
_STRICT_VALUES = {AdapterFormat.JSON, AdapterFormat.HA_STATESTREAM}

CanonicalUnit = Callable[[str, str], str | None]
KnownSensor = Callable[[str, str], bool]


def sensor_id(prefix: str, device: str, field_name: str) -> str:
    """A valid venue identifier for an unmapped device field (at most 64 chars)."""
    base = device if field_name in ("state", "value") else f"{device}-{field_name}"
    sid = _BAD_ID_CHARS.sub("_", prefix + base).strip("_.-")
    return sid[:64] or "device"


@dataclass(frozen=True, slots=True)
class UnplacedSensor:
    venue: str
    sensor: str
    device: str
    field: str
    adapter: str
    first_seen: float


@dataclass(slots=True)
class Route:
    spec: AdapterSpec
    venue: str
    filter: str
    adapter: Adapter
    by_field: dict[tuple[str, str | None], tuple[str, str | None]] = field(default_factory=dict)
    # device -> sensors seen for it, so an offline device marks each of them.
    device_sensors: dict[str, set[str]] = field(default_factory=dict)

    def sensor_for(self, device: str, field_name: str) -> tuple[str, str | None]:
        hit = self.by_field.get((device, field_name)) or self.by_field.get((device, None))
        if hit is not None:
            sid, unit = hit
            if (device, field_name) not in self.by_field and field_name not in ("state", "value"):
                # One mapping for every field of a device: sensor per field.
                sid = f"{sid}-{_BAD_ID_CHARS.sub('_', field_name)}"[:64]
            return sid, unit or self.spec.units.get(field_name)
        return (
            sensor_id(self.spec.sensor_prefix, device, field_name),
            self.spec.units.get(field_name),
        )


class AdapterDecoder:
    """A drop-in for :class:`Decoder` that also understands adapter subscriptions."""

    def __init__(
        self,
        topics: Topics,
        contract: Decoder,
        specs: Sequence[AdapterSpec],
        *,
        limits: DecodeLimits | None = None,
        known_sensor: KnownSensor | None = None,
        canonical: CanonicalUnit | None = None,
        on_new_sensor: Callable[[UnplacedSensor], None] | None = None,
    ) -> None:
        self._root = topics.ingest_filters("x")[0].split("/x/")[0] + "/"
        self._contract = contract
        self._limits = limits or DecodeLimits()
        self._known = known_sensor
        self._canonical = canonical
        self._on_new = on_new_sensor
        self.routes = [_route(s) for s in specs]
        self._lock = threading.Lock()
        self._conversions: dict[tuple[str, str, str | None], Linear] = {}
        self.unplaced: dict[tuple[str, str], UnplacedSensor] = {}
        self.health: dict[tuple[str, str], DeviceHealth] = {}
        self.skipped_fields = 0

    def health_of(self, venue: str) -> dict[str, DeviceHealth]:
        """Each sensor's latest device health in ``venue`` (a copy: decoding goes on)."""
        with self._lock:
            return {sid: h for (v, sid), h in self.health.items() if v == venue}

    @property
    def filters(self) -> list[str]:
        """MQTT filters to subscribe to, besides the contract's."""
        return sorted({r.filter for r in self.routes})

    def decode(self, topic: str, payload: bytes | bytearray, received_at: float) -> DecodeResult:
        if topic.startswith(self._root):
            return self._contract.decode(topic, payload, received_at)
        for route in self.routes:
            if topic_matches_sub(route.filter, topic):
                return self._adapt(route, topic, bytes(payload), received_at)
        return self._contract.decode(topic, payload, received_at)

    # -- internals -------------------------------------------------------

    def _letter(
        self, reason: str, detail: str, topic: str, payload: bytes, now: float
    ) -> DeadLetter:
        cap = self._limits.dead_letter_bytes
        return DeadLetter(reason, detail[:300], topic[:512], payload[:cap], now)

    def _adapt(self, route: Route, topic: str, payload: bytes, now: float) -> DecodeResult:
        out = DecodeResult()
        if len(payload) > self._limits.max_payload_bytes:
            detail = f"payload of {len(payload)} bytes exceeds {self._limits.max_payload_bytes}"
            out.rejected.append(self._letter(Reason.OVERSIZE.value, detail, topic, payload, now))
            return out
        try:
            parsed = route.adapter.parse(topic, payload)
        except AdapterError as err:
            out.rejected.append(self._letter(err.reason, err.detail, topic, payload, now))
            return out
        except Exception as exc:  # an adapter bug costs one message, never the stream
            log.exception("adapter %s failed on %r", route.spec.format, topic[:200])
            detail = f"adapter error: {exc!r}"
            out.rejected.append(self._letter(Reason.INTERNAL.value, detail, topic, payload, now))
            return out
        self._collect(route, parsed, topic, payload, now, out)
        return out

    def _collect(
        self,
        route: Route,
        parsed: Parsed,
        topic: str,
        payload: bytes,
        now: float,
        out: DecodeResult,
    ) -> None:
        for reason, detail in parsed.problems:
            out.rejected.append(self._letter(reason, detail, topic, payload, now))
        for obs in parsed.observations:
            try:
                reading = self._reading(route, obs, now)
            except AdapterError as err:
                detail = f"{obs.device} {obs.field}: {err.detail}"
                out.rejected.append(self._letter(err.reason, detail, topic, payload, now))
                continue
            if reading is not None:
                out.readings.append(reading)
        with self._lock:
            for device, health in parsed.health.items():
                for sid in route.device_sensors.get(device, ()):
                    self.health[(route.venue, sid)] = health
                if route.spec.health_readings:
                    out.readings.extend(self._health_readings(route, device, health, now))
        for st in parsed.states:
            ts = st.ts if st.ts is not None and abs(st.ts - now) < self._limits.max_age_s else now
            for sid in sorted(route.device_sensors.get(st.device, ())):
                out.statuses.append(StatusEvent(route.venue, sid, st.status, ts))

    def _reading(self, route: Route, obs: Observation, now: float) -> Reading | None:
        value = obs.value
        if isinstance(value, bool):
            value = 1.0 if value else 0.0
        elif not isinstance(value, int | float):
            if route.spec.format not in _STRICT_VALUES:
                self.skipped_fields += 1  # e.g. Zigbee2MQTT "action": "single"
                return None
            kind = "null" if value is None else type(value).__name__
            raise AdapterError(Reason.WRONG_TYPE.value, f"value must be a number, got {kind}")
        value = float(value)
        if not math.isfinite(value):
            raise AdapterError(Reason.NON_FINITE.value, "value must be finite")
        ts = now if obs.ts is None else obs.ts
        if ts > now + self._limits.max_future_s:
            raise AdapterError(Reason.FUTURE_TIMESTAMP.value, f"ts is {ts - now:.0f} s ahead")
        if ts < now - self._limits.max_age_s:
            raise AdapterError(Reason.TOO_OLD.value, f"ts is {(now - ts) / 86400:.0f} days old")
        sid, unit = route.sensor_for(obs.device, obs.field)
        self._register(route, sid, obs, now)
        if unit is not None:
            value = self._convert(route.venue, sid, unit)(value)
        return Reading(route.venue, sid, round(ts * 1000.0) / 1000.0, value)

    def _register(self, route: Route, sid: str, obs: Observation, now: float) -> None:
        with self._lock:
            route.device_sensors.setdefault(obs.device, set()).add(sid)
            if self._known is None or self._known(route.venue, sid):
                return
            if route.spec.unknown_devices is UnknownDevices.REJECT:
                raise AdapterError(
                    Reason.UNKNOWN_SENSOR.value, f"sensor {sid!r} is not in {route.venue!r}"
                )
            key = (route.venue, sid)
            if key in self.unplaced:
                return
            new = UnplacedSensor(route.venue, sid, obs.device, obs.field, route.spec.format, now)
            self.unplaced[key] = new
        log.info("device %s %s registered as unplaced sensor %s", obs.device, obs.field, sid)
        if self._on_new is not None:
            self._on_new(new)

    def _convert(self, venue: str, sid: str, unit: str) -> Linear:
        key = (venue, sid, unit)
        lin = self._conversions.get(key)
        if lin is None:
            target = self._canonical(venue, sid) if self._canonical else None
            try:
                lin = conversion(unit, target or canonical_unit(unit))
            except UnitError as exc:
                raise AdapterError(Reason.WRONG_TYPE.value, f"unit: {exc}") from None
            self._conversions[key] = lin
        return lin

    def _health_readings(
        self, route: Route, device: str, health: DeviceHealth, now: float
    ) -> list[Reading]:
        base = sensor_id(route.spec.sensor_prefix, device, "value")
        pairs = (("rssi", health.rssi_dbm), ("snr", health.snr_db), ("lqi", health.link_quality))
        return [
            Reading(route.venue, f"{base[:59]}.{name}", round(now * 1000.0) / 1000.0, v)
            for name, v in pairs
            if v is not None
        ]


def _route(spec: AdapterSpec) -> Route:
    if spec.venue is None:
        raise ValueError(f"adapter {spec.format}: no venue given")
    adapter, default_topic = build_adapter(spec)
    route = Route(spec, spec.venue, spec.topic or default_topic, adapter)
    for m in spec.sensors:
        device = m.device.lower() if _lower_ids(spec) else m.device
        route.by_field[(device, m.field)] = (m.sensor, m.unit)
        # A mapped sensor belongs to its device before the first message, so a
        # death or an availability can reach it.
        route.device_sensors.setdefault(device, set()).add(m.sensor)
    return route


def _lower_ids(spec: AdapterSpec) -> bool:
    # EUIs are hexadecimal: written either case in configurations, lower-cased here.
    return spec.format in (AdapterFormat.CHIRPSTACK, AdapterFormat.TTS)
