"""The decoder turns every message into readings or dead letters, never an exception."""

from __future__ import annotations

import math

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.contract import Quality, Reading, SensorStatus, Topics
from ingest.decode import DecodeLimits, Decoder, Reason, SensorPolicy
from ingest.encode import encode_batch, encode_reading, encode_status

NOW = 1_750_000_000.0
T = Topics()


def known(venue: str, sensor: str | None = None) -> bool:
    return venue == "museum" and (sensor is None or sensor.startswith("t"))


def decoder(**kw: object) -> Decoder:
    return Decoder(T, known_venue=known, known_sensor=known, **kw)  # type: ignore[arg-type]


def j(obj: object) -> bytes:
    return msgspec.json.encode(obj)


def test_single_reading_round_trips_through_the_encoder() -> None:
    r = Reading("museum", "t1", NOW - 1.5, 21.25, Quality.UNCERTAIN)
    out = decoder().decode(T.sensor("museum", "t1"), encode_reading(r), NOW)
    assert out.readings == [r]
    assert out.rejected == []


def test_batch_keeps_good_readings_and_dead_letters_each_bad_one() -> None:
    payload = j(
        {
            "v": 1,
            "readings": [
                {"sensor": "t1", "ts": int(NOW * 1000), "value": 20.0},
                {"sensor": "t2", "ts": int(NOW * 1000), "value": "warm"},
                {"sensor": "x9", "ts": int(NOW * 1000), "value": 1.0},
                {"sensor": "t3", "ts": "2025-06-15T15:06:40Z", "value": 3},
            ],
        }
    )
    out = decoder().decode(T.batch("museum"), payload, NOW)
    assert [(r.sensor, r.value) for r in out.readings] == [("t1", 20.0), ("t3", 3.0)]
    assert out.readings[1].ts == 1_750_000_000.0
    assert sorted(d.reason for d in out.rejected) == ["unknown_sensor", "wrong_type"]
    assert all(d.detail.startswith("readings[") for d in out.rejected)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"{not json", Reason.INVALID_JSON),
        (b'{"ts": 1750000000000, "value": NaN}', Reason.NON_FINITE),
        (b'{"ts": 1750000000000, "value": 1e999}', Reason.NON_FINITE),
        (b"[1, 2]", Reason.BAD_SHAPE),
        (b'{"v": 2, "ts": 1, "value": 1}', Reason.UNSUPPORTED_VERSION),
        (b'{"ts": 1750000000000, "value": true}', Reason.WRONG_TYPE),
        (b'{"ts": 1750000000000, "value": null}', Reason.WRONG_TYPE),
        (b'{"value": 1}', Reason.BAD_TIMESTAMP),
        (b'{"ts": "yesterday", "value": 1}', Reason.BAD_TIMESTAMP),
        (b'{"ts": "2025-06-15T15:06:40", "value": 1}', Reason.BAD_TIMESTAMP),
        (b'{"ts": 1850000000000, "value": 1}', Reason.FUTURE_TIMESTAMP),
        (b'{"ts": 1000, "value": 1}', Reason.TOO_OLD),
        (b'{"ts": 1750000000000, "value": 1, "quality": "meh"}', Reason.WRONG_TYPE),
    ],
)
def test_bad_payloads_are_dead_lettered_with_their_reason(payload: bytes, reason: Reason) -> None:
    out = decoder().decode(T.sensor("museum", "t1"), payload, NOW)
    assert out.readings == []
    [dl] = out.rejected
    assert dl.reason == reason.value
    assert dl.payload == payload
    assert dl.topic == "venues/museum/sensors/t1"


@pytest.mark.parametrize(
    ("topic", "reason"),
    [
        ("other/museum/sensors/t1", Reason.BAD_TOPIC),
        ("venues/museum/sensors/t1/extra", Reason.BAD_TOPIC),
        ("venues/museum/unknown/t1", Reason.BAD_TOPIC),
        ("venues/museum/twin/state", Reason.BAD_TOPIC),
        ("venues/elsewhere/sensors/t1", Reason.UNKNOWN_VENUE),
        ("venues/museum/sensors/x1", Reason.UNKNOWN_SENSOR),
    ],
)
def test_topics_that_are_not_ours_are_rejected(topic: str, reason: Reason) -> None:
    out = decoder().decode(topic, b'{"ts": 1750000000000, "value": 1}', NOW)
    assert [d.reason for d in out.rejected] == [reason.value]


def test_oversize_payload_is_rejected_and_its_stored_bytes_are_capped() -> None:
    limits = DecodeLimits(max_payload_bytes=1000, dead_letter_bytes=64)
    out = decoder(limits=limits).decode(T.sensor("museum", "t1"), b"x" * 5000, NOW)
    [dl] = out.rejected
    assert dl.reason == "oversize"
    assert len(dl.payload) == 64


def test_unknown_sensor_can_be_auto_registered() -> None:
    seen: list[tuple[str, str]] = []
    d = decoder(policy=SensorPolicy.AUTO_REGISTER, on_new_sensor=lambda v, s: seen.append((v, s)))
    out = d.decode(T.sensor("museum", "new-1"), b'{"ts": 1750000000000, "value": 4}', NOW)
    assert [r.sensor for r in out.readings] == ["new-1"]
    assert seen == [("museum", "new-1")]


def test_status_and_command_acks_are_decoded() -> None:
    d = decoder()
    st_out = d.decode(T.status("museum", "t1"), encode_status(SensorStatus.OFFLINE, NOW), NOW)
    assert st_out.statuses[0].status is SensorStatus.OFFLINE
    ack = d.decode(
        T.command_ack("museum", "gate-1"), j({"id": "c1", "ok": False, "detail": "jammed"}), NOW
    )
    assert (ack.acks[0].command_id, ack.acks[0].ok, ack.acks[0].detail) == ("c1", False, "jammed")


