"""paho decodes MQTT 5 properties the same with shared lookup tables, only cheaper."""

from __future__ import annotations

import struct
from collections.abc import Iterator

import pytest
from paho.mqtt import _packet
from paho.mqtt.enums import MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from ingest import mqtt_properties
from ingest.mqtt_settings import MqttSettings, make_client

V5 = MQTTProtocolVersion.MQTTv5


@pytest.fixture
def paho_as_shipped() -> Iterator[None]:
    saved = _packet.Properties  # type: ignore[attr-defined]
    _packet.Properties = Properties  # type: ignore[attr-defined]
    try:
        yield
    finally:
        _packet.Properties = saved  # type: ignore[attr-defined]


def _publish(props: bytes, payload: bytes = b'{"value": 21.5}') -> bytes:
    topic = b"venues/v1/sensors/t1"
    return struct.pack("!H", len(topic)) + topic + struct.pack("!H", 7) + props + payload


def _with_properties() -> bytes:
    def utf8(s: bytes) -> bytes:
        return struct.pack("!H", len(s)) + s

    body = (
        b"\x02"
        + struct.pack("!I", 60)  # message expiry interval
        + b"\x03"
        + utf8(b"application/json")  # content type
        + b"\x09"
        + utf8(b"corr-1")  # correlation data
        + b"\x26"
        + utf8(b"site")
        + utf8(b"museum")  # user property
        + b"\x26"
        + utf8(b"gw")
        + utf8(b"east")  # user property, again
    )
    return _publish(bytes([len(body)]) + body)


def _decoded(packet: bytes) -> dict[str, object]:
    result = _packet.decode_publish(0x32, packet, V5)
    props = result.properties
    assert props is not None
    own = {k: v for k, v in vars(props).items() if k not in mqtt_properties.TABLE_ATTRIBUTES}
    return {"props": own, "payload": bytes(result.payload), "mid": result.mid, "json": props.json()}


@pytest.mark.parametrize("packet", [_with_properties(), _publish(b"\x00")], ids=["props", "none"])
def test_shared_tables_decode_exactly_what_paho_decodes(packet: bytes) -> None:
    saved = _packet.Properties  # type: ignore[attr-defined]
    try:
        _packet.Properties = Properties  # type: ignore[attr-defined]
        expected = _decoded(packet)
        mqtt_properties.install()
        assert _decoded(packet) == expected
    finally:
        _packet.Properties = saved  # type: ignore[attr-defined]


def test_user_properties_and_expiry_survive() -> None:
    mqtt_properties.install()
    props = _packet.decode_publish(0x32, _with_properties(), V5).properties
    assert props is not None
    assert props.UserProperty == [("site", "museum"), ("gw", "east")]
    assert props.MessageExpiryInterval == 60
    assert props.ContentType == "application/json"


def test_decoded_packets_share_one_set_of_tables(paho_as_shipped: None) -> None:
    make_client(MqttSettings())  # every client venue-twin makes installs it
    assert mqtt_properties.installed()
    a = _packet.decode_publish(0x32, _publish(b"\x00"), V5).properties
    b = _packet.decode_publish(0x32, _with_properties(), V5).properties
    assert a is not None and b is not None
    assert isinstance(a, Properties)
    for name in mqtt_properties.TABLE_ATTRIBUTES:
        assert getattr(a, name) is getattr(b, name)
    assert not hasattr(a, "UserProperty")  # values stay per packet


def test_clear_drops_decoded_values_only() -> None:
    mqtt_properties.install()
    props = _packet.decode_publish(0x32, _with_properties(), V5).properties
    assert props is not None
    props.clear()
    assert not hasattr(props, "UserProperty") and not hasattr(props, "ContentType")
    assert props.names is mqtt_properties.SharedTableProperties(PacketTypes.PUBLISH).names
    props.MessageExpiryInterval = 5  # still validated and settable after a clear
    assert props.MessageExpiryInterval == 5


def test_paho_properties_still_holds_only_these_tables() -> None:
    # A paho upgrade that adds per-object state to Properties.__init__ must be looked at.
    assert set(vars(Properties(PacketTypes.PUBLISH))) == {
        "packetType",
        *mqtt_properties.TABLE_ATTRIBUTES,
    }
