"""Each adapter decodes its ecosystem's documented payload into readings, health
and status, and everything it cannot use becomes a dead letter with a reason."""

from __future__ import annotations

import math

import pytest

from ingest.adapters import AdapterDecoder, AdapterSpec
from ingest.adapters.sparkplug import encode_payload
from ingest.contract import SensorStatus, Topics
from ingest.decode import DecodeLimits, Decoder
from tests.unit.adapters import payloads as P

VENUE = "museum-wing"


def _decoder(*specs: dict[str, object], known: set[str] | None = None) -> AdapterDecoder:
    topics = Topics()
    canon = {"g1-temp": "degC", "g1-lux": "lx", "g1-rh": "%RH"}
    return AdapterDecoder(
        topics,
        Decoder(topics),
        [AdapterSpec.model_validate({"venue": VENUE, **s}) for s in specs],
        known_sensor=(lambda v, s: s in known) if known is not None else None,
        canonical=lambda v, s: canon.get(s),
    )


def test_chirpstack_uplink_maps_object_fields_and_keeps_reception_as_health() -> None:
    dec = _decoder(
        {
            "format": "chirpstack",
            "sensors": [
                {"device": "0101010101010101", "field": "temperature", "sensor": "g1-temp"}
            ],
        }
    )
    res = dec.decode(P.CHIRPSTACK_TOPIC, P.dumps(P.CHIRPSTACK_UP), P.CHIRPSTACK_TIME + 1)
    assert not res.rejected
    got = {r.sensor: (r.value, r.ts) for r in res.readings}
    assert got == {
        "g1-temp": (21.4, P.CHIRPSTACK_TIME),
        "0101010101010101-humidity": (48.5, P.CHIRPSTACK_TIME),
    }
    health = dec.health[(VENUE, "g1-temp")]
    assert (health.rssi_dbm, health.snr_db, health.gateway) == (-36.0, 10.5, "0016c001f153a14c")


def test_chirpstack_without_codec_is_a_dead_letter_not_a_silent_drop() -> None:
    dec = _decoder({"format": "chirpstack"})
    doc = {k: v for k, v in P.CHIRPSTACK_UP.items() if k != "object"}
    res = dec.decode(P.CHIRPSTACK_TOPIC, P.dumps(doc), P.CHIRPSTACK_TIME)
    assert not res.readings
    assert [d.reason for d in res.rejected] == ["bad_shape"]
    assert "codec" in res.rejected[0].detail


def test_tts_uplink_converts_declared_units_and_picks_the_best_gateway() -> None:
    dec = _decoder(
        {
            "format": "tts",
            "sensors": [
                {
                    "device": "0004A30B001C0530",
                    "field": "temperature",
                    "sensor": "g1-temp",
                    "unit": "degF",
                },
                {"device": "0004A30B001C0530", "field": "lux", "sensor": "g1-lux", "unit": "klx"},
            ],
        }
    )
    res = dec.decode(P.TTS_TOPIC, P.dumps(P.TTS_UP), P.TTS_TIME + 5)
    assert not res.rejected
    got = {r.sensor: r.value for r in res.readings}
    assert got["g1-temp"] == pytest.approx(22.0)  # 71.6 °F
    assert got["g1-lux"] == pytest.approx(120.0)  # 0.12 klx
    assert all(r.ts == P.TTS_TIME for r in res.readings)
    h = dec.health[(VENUE, "g1-temp")]
    assert (h.rssi_dbm, h.snr_db, h.gateway) == (-35.0, 5.2, "gtw1")