def test_duplicate_and_out_of_order_readings_are_all_accepted() -> None:
    rs = [Reading("museum", "t1", NOW - i, float(i)) for i in (3, 1, 2, 1)]
    out = decoder().decode(T.batch("museum"), encode_batch(rs), NOW)
    assert [r.ts for r in out.readings] == [NOW - 3, NOW - 1, NOW - 2, NOW - 1]


def test_a_prefix_scopes_every_topic() -> None:
    t = Topics("site-a/prod")
    d = Decoder(t)
    good = d.decode("site-a/prod/venues/m/sensors/s", b'{"ts": 1750000000000, "value": 1}', NOW)
    assert len(good.readings) == 1
    bad = d.decode("venues/m/sensors/s", b'{"ts": 1750000000000, "value": 1}', NOW)
    assert bad.rejected[0].reason == "bad_topic"


@settings(max_examples=400, deadline=None)
@given(
    topic=st.one_of(
        st.text(max_size=60),
        st.builds(
            lambda v, k, s: f"venues/{v}/{k}/{s}",
            st.text(max_size=8),
            st.sampled_from(["sensors", "batch", "status", "commands"]),
            st.text(max_size=8),
        ),
    ),
    payload=st.one_of(
        st.binary(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
            lambda c: (
                st.lists(c, max_size=4)
                | st.dictionaries(
                    st.sampled_from(["v", "ts", "value", "sensor", "readings", "quality", "state"]),
                    c,
                    max_size=5,
                )
            ),
            max_leaves=12,
        ).map(lambda o: msgspec.json.encode(o) if _encodable(o) else b"{}"),
    ),
)
def test_decoder_never_raises_and_accounts_for_every_message(topic: str, payload: bytes) -> None:
    out = Decoder(T, policy=SensorPolicy.AUTO_REGISTER).decode(topic, payload, NOW)
    accounted = out.readings or out.rejected or out.statuses or out.acks
    # The one silent outcome is a well-formed message with an empty readings list.
    assert accounted or msgspec.json.decode(payload).get("readings") == []
    for r in out.readings:
        assert math.isfinite(r.value)
        assert NOW - 366 * 86400 <= r.ts <= NOW + 300


def _encodable(o: object) -> bool:
    try:
        msgspec.json.encode(o)
    except (TypeError, ValueError, OverflowError):
        return False
    return True


class _SlowOnly(Decoder):
    def _fast_batch(self, venue: str, payload: bytes | bytearray, now: float) -> None:
        return None


_item = st.fixed_dictionaries(
    {
        "sensor": st.sampled_from(["t1", "t2", "x1", "", "a/b"]),
        "ts": st.one_of(
            st.integers(int(NOW * 1000) - 10**11, int(NOW * 1000) + 10**6),
            st.just("2025-06-15T15:06:40Z"),
            st.booleans(),
        ),
        "value": st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.booleans()),
    },
    optional={"quality": st.sampled_from(["good", "bad", "meh"])},
)


@settings(max_examples=300, deadline=None)
@given(items=st.lists(_item, max_size=6), v=st.sampled_from([1, 1, 2]))
def test_the_fast_batch_path_decides_exactly_like_the_general_one(
    items: list[dict[str, object]], v: int
) -> None:
    payload = msgspec.json.encode({"v": v, "readings": items})
    fast = decoder().decode(T.batch("museum"), payload, NOW)
    slow = _SlowOnly(T, known_venue=known, known_sensor=known).decode(
        T.batch("museum"), payload, NOW
    )
    assert fast.readings == slow.readings
    assert [d.reason for d in fast.rejected] == [d.reason for d in slow.rejected]


_NOW = 1_700_000_000.0
_MS = int(_NOW * 1000)


@pytest.mark.parametrize(
    "payload",
    [
        b'{"ts": %d, "value": 21.5}' % _MS,
        b'{"ts": %d, "value": 3}' % _MS,
        b'{"ts": %d.5, "value": 1.0, "quality": "bad"}' % _MS,
        b'{"ts": %d, "value": 1.0, "v": 2}' % _MS,
        b'{"ts": "2023-11-14T22:13:20Z", "value": 1.0}',
        b'{"ts": %d, "value": true}' % _MS,
        b'{"ts": %d, "value": "1"}' % _MS,
        b'{"ts": %d, "value": 1e999}' % _MS,
        b'{"ts": %d, "value": 1.0, "quality": "meh"}' % _MS,
        b'{"ts": %d, "value": 1.0}' % (_MS + 10**9),
        b'{"ts": 1, "value": 1.0}',
        b'{"value": 1.0}',
        b'{"readings": [{"ts": %d, "value": 1.0}]}' % _MS,
        b'{"ts": %d, "value": NaN}' % _MS,
        b"[1, 2]",
    ],
)
def test_the_typed_single_reading_path_decides_as_the_general_one(payload: bytes) -> None:
    topic = Topics().sensor("v", "s1")
    fast = Decoder(Topics())
    general = Decoder(Topics())
    general._fast_single = lambda *_a: None  # type: ignore[method-assign]
    a, b = fast.decode(topic, payload, _NOW), general.decode(topic, payload, _NOW)
    assert a.readings == b.readings
    assert [(d.reason, d.detail) for d in a.rejected] == [(d.reason, d.detail) for d in b.rejected]
