"""Fuzz the MQTT decoder: any topic and payload gives readings, status events,
acks or dead letters, never an exception, and what it accepts is within limits.

    python -m fuzz.decode_fuzz --iterations 50000
"""

from __future__ import annotations

import math

import atheris  # type: ignore[import-untyped]

with atheris.instrument_imports(include=["ingest", "twin", "viewer"]):
    from ingest.contract import Quality, Reading, SensorStatus, Topics
    from ingest.decode import DecodeLimits, Decoder, SensorPolicy
    from ingest.encode import encode_batch, encode_reading, encode_sensor_readings, encode_status

from fuzz.runner import run

__all__ = ["main", "test_one_input"]

NOW = 1_750_000_000.0
LIMITS = DecodeLimits(max_payload_bytes=8192, max_readings_per_message=100)
TOPICS = Topics()
TOPIC_CHOICES = [
    TOPICS.sensor("museum", "t1"),
    TOPICS.sensor("museum", "x9"),
    TOPICS.batch("museum"),
    TOPICS.status("museum", "t1"),
    TOPICS.command_ack("museum", "door"),
    TOPICS.sensor("elsewhere", "t1"),
    TOPICS.twin("museum", "zones"),
]


def _known(venue: str, sensor: str | None = None) -> bool:
    return venue == "museum" and (sensor is None or sensor.startswith("t"))


DECODERS = [
    Decoder(TOPICS, limits=LIMITS, known_venue=_known, known_sensor=_known, policy=policy)
    for policy in SensorPolicy
]


def test_one_input(data: bytes) -> None:
    if len(data) < 2:
        return
    # Byte 0 picks the decoder, byte 1 a topic (or "read one"); the rest is the payload.
    decoder = DECODERS[data[0] % len(DECODERS)]
    pick, payload = data[1] % (len(TOPIC_CHOICES) + 1), data[2:]
    if pick < len(TOPIC_CHOICES):
        topic = TOPIC_CHOICES[pick]
    else:
        size = payload[0] if payload else 0
        topic, payload = payload[1 : 1 + size].decode("utf-8", "replace"), payload[1 + size :]
    out = decoder.decode(topic, payload, NOW)  # never raises: anything escaping is a bug
    for r in out.readings:
        assert isinstance(r, Reading) and math.isfinite(r.value), r
        assert NOW - LIMITS.max_age_s <= r.ts <= NOW + LIMITS.max_future_s, r
        assert isinstance(r.quality, Quality)
    assert len(out.readings) <= LIMITS.max_readings_per_message
    for s in out.statuses:
        assert isinstance(s.status, SensorStatus)
    for dl in out.rejected:
        assert dl.reason and len(dl.payload) <= LIMITS.dead_letter_bytes
    if len(payload) > LIMITS.max_payload_bytes:
        assert not out.readings and out.rejected


def _seeds() -> list[bytes]:
    r = Reading("museum", "t1", NOW - 5.0, 21.5)
    by_topic = [
        (0, encode_reading(r)),
        (0, encode_sensor_readings([r, Reading("museum", "t1", NOW - 4.0, 21.6)])),
        (0, b'{"ts":"2025-06-15T15:06:40Z","value":1e308}'),
        (2, encode_batch([r, Reading("museum", "t2", NOW - 4.0, 48.0, Quality.BAD)])),
        (3, encode_status(SensorStatus.OFFLINE, NOW)),
        (4, b'{"v":1,"id":"c1","ok":true,"detail":"closed","ts":1750000000000}'),
    ]
    return [bytes([d, t]) + p for d in range(len(DECODERS)) for t, p in by_topic]


def main() -> None:
    run("decode_fuzz", test_one_input, _seeds)


if __name__ == "__main__":
    main()
