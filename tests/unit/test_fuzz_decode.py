"""Fuzzing the MQTT decoder at the byte level: whatever bytes a device sends, on
whatever topic, ``Decoder.decode`` returns readings or dead letters, never an
exception (an exception there stops ingest's network thread).

``tests/unit/test_decode.py`` fuzzes well-formed JSON documents; this adds
bytes that are not UTF-8, cut-off documents and spliced garbage. Bugs found
are kept as regression tests at the end.
"""

from __future__ import annotations

import math

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.contract import Topics
from ingest.decode import DecodeLimits, Decoder, DecodeResult, SensorPolicy

NOW = 1_750_000_000.0
T = Topics()
LIMITS = DecodeLimits(max_payload_bytes=2048, max_readings_per_message=50)
TOPICS = [
    T.sensor("museum", "t1"),
    T.batch("museum"),
    T.status("museum", "t1"),
    T.command_ack("museum", "door"),
    T.sensor("museum", "x"),
]
VALID = [
    msgspec.json.encode({"v": 1, "ts": int(NOW * 1000), "value": 21.5}),
    msgspec.json.encode({"readings": [{"sensor": "t1", "ts": int(NOW * 1000), "value": 1}]}),
    msgspec.json.encode({"state": "online"}),
    msgspec.json.encode({"id": "c1", "ok": True, "detail": "done"}),
]


def _known(venue: str, sensor: str | None = None) -> bool:
    return venue == "museum" and (sensor is None or sensor.startswith("t"))


DECODERS = [
    Decoder(T, limits=LIMITS, known_venue=_known, known_sensor=_known, policy=p)
    for p in SensorPolicy
]


@st.composite
def spliced(draw: st.DrawFn) -> bytes:
    """A valid payload with bytes inserted, replaced or cut off."""
    base = bytearray(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(base)))
        junk = draw(st.binary(max_size=6) | st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80"]))
        if draw(st.booleans()):
            base[at:at] = junk
        else:
            base[at : at + len(junk)] = junk
    return bytes(base[: draw(st.integers(0, len(base)))] if draw(st.booleans()) else base)


def decode(decoder: Decoder, topic: str, payload: bytes) -> DecodeResult:
    out = decoder.decode(topic, payload, NOW)  # never raises
    for r in out.readings:
        assert math.isfinite(r.value)
        assert NOW - LIMITS.max_age_s <= r.ts <= NOW + LIMITS.max_future_s
    for dl in out.rejected:
        assert dl.reason and len(dl.payload) <= LIMITS.dead_letter_bytes
    assert out.readings or out.statuses or out.acks or out.rejected, "a message vanished"
    return out


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(DECODERS), st.sampled_from(TOPICS), st.binary(max_size=300) | spliced())
def test_any_bytes_on_any_topic_give_readings_or_dead_letters(
    decoder: Decoder, topic: str, payload: bytes
) -> None:
    decode(decoder, topic, payload)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80), st.binary(max_size=64))
def test_any_topic_gives_readings_or_dead_letters(topic: str, payload: bytes) -> None:
    decode(DECODERS[0], topic, payload)


@pytest.mark.parametrize("topic", [TOPICS[0], TOPICS[1]])
def test_invalid_utf8_in_a_string_is_a_dead_letter(topic: str) -> None:
    out = DECODERS[0].decode(topic, b'{"value": 1, "ts": "\xff"}', NOW)
    assert [dl.reason for dl in out.rejected] == ["invalid_json"]
