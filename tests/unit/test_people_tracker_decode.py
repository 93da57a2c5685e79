"""A people tracker's count-and-positions message: decoded, validated, dead-lettered.

The count is stored like any reading; positions go to the analytics only.
Every other sensor keeps the one-number contract.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.contract import Reading, Topics, TrackFrame
from ingest.decode import DecodeLimits, Decoder, Reason
from ingest.encode import encode_reading

T = Topics()
NOW = 1_750_000_000.0
TS_MS = int(NOW * 1000) - 500


def decoder(**kw: object) -> Decoder:
    return Decoder(
        T,
        known_venue=lambda v: v == "v",
        known_sensor=lambda v, s: s in {"trk", "temp"},
        tracker_sensor=lambda v, s: s == "trk",
        **kw,  # type: ignore[arg-type]
    )


def msg(**fields: object) -> bytes:
    return json.dumps({"ts": TS_MS, **fields}).encode()


def test_a_frame_gives_a_stored_count_and_positions_for_the_analytics() -> None:
    out = decoder().decode(
        T.sensor("v", "trk"),
        msg(count=3, positions=[[1.0, 2.0], [3.5, 0.25, 1.7]], ids=["a", 7]),
        NOW,
    )
    assert out.rejected == []
    assert out.readings == [Reading("v", "trk", TS_MS / 1000, 3.0)]
    assert out.tracks == [
        TrackFrame("v", "trk", TS_MS / 1000, 3, ((1.0, 2.0), (3.5, 0.25)), ("a", "7"))
    ]


def test_count_defaults_to_the_positions_and_ids_are_optional() -> None:
    out = decoder().decode(T.sensor("v", "trk"), msg(positions=[[0, 0], [1, 1]]), NOW)
    assert [r.value for r in out.readings] == [2.0]
    assert out.tracks[0].ids is None
    empty = decoder().decode(T.sensor("v", "trk"), msg(count=0, positions=[]), NOW)
    assert empty.tracks[0].positions == () and empty.readings[0].value == 0.0


def test_a_tracker_may_also_send_a_plain_count() -> None:
    r = Reading("v", "trk", TS_MS / 1000, 12.0)
    out = decoder().decode(T.sensor("v", "trk"), encode_reading(r), NOW)
    assert out.readings == [r] and out.tracks == []


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"positions": "1,2"}, Reason.BAD_SHAPE),
        ({"positions": [[1.0]]}, Reason.WRONG_TYPE),
        ({"positions": [[1.0, "x"]]}, Reason.WRONG_TYPE),
        ({"positions": [[1.0, True]]}, Reason.WRONG_TYPE),
        ({"positions": [[1e309, 0]]}, Reason.NON_FINITE),
        ({"count": 1, "positions": [[0, 0], [1, 1]]}, Reason.BAD_SHAPE),
        ({"count": -1, "positions": []}, Reason.WRONG_TYPE),
        ({"count": 2.5, "positions": []}, Reason.WRONG_TYPE),
        ({"positions": [[0, 0]], "ids": ["a", "b"]}, Reason.BAD_SHAPE),
        ({"positions": [[0, 0], [1, 1]], "ids": ["a", "a"]}, Reason.BAD_SHAPE),
        ({"positions": [[0, 0]], "ids": [[1]]}, Reason.WRONG_TYPE),
        ({"positions": [[0, 0]], "value": 1}, Reason.BAD_SHAPE),
        ({"positions": [[0, 0]], "colour": "red"}, Reason.BAD_SHAPE),
        ({"positions": [[0, 0]], "ts": None}, Reason.BAD_TIMESTAMP),
    ],
)
def test_bad_frames_are_dead_lettered_with_their_reason(
    fields: dict[str, object], reason: Reason
) -> None:
    payload = msg(**fields)
    out = decoder().decode(T.sensor("v", "trk"), payload, NOW)
    assert out.readings == [] and out.tracks == []
    assert [d.reason for d in out.rejected] == [reason.value]
    assert out.rejected[0].payload == payload


def test_a_missing_timestamp_is_dead_lettered() -> None:
    out = decoder().decode(T.sensor("v", "trk"), b'{"positions": [[0, 0]]}', NOW)
    assert [d.reason for d in out.rejected] == [Reason.BAD_TIMESTAMP.value]


def test_positions_per_message_are_capped() -> None:
    many = [[float(i), 0.0] for i in range(11)]
    out = decoder(limits=DecodeLimits(max_positions_per_message=10)).decode(
        T.sensor("v", "trk"), msg(positions=many), NOW
    )
    assert [d.reason for d in out.rejected] == [Reason.TOO_MANY_POSITIONS.value]
    ok = decoder(limits=DecodeLimits(max_positions_per_message=11)).decode(
        T.sensor("v", "trk"), msg(positions=many), NOW
    )
    assert len(ok.tracks[0].positions) == 11


def test_positions_from_a_sensor_that_is_not_a_tracker_are_refused() -> None:
    out = decoder().decode(T.sensor("v", "temp"), msg(positions=[[0, 0]]), NOW)
    assert out.readings == [] and out.tracks == []
    assert [d.reason for d in out.rejected] == [Reason.NOT_A_TRACKER.value]
    # ...while its one-number readings are untouched.
    r = Reading("v", "temp", TS_MS / 1000, 21.5)
    assert decoder().decode(T.sensor("v", "temp"), encode_reading(r), NOW).readings == [r]


def test_an_unknown_sensor_is_refused_before_its_positions_are_read() -> None:
    out = decoder().decode(T.sensor("v", "ghost"), msg(positions=[[0, 0]]), NOW)
    assert [d.reason for d in out.rejected] == [Reason.UNKNOWN_SENSOR.value]


_number = st.one_of(
    st.integers(-(10**6), 10**6), st.floats(allow_nan=False, allow_infinity=False), st.booleans()
)
_json = st.recursive(
    st.none() | _number | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    positions=st.lists(st.lists(_number, max_size=4), max_size=6) | _json,
    count=_json,
    ids=st.none() | st.lists(st.integers(0, 3) | st.text(max_size=3), max_size=6) | _json,
)
def test_any_frame_is_taken_whole_or_dead_lettered_whole(
    positions: object, count: object, ids: object
) -> None:
    doc: dict[str, object] = {"ts": TS_MS, "positions": positions, "count": count, "ids": ids}
    out = decoder().decode(T.sensor("v", "trk"), json.dumps(doc).encode(), NOW)
    if out.rejected:
        assert out.readings == [] and out.tracks == [] and len(out.rejected) == 1
    else:
        (frame,) = out.tracks
        (reading,) = out.readings
        assert reading.value == frame.count >= len(frame.positions)
        assert frame.ids is None or len(set(frame.ids)) == len(frame.ids) == len(frame.positions)
