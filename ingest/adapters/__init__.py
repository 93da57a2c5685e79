"""Payload adapters: other ecosystems' MQTT payloads into the same typed readings.

ChirpStack v4, The Things Stack v3, Zigbee2MQTT, Sparkplug B, Home Assistant
MQTT Statestream and a generic JMESPath mapping. See ``docs/adapters.md``.
"""

from ingest.adapters.router import AdapterDecoder, UnplacedSensor, sensor_id
from ingest.adapters.spec import (
    AdapterFormat,
    AdapterSpec,
    JsonMappingSpec,
    SensorMapping,
    UnknownDevices,
)

__all__ = [
    "AdapterDecoder",
    "AdapterFormat",
    "AdapterSpec",
    "JsonMappingSpec",
    "SensorMapping",
    "UnknownDevices",
    "UnplacedSensor",
    "sensor_id",
]
