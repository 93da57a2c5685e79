"""One adapter per subscription spec."""

from __future__ import annotations

from ingest.adapters.base import Adapter
from ingest.adapters.jsonmap import JsonMapAdapter, JsonMapping
from ingest.adapters.lorawan import ChirpStackAdapter, TheThingsStackAdapter
from ingest.adapters.spec import AdapterFormat, AdapterSpec
from ingest.adapters.statestream import StatestreamAdapter
from ingest.adapters.zigbee2mqtt import Zigbee2MqttAdapter

__all__ = ["build_adapter"]


def build_adapter(spec: AdapterSpec) -> tuple[Adapter, str]:
    """The adapter and its default MQTT filter."""
    fmt = spec.format
    if fmt is AdapterFormat.CHIRPSTACK:
        cs = ChirpStackAdapter()
        return cs, cs.default_topic
    if fmt is AdapterFormat.TTS:
        tts = TheThingsStackAdapter(device_key=spec.device_key)
        return tts, tts.default_topic
    if fmt is AdapterFormat.ZIGBEE2MQTT:
        z2m = Zigbee2MqttAdapter(spec.base_topic or "zigbee2mqtt")
        return z2m, z2m.default_topic
    if fmt is AdapterFormat.HA_STATESTREAM:
        ha = StatestreamAdapter(spec.base_topic or "homeassistant")
        return ha, ha.default_topic
    if fmt is AdapterFormat.SPARKPLUG:
        # protobuf is imported only when a Sparkplug subscription exists.
        from ingest.adapters.sparkplug import SparkplugAdapter

        sp = SparkplugAdapter(spec.group)
        return sp, sp.default_topic
    assert spec.mapping is not None and spec.topic is not None
    m = spec.mapping
    mapping = JsonMapping(
        readings=m.readings,
        device=m.device,
        device_topic_level=m.device_topic_level,
        ts=m.ts,
        ts_unit=m.ts_unit,
        value=m.value,
        field=m.field,
        values=m.values,
    )
    return JsonMapAdapter(mapping), spec.topic
