"""Zigbee2MQTT device topics: ``{base}/{friendly_name}`` with a flat JSON state.

Each message is the device's whole state (``{"temperature": 21.3,
"humidity": 48, "linkquality": 120, "battery": 97}``); ``linkquality`` and
``battery`` are kept as health, the rest become observations. Availability
(``{base}/{name}/availability``, ``online``/``offline`` or
``{"state": "online"}``) becomes online status. The bridge's own topics and
the ``/set`` and ``/get`` command topics are not device data and are ignored.
"""

from __future__ import annotations

from ingest.adapters.base import (
    AdapterError,
    DeviceHealth,
    DeviceState,
    Observation,
    Parsed,
    flatten_numbers,
    load_json_object,
    parse_time,
)
from ingest.contract import SensorStatus

__all__ = ["Zigbee2MqttAdapter"]

_HEALTH_FIELDS = {"linkquality", "battery", "voltage", "battery_low", "last_seen", "update"}
_COMMAND_SUFFIXES = ("/set", "/get")


class Zigbee2MqttAdapter:
    def __init__(self, base_topic: str = "zigbee2mqtt") -> None:
        self._base = base_topic.rstrip("/") + "/"

    @property
    def default_topic(self) -> str:
        return self._base + "#"

    def parse(self, topic: str, payload: bytes) -> Parsed:
        if not topic.startswith(self._base):
            raise AdapterError("bad_topic", f"not under {self._base}")
        name = topic[len(self._base) :]
        if name.startswith("bridge/") or name == "bridge" or name.endswith(_COMMAND_SUFFIXES):
            return Parsed()
        if "/set/" in name or "/get/" in name:
            return Parsed()
        if name.endswith("/availability"):
            return Parsed(states=[_availability(name[: -len("/availability")], payload)])
        doc = load_json_object(payload)
        ts = parse_time(doc["last_seen"]) if "last_seen" in doc else None
        out = Parsed()
        health = DeviceHealth(
            link_quality=_num(doc.get("linkquality")), battery=_num(doc.get("battery"))
        )
        if health != DeviceHealth():
            out.health[name] = health
        for key, value in flatten_numbers(doc):
            if key.split(".")[0] not in _HEALTH_FIELDS:
                out.observations.append(Observation(name, key, value, ts))
        return out


def _availability(device: str, payload: bytes) -> DeviceState:
    text = payload.decode("utf-8", "replace").strip()
    state = load_json_object(payload).get("state") if text.startswith("{") else text
    if state not in ("online", "offline"):
        raise AdapterError("wrong_type", "availability must be online or offline")
    return DeviceState(device, SensorStatus(state))


def _num(v: object) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None