def test_zigbee2mqtt_state_availability_and_bridge_topics() -> None:
    dec = _decoder({"format": "zigbee2mqtt", "sensor_prefix": "z-"})
    now = 1_700_000_000.0
    res = dec.decode(P.Z2M_TOPIC, P.dumps(P.Z2M_STATE), now)
    assert {r.sensor: r.value for r in res.readings} == {
        "z-gallery_aqara_th-temperature": 27.34,
        "z-gallery_aqara_th-humidity": 44.72,
    }
    assert dec.health[(VENUE, "z-gallery_aqara_th-temperature")].link_quality == 97
    off = dec.decode(P.Z2M_TOPIC + "/availability", b'{"state":"offline"}', now + 1)
    assert {(s.sensor, s.status) for s in off.statuses} == {
        ("z-gallery_aqara_th-temperature", SensorStatus.OFFLINE),
        ("z-gallery_aqara_th-humidity", SensorStatus.OFFLINE),
    }
    bridge = dec.decode("zigbee2mqtt/bridge/state", b'{"state":"online"}', now)
    assert not bridge.readings and not bridge.rejected


def test_ha_statestream_state_text_and_unavailable() -> None:
    dec = _decoder(
        {
            "format": "ha_statestream",
            "sensors": [
                {"device": "sensor.gallery_temperature", "sensor": "g1-temp", "unit": "degF"}
            ],
        }
    )
    now = 1_700_000_000.0
    res = dec.decode(P.HA_TOPIC, b"70.7", now)
    assert [(r.sensor, round(r.value, 3), r.ts) for r in res.readings] == [("g1-temp", 21.5, now)]
    bad = dec.decode(P.HA_TOPIC, b"warm", now)
    assert [d.reason for d in bad.rejected] == ["wrong_type"]
    off = dec.decode(P.HA_TOPIC, b"unavailable", now)
    assert [(s.sensor, s.status) for s in off.statuses] == [("g1-temp", SensorStatus.OFFLINE)]
    # Attribute topics are not subscribed to: only states are readings.
    assert dec.filters == ["homeassistant/+/+/state"]


def test_sparkplug_birth_aliases_data_and_death() -> None:
    dec = _decoder({"format": "sparkplug"})
    t0 = 1_700_000_000_000
    aliases = {"Temperature": 1, "Humidity": 2}
    birth = encode_payload(
        [("bdSeq", 0, None), ("Temperature", 20.5, None), ("Humidity", 50.0, None)],
        timestamp_ms=t0,
        seq=0,
        aliases=aliases,
        birth=True,
    )
    res = dec.decode("spBv1.0/museum/DBIRTH/edge1/logger7", birth, t0 / 1000)
    assert {r.sensor: r.value for r in res.readings} == {
        "edge1_logger7-Temperature": 20.5,
        "edge1_logger7-Humidity": 50.0,
    }
    assert all(s.status is SensorStatus.ONLINE for s in res.statuses) and res.statuses
    data = encode_payload(
        [("Temperature", 21.0, t0 + 60_000)], timestamp_ms=t0 + 60_000, seq=1, aliases=aliases
    )
    res = dec.decode("spBv1.0/museum/DDATA/edge1/logger7", data, t0 / 1000 + 61)
    assert [(r.sensor, r.value, r.ts) for r in res.readings] == [
        ("edge1_logger7-Temperature", 21.0, t0 / 1000 + 60)
    ]
    # An alias no birth declared cannot be named: dead letter, not a guess.
    stray = encode_payload(
        [("Pressure", 1.0, None)], timestamp_ms=t0, seq=2, aliases={"Pressure": 9}
    )
    res = dec.decode("spBv1.0/museum/DDATA/edge1/logger7", stray, t0 / 1000)
    assert [d.reason for d in res.rejected] == ["unknown_sensor"]
    death = encode_payload([], timestamp_ms=t0 + 120_000, seq=3)
    res = dec.decode("spBv1.0/museum/NDEATH/edge1", death, t0 / 1000 + 121)
    assert {(s.sensor, s.status) for s in res.statuses} == {
        ("edge1_logger7-Temperature", SensorStatus.OFFLINE),
        ("edge1_logger7-Humidity", SensorStatus.OFFLINE),
    }
    junk = dec.decode("spBv1.0/museum/DDATA/edge1/logger7", b"\xff\xff\xff", t0 / 1000)
    assert [d.reason for d in junk.rejected] == ["invalid_json"]


