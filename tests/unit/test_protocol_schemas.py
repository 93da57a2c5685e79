"""What our encoders write validates against the published JSON Schemas, and the decoder agrees."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ingest.contract import Command, CommandAck, Quality, Reading, SensorStatus, Topics
from ingest.decode import Decoder
from ingest.encode import (
    encode_ack,
    encode_batch,
    encode_command,
    encode_reading,
    encode_sensor_readings,
    encode_status,
)

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"
NOW = 1_750_000_000.0


def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / name).read_text())
    jsonschema.Draft202012Validator.check_schema(loaded)
    return loaded


R = [Reading("m", "s1", NOW - 5, 21.5), Reading("m", "s2", NOW - 4, 48.0, Quality.BAD)]


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("reading.json", encode_reading(R[0])),
        ("reading.json", encode_sensor_readings(R)),
        ("batch.json", encode_batch(R)),
        ("status.json", encode_status(SensorStatus.ONLINE, NOW)),
        ("command.json", encode_command(Command("m", "g", "c1", "close", {"level": 2}, NOW))),
        ("command-ack.json", encode_ack(CommandAck("m", "g", "c1", True, "done", NOW))),
    ],
)
def test_encoded_payloads_validate_against_the_schema(name: str, payload: bytes) -> None:
    jsonschema.validate(json.loads(payload), schema(name))


@pytest.mark.parametrize(
    "doc",
    [
        {"ts": 1, "value": "x"},
        {"readings": [{"ts": 1}]},
        {"v": 2, "ts": 1, "value": 1},
    ],
)
def test_schema_and_decoder_reject_the_same_bad_readings(doc: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema("reading.json"))
    out = Decoder(Topics()).decode("venues/m/sensors/s1", json.dumps(doc).encode(), NOW)
    assert out.rejected and not out.readings


def test_a_tracker_frame_the_decoder_takes_validates_and_bad_ones_fail_both() -> None:
    good = {
        "ts": 1_749_999_995_000,
        "count": 3,
        "positions": [[1, 2], [3, 4, 1.7]],
        "ids": [1, "b"],
    }
    jsonschema.validate(good, schema("track-frame.json"))
    dec = Decoder(Topics())
    out = dec.decode("venues/m/sensors/trk", json.dumps(good).encode(), NOW)
    assert out.tracks and not out.rejected
    for bad in (
        {**good, "positions": [[1]]},
        {**good, "ids": [1, 1]},
        {**good, "count": -1},
        {**good, "value": 3},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema("track-frame.json"))
        out = dec.decode("venues/m/sensors/trk", json.dumps(bad).encode(), NOW)
        assert out.rejected and not out.readings and not out.tracks
