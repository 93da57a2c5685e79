"""The WebSocket hub coalesces per tick and resyncs slow clients with a snapshot."""

from __future__ import annotations

import asyncio
import json

from fastapi import FastAPI, WebSocket
from fastapi.testclient import TestClient

from ingest.contract import Reading
from tests.unit.ws_fakes import SubscribingSocket
from twin.loader import load_sample
from twin.service import TwinService
from viewer.hub import Hub
from viewer.roles import Principal, Role

V = "museum-wing"
ME = Principal("tester", Role.VIEWER)


def _app(hub: Hub) -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await hub.serve(websocket, ME)

    return app


def test_subscribe_gives_a_snapshot_then_coalesced_deltas() -> None:
    twin = TwinService([load_sample(V)])
    hub = Hub(twin)
    with TestClient(_app(hub)) as client, client.websocket_connect("/ws") as ws:
        hello = ws.receive_json()
        assert (hello["type"], hello["username"], hello["role"]) == ("hello", "tester", "viewer")
        ws.send_text(json.dumps({"type": "subscribe", "venue": V}))
        snap = ws.receive_json()
        assert snap["type"] == "snapshot"
        assert set(snap["sensors"]) == {s.id for s in twin.venues[V].sensors}
        for i in range(5):  # five updates of one sensor within one tick
            twin.apply_readings([Reading(V, "gallery-a-temp", 100.0 + i, 20.0 + i)])
        hub.flush(200.0)
        delta = ws.receive_json()
        assert delta["type"] == "delta"
        assert delta["sensors"] == {"gallery-a-temp": {"value": 24.0, "ts": 104.0, "status": "ok"}}
        assert delta["zones"]["gallery-a"]["temperature"] == 24.0
        assert delta["replay"] is None
        hub.flush(201.0)  # nothing changed: nothing sent
        ws.send_text(json.dumps({"type": "ping"}))
        assert ws.receive_json()["type"] == "pong"


def test_bad_frames_get_errors_and_the_connection_survives() -> None:
    hub = Hub(TwinService([load_sample(V)]))
    with TestClient(_app(hub)) as client, client.websocket_connect("/ws") as ws:
        ws.receive_json()
        for frame, code in [
            ("not json", "bad_json"),
            (json.dumps({"type": "dance"}), "bad_frame"),
            (json.dumps({"type": "subscribe", "venue": "nowhere"}), "unknown_venue"),
            (json.dumps({"type": "subscribe", "venue": V, "replay": "r1"}), "forbidden"),
            ("x" * 5000, "frame_too_large"),
        ]:
            ws.send_text(frame)
            reply = ws.receive_json()
            assert (reply["type"], reply["code"]) == ("error", code)
        ws.send_text(json.dumps({"type": "ping"}))
        assert ws.receive_json()["type"] == "pong"
        assert hub.stats.bad_frames == 5


class _SlowSocket(SubscribingSocket):
    """A client that reads one subscribe frame and then sends nothing, slowly receiving."""

    def __init__(self) -> None:
        super().__init__({"type": "subscribe", "venue": V})
        self.gate = asyncio.Event()

    async def send_text(self, text: str) -> None:
        await self.gate.wait()  # the network is slow until the test opens the gate
        self.sent.append(text)


async def test_a_client_that_falls_behind_gets_one_fresh_snapshot_not_a_backlog() -> None:
    twin = TwinService([load_sample(V)])
    hub = Hub(twin, client_queue=4)
    slow = _SlowSocket()
    task = asyncio.create_task(hub.serve(slow, ME))  # type: ignore[arg-type]
    await asyncio.sleep(0.01)
    for i in range(50):
        twin.apply_readings([Reading(V, "gallery-a-temp", 100.0 + i, 20.0 + i / 10)])
        hub.flush(300.0 + i)
    assert hub.stats.resyncs >= 1
    slow.gate.set()
    await asyncio.sleep(0.05)
    task.cancel()
    # Bounded: at most the in-flight frame plus the queue, never 50 deltas.
    assert len(slow.sent) <= 1 + 4
    last_snapshot = [f for f in map(json.loads, slow.sent) if f["type"] == "snapshot"][-1]
    sensors = last_snapshot["sensors"]
    assert isinstance(sensors, dict)
    assert sensors["gallery-a-temp"]["value"] >= 24.0


def test_a_client_subscribing_between_ticks_misses_no_change() -> None:
    """Snapshots are shared within a tick; what changed after one comes as the next delta."""
    twin = TwinService([load_sample(V)])
    hub = Hub(twin)
    twin.apply_readings([Reading(V, "gallery-a-temp", 100.0, 20.0)])
    hub.flush(100.5)
    with (
        TestClient(_app(hub)) as client,
        client.websocket_connect("/ws") as a,
        client.websocket_connect("/ws") as b,
    ):
        for ws in (a, b):
            ws.receive_json()
        a.send_text(json.dumps({"type": "subscribe", "venue": V}))
        assert a.receive_json()["sensors"]["gallery-a-temp"]["value"] == 20.0
        twin.apply_readings([Reading(V, "gallery-a-temp", 101.0, 21.5)])
        b.send_text(json.dumps({"type": "subscribe", "venue": V}))
        view = b.receive_json()["sensors"]  # may predate the change: same tick as a's
        hub.flush(101.5)
        delta = b.receive_json()
        assert delta["type"] == "delta"
        view.update(delta["sensors"])
        assert view["gallery-a-temp"]["value"] == 21.5
        assert a.receive_json()["sensors"]["gallery-a-temp"]["value"] == 21.5
        with client.websocket_connect("/ws") as c:  # after a tick, snapshots are fresh
            c.receive_json()
            c.send_text(json.dumps({"type": "subscribe", "venue": V}))
            assert c.receive_json()["sensors"]["gallery-a-temp"]["value"] == 21.5
