"""Home Assistant's MQTT Statestream: ``{base}/{domain}/{object_id}/state``.

Statestream publishes each entity's state as a bare string (``21.5``) on
``.../state`` and, when enabled, each attribute JSON-encoded on its own topic
(``.../unit_of_measurement``, ``.../last_updated``). The entity
``sensor.gallery_temperature`` is the device; its state is the field
``state``. ``unavailable`` means offline; ``unknown`` carries no value. Other
attribute topics are ignored: declare units per sensor in the subscription.
"""

from __future__ import annotations

from ingest.adapters.base import AdapterError, DeviceState, Observation, Parsed
from ingest.contract import SensorStatus

__all__ = ["StatestreamAdapter"]


class StatestreamAdapter:
    def __init__(self, base_topic: str = "homeassistant") -> None:
        self._base = base_topic.rstrip("/") + "/"

    @property
    def default_topic(self) -> str:
        return self._base + "+/+/state"

    def parse(self, topic: str, payload: bytes) -> Parsed:
        if not topic.startswith(self._base):
            raise AdapterError("bad_topic", f"not under {self._base}")
        parts = topic[len(self._base) :].split("/")
        if len(parts) != 3 or not parts[0] or not parts[1]:
            raise AdapterError("bad_topic", "expected {base}/{domain}/{object_id}/{attribute}")
        domain, object_id, attribute = parts
        if attribute != "state":
            return Parsed()
        entity = f"{domain}.{object_id}"
        try:
            text = payload.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise AdapterError("invalid_json", "state is not UTF-8 text") from None
        if text == "unavailable":
            return Parsed(states=[DeviceState(entity, SensorStatus.OFFLINE)])
        if text in ("unknown", ""):
            return Parsed()
        lowered = text.lower()
        value: object
        if lowered in ("on", "off", "true", "false", "open", "closed", "home", "not_home"):
            value = lowered in ("on", "true", "open", "home")
        else:
            try:
                value = float(text)
            except ValueError:
                value = text  # the router rejects it as not a number
        return Parsed(observations=[Observation(entity, "state", value)])
