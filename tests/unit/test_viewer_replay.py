"""Replay sessions through REST and the WebSocket, never touching the live twin."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from ingest.contract import Reading
from tests.unit.test_viewer_support import PASSWORDS, Rig, V, app_of, make_rig
from viewer.replay_sessions import ReplaySessions

S = "gallery-a-temp"
T0 = 1_700_000_000.0


@pytest.fixture
def rig(tmp_path: Path) -> Rig:
    return make_rig(tmp_path, max_sessions=2)


@pytest.fixture
def client(rig: Rig) -> Iterator[TestClient]:
    with TestClient(app_of(rig)) as c:
        readings = [Reading(V, S, T0 + i * 10, 20.0 + i / 10) for i in range(360)]
        c.portal.call(rig.store.write_readings, readings)  # type: ignore[union-attr]
        yield c


def headers(client: TestClient, name: str) -> dict[str, str]:
    res = client.post("/api/auth/login", json={"username": name, "password": PASSWORDS[name][1]})
    return {"Authorization": f"Bearer {res.json()['token']}"}


def ws_login(ws: WebSocketTestSession, client: TestClient, name: str) -> None:
    token = headers(client, name)["Authorization"].split()[1]
    ws.send_text(json.dumps({"type": "auth", "token": token}))
    assert ws.receive_json()["type"] == "hello"


def frame_of(ws: WebSocketTestSession, kind: str) -> dict[str, Any]:
    for _ in range(20):
        f: dict[str, Any] = ws.receive_json()
        if f["type"] == kind:
            return f
    raise AssertionError(f"no {kind}")


def test_a_replay_session_streams_its_own_twin_and_leaves_live_state_alone(
    client: TestClient, rig: Rig
) -> None:
    eng = headers(client, "enzo")
    assert (
        client.post(
            "/api/replay",
            json={"venue": V, "start": T0, "end": T0 + 3600},
            headers=headers(client, "olga"),
        ).status_code
        == 403
    )
    res = client.post(
        "/api/replay", json={"venue": V, "start": T0, "end": T0 + 3600, "speed": 60}, headers=eng
    )
    assert res.status_code == 201, res.text
    session = res.json()
    assert session | {"id": None} == {
        "id": None,
        "venue": V,
        "start": T0,
        "end": T0 + 3600,
        "t": T0,
        "speed": 60.0,
        "playing": False,
    }
    sid = session["id"]
    with client.websocket_connect("/ws") as ws:
        ws_login(ws, client, "enzo")
        ws.send_text(json.dumps({"type": "subscribe", "venue": V, "replay": sid}))
        snap = frame_of(ws, "snapshot")
        assert snap["replay"]["id"] == sid
        assert snap["sensors"][S]["value"] is None  # nothing before the start

        res = client.post(
            f"/api/replay/{sid}/control", json={"action": "seek", "t": T0 + 1800}, headers=eng
        )
        assert res.status_code == 200 and res.json()["t"] == T0 + 1800
        client.portal.call(rig.hub.flush, time.time())  # type: ignore[union-attr]
        delta = frame_of(ws, "delta")
        assert delta["sensors"][S]["value"] == pytest.approx(20.0 + 179 / 10)
        assert delta["replay"]["t"] == T0 + 1800

        bad = client.post(
            f"/api/replay/{sid}/control", json={"action": "seek", "t": T0 - 1}, headers=eng
        )
        assert bad.status_code == 422 and "outside" in bad.text
        assert (
            client.post(
                f"/api/replay/{sid}/control", json={"action": "seek"}, headers=eng
            ).status_code
            == 422
        )
        res = client.post(
            f"/api/replay/{sid}/control", json={"action": "speed", "speed": 600}, headers=eng
        )
        assert res.json()["speed"] == 600.0
        assert (
            client.post(f"/api/replay/{sid}/control", json={"action": "play"}, headers=eng).json()[
                "playing"
            ]
            is True
        )

        # The live twin never saw a replayed reading.
        live_sensor = rig.twin.states[V].sensor(S)
        assert live_sensor is not None and live_sensor.value is None
        live = client.get(f"/api/venues/{V}/state", headers=eng).json()
        assert live["sensors"][S]["value"] is None

        assert client.delete(f"/api/replay/{sid}", headers=eng).status_code == 204
        ended = frame_of(ws, "error")
        assert ended["code"] == "replay_ended"
    assert client.get(f"/api/replay/{sid}", headers=eng).status_code == 404


def test_only_engineers_watch_replays_and_sessions_are_limited(
    client: TestClient, rig: Rig
) -> None:
    eng = headers(client, "enzo")
    body = {"venue": V, "start": T0, "end": T0 + 600}
    ids = [client.post("/api/replay", json=body, headers=eng).json()["id"] for _ in range(2)]
    over = client.post("/api/replay", json=body, headers=eng)
    assert over.status_code == 429 and "at most 2" in over.json()["detail"]
    with client.websocket_connect("/ws") as ws:
        ws_login(ws, client, "olga")
        ws.send_text(json.dumps({"type": "subscribe", "venue": V, "replay": ids[0]}))
        assert frame_of(ws, "error")["code"] == "forbidden"
        ws.send_text(json.dumps({"type": "subscribe", "venue": V, "replay": "nope"}))
        assert frame_of(ws, "error")["code"] in ("forbidden", "unknown_replay")
    client.delete(f"/api/replay/{ids[0]}", headers=eng)
    assert client.post("/api/replay", json=body, headers=eng).status_code == 201


async def test_sessions_without_a_client_for_the_idle_time_are_reaped(tmp_path: Path) -> None:
    rig = make_rig(tmp_path)
    await rig.open()
    now = [0.0]
    sessions = ReplaySessions(rig.store, rig.twin.venues, rig.hub, idle_s=600, clock=lambda: now[0])
    replay = await sessions.create(V, T0, T0 + 600, 1.0, "enzo")
    now[0] = 599.0
    assert sessions.reap() == []
    sessions.get(replay.id)  # a REST call counts as activity
    now[0] = 1198.0
    assert sessions.reap() == []
    now[0] = 1199.0
    assert sessions.reap() == [replay.id]
    await sessions.delete(replay.id)
    assert len(sessions) == 0
