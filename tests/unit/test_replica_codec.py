"""The twin-topic wire form: what goes out comes back the same, and bad input is refused."""

from __future__ import annotations

import json

import pytest

from twin.alarms import Alarm, AlarmState, Severity
from twin.commands import CommandRecord, CommandState
from twin.replica import CodecError
from twin.replica.codec import (
    ActionReply,
    ActionRequest,
    DeltaMsg,
    ResyncRequest,
    SnapshotMsg,
    alarm_from_wire,
    alarm_to_wire,
    command_from_wire,
    command_to_wire,
    decode,
    encode,
    sensor_from_wire,
    sensor_to_wire,
    zone_to_wire,
)
from twin.state import Health, SensorState, ZoneState

ALARM = Alarm(
    alarm_id="a1",
    venue="museum-wing",
    source="gallery-a-rh",
    kind="rh_high",
    severity=Severity.WARNING,
    state=AlarmState.ACKNOWLEDGED,
    message="RH 71 %",
    value=71.0,
    count=3,
    active=True,
    raised_at=1_700_000_000.0,
    updated_at=1_700_000_060.0,
    acknowledged_at=1_700_000_060.0,
    acknowledged_by="olga",
    note="window open",
    cleared_at=None,
    shelved_until=None,
    revision=5,
)
COMMAND = CommandRecord(
    command_id="c1",
    venue="museum-wing",
    target="hvac-1",
    action="set_rh",
    params={"setpoint": 50.0, "mode": "auto", "force": True},
    state=CommandState.SENT,
    origin="rule:rh",
    created_at=1.0,
    updated_at=2.0,
    expires_at=301.0,
    sent_at=2.0,
    deadline=32.0,
    detail="published",
    confirmed_by="olga",
)


def test_alarms_and_commands_round_trip_every_field() -> None:
    assert alarm_from_wire(alarm_to_wire(ALARM)) == ALARM
    assert command_from_wire(command_to_wire(COMMAND)) == COMMAND


def test_sensor_state_round_trips_and_offline_means_not_online() -> None:
    for s in (
        SensorState("t", 21.5, 10.0, Health.OK, True),
        SensorState("t", None, None, Health.UNKNOWN, True),
        SensorState("t", 3.0, 9.0, Health.OFFLINE, False),
    ):
        assert sensor_from_wire("t", sensor_to_wire(s)) == s


def test_a_snapshot_survives_the_wire_and_has_the_websocket_body_shape() -> None:
    snap = SnapshotMsg(
        venue="museum-wing",
        epoch="e1",
        seq=7,
        published_at=100.0,
        sensors={"t": sensor_to_wire(SensorState("t", 21.5, 99.0, Health.WARN, True))},
        zones={"z": zone_to_wire(ZoneState("z", 3.0, 0.1, 21.5, None, None, None))},
        alarms=[alarm_to_wire(ALARM)],
        commands=[command_to_wire(COMMAND)],
        analytics={"venue": "museum-wing", "zones": {}},
    )
    raw = encode(snap)
    assert decode(raw, SnapshotMsg) == snap
    doc = json.loads(raw)
    assert (doc["type"], doc["v"], doc["seq"]) == ("snapshot", 1, 7)
    assert doc["sensors"]["t"] == {"value": 21.5, "ts": 99.0, "status": "warn"}
    assert doc["zones"]["z"]["occupancy"] == 3.0
    assert doc["alarms"][0]["id"] == "a1" and doc["alarms"][0]["acknowledged_by"] == "olga"


@pytest.mark.parametrize(
    "msg",
    [
        DeltaMsg("v", "e", 3, 1.0, {}, {}, [alarm_to_wire(ALARM)], [], {"zones": {}}),
        ResyncRequest("v", "gap"),
        ActionRequest("r1", "viewer-1", "v", "shelve", "a1", "olga", "n", 60.0),
        ActionReply("r1", True, 200, alarm=alarm_to_wire(ALARM)),
        ActionReply("r2", False, 409, "already acknowledged"),
    ],
)
def test_every_message_kind_round_trips(msg: object) -> None:
    kind = type(msg)
    assert decode(encode(msg), kind) == msg  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b'{"type": "delta", "v": 1}',  # fields missing
        b'{"type": "resync", "venue": "v", "v": 2}',  # a version this build does not speak
        b'{"type": "snapshot", "venue": "v", "v": 1}',  # another message kind
    ],
)
def test_bad_payloads_raise_codec_errors(raw: bytes) -> None:
    with pytest.raises(CodecError):
        decode(raw, ResyncRequest if b"resync" in raw else DeltaMsg)
