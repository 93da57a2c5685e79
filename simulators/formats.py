"""Publish simulated readings as other ecosystems' devices would.

``venue-twin demo --format chirpstack`` (or ``tts``, ``zigbee2mqtt``,
``sparkplug``, ``ha_statestream``, ``json``) runs the whole pipeline through
an adapter: the simulator publishes each sensor as one device of that
ecosystem, and :meth:`PayloadFormat.adapter_spec` is the subscription (with
its device -> sensor mapping) the platform needs to read it back. LoRaWAN
devices report temperatures in degF here, so the unit conversion at the edge
is exercised too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from ingest.contract import Reading, SensorStatus
from twin.venue import SensorDef, SensorKind, Venue

__all__ = ["FORMATS", "Message", "PayloadFormat", "payload_format"]

Message = tuple[str, bytes, bool]  # topic, payload, retain
FORMATS = ("chirpstack", "tts", "zigbee2mqtt", "sparkplug", "ha_statestream", "json")


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def _eui(venue: str, sensor: str) -> str:
    return hashlib.sha1(f"{venue}/{sensor}".encode()).hexdigest()[:16]


def _field(d: SensorDef) -> str:
    return d.kind.value


class PayloadFormat:
    """Encodes one venue's readings and statuses in one ecosystem's payloads."""

    def __init__(self, fmt: str, venue: Venue) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
        self.fmt = fmt
        self.venue = venue
        self._defs = {s.id: s for s in venue.sensors}
        self._born: set[str] = set()
        self._seq = 0
        self._fcnt = 0

    def _device(self, sensor: str) -> str:
        if self.fmt in ("chirpstack", "tts"):
            return _eui(self.venue.id, sensor)
        if self.fmt == "ha_statestream":
            return f"sensor.{sensor.replace('-', '_').replace('.', '_')}"
        if self.fmt == "sparkplug":
            return f"sim-{self.venue.id}/{sensor}"  # Sparkplug names a device by its edge node
        return sensor

    def _fahrenheit(self, sensor: str) -> bool:
        d = self._defs.get(sensor)
        return (
            self.fmt in ("chirpstack", "tts")
            and d is not None
            and d.kind is SensorKind.TEMPERATURE
            and d.resolved_unit == "degC"
        )

    def adapter_spec(self) -> dict[str, Any]:
        """The subscription that reads these payloads back into this venue's sensors."""
        spec: dict[str, Any] = {"format": self.fmt, "venue": self.venue.id}
        if self.fmt == "json":
            spec["topic"] = f"sim/{self.venue.id}/loggers"
            spec["mapping"] = {"readings": "data", "device": "id", "ts": "t", "value": "v"}
            return spec
        sensors = []
        for d in self.venue.sensors:
            entry: dict[str, Any] = {"device": self._device(d.id), "sensor": d.id}
            if self.fmt != "ha_statestream":
                entry["field"] = _field(d) if self.fmt != "sparkplug" else "value"
            if self._fahrenheit(d.id):
                entry["unit"] = "degF"
            sensors.append(entry)
        spec["sensors"] = sensors
        return spec

    def readings(self, readings: Sequence[Reading]) -> list[Message]:
        if self.fmt == "json":
            data = [{"id": r.sensor, "t": round(r.ts * 1000), "v": r.value} for r in readings]
            return [(f"sim/{self.venue.id}/loggers", json.dumps({"data": data}).encode(), False)]
        out: list[Message] = []
        for r in readings:
            out.extend(self._one(r))
        return out

    def _value(self, r: Reading) -> float:
        return r.value * 9.0 / 5.0 + 32.0 if self._fahrenheit(r.sensor) else r.value

    def _one(self, r: Reading) -> list[Message]:
        d = self._defs.get(r.sensor)
        field = _field(d) if d is not None else "value"
        dev = self._device(r.sensor)
        value = round(self._value(r), 4)
        self._fcnt += 1
        if self.fmt == "chirpstack":
            doc = {
                "time": _iso(r.ts),
                "deviceInfo": {"devEui": dev, "deviceName": r.sensor},
                "fCnt": self._fcnt,
                "rxInfo": [{"gatewayId": "0016c001f153a14c", "rssi": -70, "snr": 7.5}],
                "object": {field: value},
            }
            return [(f"application/sim/device/{dev}/event/up", json.dumps(doc).encode(), False)]
        if self.fmt == "tts":
            doc = {
                "end_device_ids": {"device_id": r.sensor, "dev_eui": dev.upper()},
                "uplink_message": {
                    "f_cnt": self._fcnt,
                    "decoded_payload": {field: value},
                    "rx_metadata": [{"gateway_ids": {"gateway_id": "sim-gw"}, "rssi": -72}],
                    "received_at": _iso(r.ts),
                },
            }
            return [(f"v3/sim@ttn/devices/{r.sensor}/up", json.dumps(doc).encode(), False)]
        if self.fmt == "zigbee2mqtt":
            doc = {field: value, "linkquality": 120, "last_seen": _iso(r.ts)}
            return [(f"zigbee2mqtt/{dev}", json.dumps(doc).encode(), False)]
        if self.fmt == "ha_statestream":
            return [(f"homeassistant/{dev.replace('.', '/', 1)}/state", f"{value}".encode(), True)]
        return self._sparkplug(r.sensor, value, r.ts)

    def _sparkplug(self, sensor: str, value: float, ts: float) -> list[Message]:
        from ingest.adapters.sparkplug import encode_payload

        node = f"sim-{self.venue.id}"
        out: list[Message] = []
        ms = round(ts * 1000)
        if not self._born:
            out.append(
                (f"spBv1.0/sim/NBIRTH/{node}", encode_payload([], timestamp_ms=ms, seq=0), False)
            )
        self._seq += 1
        aliases = {"value": 1}
        if sensor not in self._born:
            self._born.add(sensor)
            payload = encode_payload(
                [("value", value, ms)], timestamp_ms=ms, seq=self._seq, aliases=aliases, birth=True
            )
            return [*out, (f"spBv1.0/sim/DBIRTH/{node}/{sensor}", payload, False)]
        payload = encode_payload(
            [("value", value, ms)], timestamp_ms=ms, seq=self._seq, aliases=aliases
        )
        return [*out, (f"spBv1.0/sim/DDATA/{node}/{sensor}", payload, False)]

    def status(self, sensor: str, status: SensorStatus, ts: float) -> list[Message]:
        dev = self._device(sensor)
        if self.fmt == "zigbee2mqtt":
            return [(f"zigbee2mqtt/{dev}/availability", status.value.encode(), True)]
        if self.fmt == "ha_statestream" and status is SensorStatus.OFFLINE:
            return [(f"homeassistant/{dev.replace('.', '/', 1)}/state", b"unavailable", True)]
        if self.fmt == "sparkplug" and status is SensorStatus.OFFLINE:
            from ingest.adapters.sparkplug import encode_payload

            self._born.discard(sensor)
            self._seq += 1
            payload = encode_payload([], timestamp_ms=round(ts * 1000), seq=self._seq)
            return [(f"spBv1.0/sim/DDEATH/sim-{self.venue.id}/{sensor}", payload, False)]
        return []  # LoRaWAN and JSON devices have no status topic: silence is the signal


def payload_format(fmt: str | None, venue: Venue) -> PayloadFormat | None:
    return None if fmt in (None, "", "contract") else PayloadFormat(fmt, venue)
