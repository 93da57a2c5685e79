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

from fuzz.known_issues import is_decode_invalid_utf8_error
from fuzz.runner import run, skip_known

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
    fdp = atheris.FuzzedDataProvider(data)
    decoder = DECODERS[fdp.ConsumeIntInRange(0, len(DECODERS) - 1)]
    if fdp.ConsumeBool():
        topic = fdp.PickValueInList(TOPIC_CHOICES)
    else:
        topic = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 80))
    payload = fdp.ConsumeBytes(fdp.remaining_bytes())
    try:
        out = decoder.decode(topic, payload, NOW)
    except Exception as exc:
        if skip_known(exc, {"decode-invalid-utf8": is_decode_invalid_utf8_error}):
            return
        raise
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
    return [
        encode_reading(r),
        encode_sensor_readings([r, Reading("museum", "t1", NOW - 4.0, 21.6)]),
        encode_batch([r, Reading("museum", "t2", NOW - 4.0, 48.0, Quality.BAD)]),
        encode_status(SensorStatus.OFFLINE, NOW),
        b'{"v":1,"id":"c1","ok":true,"detail":"closed","ts":1750000000000}',
        b'{"ts":"2025-06-15T15:06:40Z","value":1e308}',
    ]


def main() -> None:
    run("decode_fuzz", test_one_input, _seeds)


if __name__ == "__main__":
    main()
