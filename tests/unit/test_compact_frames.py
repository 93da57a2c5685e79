"""The compact frame format (protocol version 2): exact round trips, negotiated per client."""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

from fastapi.testclient import TestClient

from ingest.contract import Reading
from tests.unit.compact_fixture import FIXTURE, build, v1_frames
from tests.unit.test_hub import ME, V, _app
from tests.unit.ws_fakes import SubscribingSocket
from twin.loader import load_sample
from twin.service import TwinService
from viewer.compact import CompactCodec, decode, decode_into
from viewer.hub import Hub


def _same(a: Any, b: Any) -> bool:
    """Equal, and floats bit for bit (-0.0 is not 0.0)."""
    if isinstance(a, float) or isinstance(b, float):
        return type(a) is type(b) and (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


def test_every_value_round_trips_exactly_and_unchanged_zone_fields_are_left_out() -> None:
    fixture = build()
    tables: dict[str, Any] = {}
    zones: dict[str, dict[str, Any]] = {}
    for wire, v1 in zip(fixture["wire"], v1_frames(), strict=True):
        frame = json.loads(wire)
        assert (frame["type"], frame["v"]) == (v1["type"], 2)
        sensors, zpatch = decode_into(frame, tables)
        assert _same(sensors, v1["sensors"]), (sensors, v1["sensors"])
        if frame["type"] == "snapshot":
            zones = {}
        for z, patch in zpatch.items():
            zones[z] = {**zones.get(z, {}), **patch}
        for z, body in v1["zones"].items():
            assert _same(zones[z], body)
        for k in ("replay", "clock", "venue", "server_time"):
            assert frame[k] == v1[k]
    last = json.loads(fixture["wire"][-1])
    assert last["z"] == [[0, 0b1000, 48.0]]  # humidity alone
    assert last["analytics"]["z"] == [[0, 0b1, 43.0]]  # occupancy alone
    assert list(last["analytics"]["zones"]) == ["gallery-b"]
    d1 = json.loads(fixture["wire"][1])
    # Added after the snapshot, or not a whole millisecond: by name, v1 shape.
    assert set(d1["named"]["sensors"]) == {"late-sensor", "door-1"}
    assert set(d1["named"]["zones"]) == {"gallery-c"}


def test_zone_analytics_decode_to_what_version_1_sends() -> None:
    tables: dict[str, Any] = {}
    held: dict[str, dict[str, Any]] = {}
    for wire, v1 in zip(build()["wire"], v1_frames(), strict=True):
        got = decode(json.loads(wire), tables)
        assert got["type"] == v1["type"] and got["v"] == 1
        assert _same(got["sensors"], v1["sensors"])
        for z, patch in got["analytics"]["zones"].items():
            held[z] = {**held.get(z, {}), **patch}
        for z, body in v1["analytics"]["zones"].items():
            assert all(_same(held[z][k], v) for k, v in body.items()), (z, held[z], body)
        assert got["analytics"]["anomalies"] == v1["analytics"]["anomalies"]


def test_the_browser_fixture_is_what_the_encoder_makes() -> None:
    """viewer/web/test (vitest) decodes this file: it must not drift from the encoder."""
    assert json.loads(FIXTURE.read_text()) == build()


def test_a_compact_delta_is_much_smaller_than_v1() -> None:
    twin = TwinService([load_sample(V)])
    hub = Hub(twin)
    v1 = [f for f in hub._live[V].drain(1.0)]  # nothing yet
    assert v1 == []
    codec = CompactCodec()
    codec.snapshot(hub._live[V].snapshot(1.0))
    ids = [s.id for s in twin.venues[V].sensors]
    twin.apply_readings([Reading(V, s, 100.0, 20.123) for s in ids])
    (delta,) = hub._live[V].drain(100.1)
    from viewer import frames

    big, small = len(frames.encode(delta)), len(frames.encode(codec.delta(delta)))
    assert small < big / 2.5, (small, big)


async def test_v1_and_compact_clients_share_one_encoding_per_format_per_tick() -> None:
    twin = TwinService([load_sample(V)])
    hub = Hub(twin)
    v1a, v1b = (SubscribingSocket({"type": "subscribe", "venue": V}) for _ in range(2))
    ca, cb = (
        SubscribingSocket({"type": "subscribe", "venue": V, "format": "compact"}) for _ in range(2)
    )
    socks = [v1a, v1b, ca, cb]
    tasks = [asyncio.create_task(hub.serve(s, ME)) for s in socks]  # type: ignore[arg-type]
    await asyncio.sleep(0.02)
    twin.apply_readings([Reading(V, "gallery-a-temp", 100.0, 22.5)])
    twin.apply_readings([Reading(V, "not-in-the-venue", 100.2, 5.5)])  # auto-registered
    hub.flush(100.3)
    await asyncio.sleep(0.02)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for s in socks:
        assert [json.loads(t)["type"] for t in s.sent] == ["hello", "snapshot", "delta"]
    # One string per format, the same object for every client of it.
    assert v1a.sent[2] is v1b.sent[2] and ca.sent[2] is cb.sent[2]
    assert ca.sent[1] is cb.sent[1]
    old = json.loads(v1a.sent[2])
    assert old["v"] == 1
    assert old["sensors"]["gallery-a-temp"] == {"value": 22.5, "ts": 100.0, "status": "ok"}
    new = json.loads(ca.sent[2])
    assert new["v"] == 2 and "sensors" not in new
    tables: dict[str, Any] = {}
    decode_into(json.loads(ca.sent[1]), tables)
    sensors, zones = decode_into(new, tables)
    assert sensors == old["sensors"]
    assert new["named"]["sensors"] == {"not-in-the-venue": old["sensors"]["not-in-the-venue"]}
    assert zones["gallery-a"]["temperature"] == old["zones"]["gallery-a"]["temperature"]


def test_a_client_taking_a_snapshot_between_deltas_gets_whole_zones_next() -> None:
    """A snapshot may show a zone value newer than the previous delta: no field may be skipped."""
    twin = TwinService([load_sample(V)])
    hub = Hub(twin)
    sub = {"type": "subscribe", "venue": V, "format": "compact"}
    with TestClient(_app(hub)) as client, client.websocket_connect("/ws") as a:
        a.receive_json()
        a.send_text(json.dumps(sub))
        tables_a: dict[str, Any] = {}
        _, zones_a = decode_into(a.receive_json(), tables_a)
        twin.apply_readings([Reading(V, "gallery-a-temp", 100.0, 21.0)])
        hub.flush(100.1)
        zones_a["gallery-a"].update(decode_into(a.receive_json(), tables_a)[1]["gallery-a"])
        twin.apply_readings([Reading(V, "gallery-a-temp", 101.0, 25.0)])
        with client.websocket_connect("/ws") as b:
            b.receive_json()
            b.send_text(json.dumps(sub))
            tables_b: dict[str, Any] = {}
            _, zones_b = decode_into(b.receive_json(), tables_b)
            assert zones_b["gallery-a"]["temperature"] == 25.0  # newer than a's last delta
            hub.flush(101.1)
            for ws, tables, zones in ((a, tables_a, zones_a), (b, tables_b, zones_b)):
                zones["gallery-a"].update(decode_into(ws.receive_json(), tables)[1]["gallery-a"])
                assert zones["gallery-a"]["temperature"] == 25.0
            # back to an earlier value: still sent to both
            twin.apply_readings([Reading(V, "gallery-a-temp", 102.0, 21.0)])
            hub.flush(102.1)
            for ws, tables, zones in ((a, tables_a, zones_a), (b, tables_b, zones_b)):
                zones["gallery-a"].update(decode_into(ws.receive_json(), tables)[1]["gallery-a"])
                assert zones["gallery-a"]["temperature"] == 21.0


def test_an_unknown_format_is_refused_and_the_connection_stays() -> None:
    hub = Hub(TwinService([load_sample(V)]))
    with TestClient(_app(hub)) as client, client.websocket_connect("/ws") as ws:
        ws.receive_json()
        ws.send_text(json.dumps({"type": "subscribe", "venue": V, "format": "bson"}))
        reply = ws.receive_json()
        assert (reply["type"], reply["code"]) == ("error", "bad_frame")
        ws.send_text(json.dumps({"type": "subscribe", "venue": V}))
        assert ws.receive_json()["v"] == 1
