"""How a subscription is configured: which adapter, which topic, which sensors.

Used in the settings file (``adapters:``) and in a venue file (``inputs:``).
"""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["AdapterFormat", "AdapterSpec", "JsonMappingSpec", "SensorMapping", "UnknownDevices"]


class AdapterFormat(enum.StrEnum):
    CHIRPSTACK = "chirpstack"
    TTS = "tts"
    ZIGBEE2MQTT = "zigbee2mqtt"
    SPARKPLUG = "sparkplug"
    HA_STATESTREAM = "ha_statestream"
    JSON = "json"


class UnknownDevices(enum.StrEnum):
    REGISTER = "register"  # accept, auto-register as an unplaced sensor
    REJECT = "reject"  # dead-letter as unknown_sensor


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SensorMapping(_Model):
    """One device field (or every field, when ``field`` is absent) to one venue sensor."""

    device: str = Field(min_length=1, description="DevEUI, device id, friendly name, entity id.")
    field: str | None = Field(None, description="Field in the decoded payload; any if absent.")
    sensor: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    unit: str | None = Field(None, description="Unit the device reports in (e.g. degF, klx).")


class JsonMappingSpec(_Model):
    """JMESPath expressions for the generic JSON adapter (see docs/adapters.md)."""

    readings: str | None = Field(None, description="Where the list of readings is; default: @.")
    device: str | None = None
    device_topic_level: int | None = Field(None, ge=0)
    ts: str | None = None
    ts_unit: str = Field("ms", pattern="^(ms|s)$")
    value: str | None = None
    field: str = "value"
    values: str | None = None


class AdapterSpec(_Model):
    format: AdapterFormat
    venue: str | None = Field(None, description="Venue fed; implied inside a venue file.")
    topic: str | None = Field(None, description="MQTT filter; each format has a default.")
    base_topic: str | None = Field(None, description="zigbee2mqtt / ha_statestream base topic.")
    group: str | None = Field(None, description="Sparkplug group id to accept (all if absent).")
    device_key: str = Field("dev_eui", pattern="^(dev_eui|device_id)$")
    sensors: list[SensorMapping] = []
    units: dict[str, str] = Field(
        default_factory=dict, description="Unit per field name for unmapped devices."
    )
    unknown_devices: UnknownDevices = UnknownDevices.REGISTER
    sensor_prefix: str = Field("", pattern=r"^[A-Za-z0-9_.-]{0,24}$")
    health_readings: bool = Field(
        False, description="Also store RSSI/SNR/link quality as readings of {device}.rssi etc."
    )
    mapping: JsonMappingSpec | None = None

    @model_validator(mode="after")
    def _json_needs_mapping(self) -> AdapterSpec:
        if self.format is AdapterFormat.JSON and (self.mapping is None or self.topic is None):
            raise ValueError("a 'json' adapter needs 'topic' and 'mapping'")
        if self.format is not AdapterFormat.JSON and self.mapping is not None:
            raise ValueError("'mapping' is only for the 'json' adapter")
        return self