def test_json_mapping_several_readings_per_message_and_nan() -> None:
    dec = _decoder(
        {
            "format": "json",
            "topic": "site/+/loggers",
            "mapping": {
                "readings": "data",
                "device": "id",
                "ts": "t",
                "ts_unit": "s",
                "values": "{temp: temp, rh: rh}",
            },
        }
    )
    doc = (
        b'{"data": [{"id": "L1", "t": 1700000000, "temp": 19.5, "rh": 51},'
        b' {"id": "L2", "t": 1700000060, "temp": NaN, "rh": 49}, {"id": "L3", "temp": 1}]}'
    )
    res = dec.decode("site/north/loggers", doc, 1_700_000_100.0)
    assert sorted((r.sensor, r.value) for r in res.readings) == [
        ("L1-rh", 51.0),
        ("L1-temp", 19.5),
        ("L2-rh", 49.0),
    ]
    assert sorted(d.reason for d in res.rejected) == ["bad_timestamp", "non_finite"]


def test_unknown_devices_register_as_unplaced_or_reject_by_choice() -> None:
    dec = _decoder({"format": "chirpstack"}, known={"g1-temp"})
    res = dec.decode(P.CHIRPSTACK_TOPIC, P.dumps(P.CHIRPSTACK_UP), P.CHIRPSTACK_TIME)
    assert len(res.readings) == 2
    assert set(dec.unplaced) == {
        (VENUE, "0101010101010101-temperature"),
        (VENUE, "0101010101010101-humidity"),
    }
    strict = _decoder({"format": "chirpstack", "unknown_devices": "reject"}, known=set())
    res = strict.decode(P.CHIRPSTACK_TOPIC, P.dumps(P.CHIRPSTACK_UP), P.CHIRPSTACK_TIME)
    assert not res.readings
    assert [d.reason for d in res.rejected] == ["unknown_sensor", "unknown_sensor"]


def test_validation_matches_the_contract_window_and_size() -> None:
    dec = _decoder({"format": "chirpstack"})
    far = P.CHIRPSTACK_TIME - 400 * 86400
    res = dec.decode(P.CHIRPSTACK_TOPIC, P.dumps(P.CHIRPSTACK_UP), far)
    assert {d.reason for d in res.rejected} == {"future_timestamp"}
    topics = Topics()
    small = AdapterDecoder(
        topics,
        Decoder(topics),
        [AdapterSpec(format="chirpstack", venue=VENUE)],  # type: ignore[call-arg]
        limits=DecodeLimits(max_payload_bytes=100),
    )
    res = small.decode(P.CHIRPSTACK_TOPIC, P.dumps(P.CHIRPSTACK_UP), P.CHIRPSTACK_TIME)
    assert [d.reason for d in res.rejected] == ["oversize"]
    res = dec.decode(P.CHIRPSTACK_TOPIC, b"{not json", P.CHIRPSTACK_TIME)
    assert [d.reason for d in res.rejected] == ["invalid_json"]


def test_contract_topics_still_go_to_the_contract_decoder() -> None:
    dec = _decoder({"format": "zigbee2mqtt"})
    res = dec.decode("venues/v/sensors/s1", b'{"ts": 1700000000000, "value": 1.5}', 1_700_000_000.0)
    assert [(r.sensor, r.value) for r in res.readings] == [("s1", 1.5)]
    assert dec.filters == ["zigbee2mqtt/#"]
    assert not math.isnan(res.readings[0].ts)


def test_unit_conversions_are_exact_for_the_usual_units() -> None:
    from ingest.units import conversion

    assert conversion("degF", "degC")(68.0) == 20.0
    assert conversion("°F", "degC")(71.6) == pytest.approx(22.0, abs=1e-12)
    assert conversion("klx", "lx")(0.12) == pytest.approx(120.0, abs=1e-12)
    assert conversion("fraction", "%RH")(0.45) == pytest.approx(45.0, abs=1e-12)
    assert conversion("percent", "ppm")(0.04) == pytest.approx(400.0, abs=1e-9)
    with pytest.raises(ValueError, match="cannot convert"):
        conversion("degF", "lx")
