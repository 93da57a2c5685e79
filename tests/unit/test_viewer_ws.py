"""The WebSocket after authentication: alarms, commands and analytics reach clients.

Operator actions go through REST, as the browser does them, and the test
watches what a WebSocket client sees afterwards.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from tests.unit.test_viewer_support import PASSWORDS, Rig, V, app_of, make_rig
from twin.alarms import Severity
from twin.analytics.crowd import LevelOfService, SafetyBand
from twin.live_analytics import AnalyticsUpdate, ZoneCrowd


@pytest.fixture
def rig(tmp_path: Path) -> Rig:
    return make_rig(tmp_path, allowed_origins=["https://ops.example.org"])


@pytest.fixture
def client(rig: Rig) -> Iterator[TestClient]:
    with TestClient(app_of(rig)) as c:
        yield c


def token(client: TestClient, name: str) -> str:
    res = client.post("/api/auth/login", json={"username": name, "password": PASSWORDS[name][1]})
    assert res.status_code == 200, res.text
    t: str = res.json()["token"]
    return t


def auth(name: str, client: TestClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(client, name)}"}


@contextlib.contextmanager
def connect(client: TestClient, name: str) -> Iterator[tuple[WebSocketTestSession, Any]]:
    """An authenticated, subscribed WebSocket and its snapshot."""
    with client.websocket_connect("/ws") as ws:
        yield _login(ws, client, name)


def _login(
    ws: WebSocketTestSession, client: TestClient, name: str
) -> tuple[WebSocketTestSession, Any]:
    ws.send_text(json.dumps({"type": "auth", "token": token(client, name)}))
    hello = ws.receive_json()
    assert hello["type"] == "hello" and hello["v"] == 1
    assert (hello["username"], hello["role"]) == (name, PASSWORDS[name][0])
    ws.send_text(json.dumps({"type": "subscribe", "venue": V}))
    snap = ws.receive_json()
    assert snap["type"] == "snapshot"
    return ws, snap


def tick(client: TestClient, rig: Rig) -> None:
    client.portal.call(rig.hub.flush, time.time())  # type: ignore[union-attr]


def next_frame(ws: WebSocketTestSession, kind: str) -> dict[str, Any]:
    for _ in range(20):
        frame: dict[str, Any] = ws.receive_json()
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


@pytest.mark.parametrize(
    "first",
    [
        json.dumps({"type": "subscribe", "venue": V}),
        json.dumps({"type": "auth", "token": "forged.token"}),
        json.dumps({"type": "auth"}),
        "not json",
    ],
)
def test_a_client_without_a_valid_auth_frame_is_closed_with_4401(
    client: TestClient, rig: Rig, first: str
) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_text(first)
        err = ws.receive_json()
        assert (err["type"], err["code"]) == ("error", "unauthorized")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4401
    assert rig.hub.stats.auth_failures == 1


def test_websockets_from_foreign_origins_are_refused(client: TestClient) -> None:
    evil = {"origin": "https://evil.example"}
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/ws", headers=evil):
        pass
    for origin in ("http://testserver", "https://ops.example.org"):
        with client.websocket_connect("/ws", headers={"origin": origin}) as ws:
            ws.send_text(json.dumps({"type": "auth", "token": token(client, "ada")}))
            assert ws.receive_json()["type"] == "hello"


def test_cors_is_only_for_configured_origins(client: TestClient) -> None:
    pre = {"Access-Control-Request-Method": "GET"}
    ok = client.options("/api/venues", headers={"Origin": "https://ops.example.org", **pre})
    assert ok.headers.get("access-control-allow-origin") == "https://ops.example.org"
    bad = client.options("/api/venues", headers={"Origin": "https://evil.example", **pre})
    assert "access-control-allow-origin" not in bad.headers


def test_acknowledging_and_shelving_through_rest_reaches_websocket_clients(
    client: TestClient, rig: Rig
) -> None:
    alarm = client.portal.call(  # type: ignore[union-attr]
        lambda: rig.alarms.raise_alarm(
            V, "gallery-a-temp", "too_warm", Severity.WARNING, "27 C", value=27.0
        )
    )
    with connect(client, "ada") as (ws, snap):
        assert [a["id"] for a in snap["alarms"]] == [alarm.alarm_id]
        assert snap["alarms"][0]["state"] == "raised"
        viewer = auth("ada", client)
        refused = client.post(f"/api/alarms/{alarm.alarm_id}/acknowledge", headers=viewer)
        assert refused.status_code == 403
        op = auth("olga", client)
        res = client.post(
            f"/api/alarms/{alarm.alarm_id}/acknowledge", headers=op, json={"note": "fan on"}
        )
        assert res.status_code == 200, res.text
        assert res.json()["state"] == "acknowledged"
        assert res.json()["acknowledged_by"] == "olga"
        tick(client, rig)
        seen = next_frame(ws, "alarm")["alarm"]
        assert (seen["id"], seen["state"], seen["note"]) == (
            alarm.alarm_id,
            "acknowledged",
            "fan on",
        )

        again = client.post(f"/api/alarms/{alarm.alarm_id}/acknowledge", headers=op)
        assert again.status_code == 409
        assert "it is acknowledged" in again.json()["detail"]

        res = client.post(
            f"/api/alarms/{alarm.alarm_id}/shelve", headers=op, json={"duration_s": 600}
        )
        assert res.json()["state"] == "shelved"
        tick(client, rig)
        assert next_frame(ws, "alarm")["alarm"]["state"] == "shelved"
        res = client.post(f"/api/alarms/{alarm.alarm_id}/unshelve", headers=op)
        assert res.json()["state"] == "raised"  # still active: back to raised

        hist = client.get(f"/api/alarms/{alarm.alarm_id}/history", headers=viewer).json()
        assert [(h["action"], h["user"]) for h in hist["items"]] == [
            ("raise", "system"),
            ("acknowledge", "olga"),
            ("shelve", "olga"),
            ("unshelve", "olga"),
        ]
        listed = client.get("/api/alarms", params={"venue": V}, headers=viewer).json()
        assert listed["total"] == 1 and listed["items"][0]["state"] == "raised"


def test_a_command_waiting_for_confirmation_is_confirmed_or_rejected_through_rest(
    client: TestClient, rig: Rig
) -> None:
    def request() -> Any:
        return rig.commands.request(
            V,
            "hvac-1",
            "set_point",
            {"celsius": 20.0},
            origin="rule:r1:gallery-a",
            require_confirmation=True,
        )

    first = client.portal.call(request)  # type: ignore[union-attr]
    second = client.portal.call(request)  # type: ignore[union-attr]
    with connect(client, "ada") as (ws, snap):
        assert {c["id"] for c in snap["commands"]} == {first.command_id, second.command_id}
        assert not rig.publisher.sent  # nothing goes out unconfirmed
        op = auth("olga", client)
        res = client.post(f"/api/commands/{first.command_id}/confirm", headers=op)
        assert res.status_code == 200, res.text
        body = res.json()
        assert (body["state"], body["confirmed_by"]) == ("sent", "olga")
        assert [c.command_id for c in rig.publisher.sent] == [first.command_id]
        tick(client, rig)
        assert next_frame(ws, "command")["command"]["state"] == "sent"

        assert (
            client.post(f"/api/commands/{first.command_id}/confirm", headers=op).status_code == 409
        )
        res = client.post(
            f"/api/commands/{second.command_id}/reject", headers=op, json={"note": "closed"}
        )
        assert res.json()["state"] == "rejected_by_operator"
        tick(client, rig)
        assert next_frame(ws, "command")["command"]["id"] == second.command_id
        assert len(rig.publisher.sent) == 1

        viewer = auth("ada", client)
        page = client.get("/api/commands", params={"state": "sent"}, headers=viewer).json()
        assert [c["id"] for c in page["items"]] == [first.command_id]
        everything = client.get("/api/commands", params={"limit": 1}, headers=viewer).json()
        assert (everything["total"], len(everything["items"])) == (2, 1)


def test_analytics_reach_rest_and_websocket_deltas(client: TestClient, rig: Rig) -> None:
    viewer = auth("ada", client)
    before = client.get(f"/api/venues/{V}/analytics", headers=viewer).json()
    assert before["zones"]["gallery-a"]["occupancy"] is None
    with connect(client, "ada") as (ws, snap):
        assert snap["analytics"]["zones"]["gallery-a"]["level_of_service"] is None
        crowd = ZoneCrowd(
            "gallery-a", 100.0, 42.0, 1.0, 0.5, LevelOfService.B, SafetyBand.SAFE, 120, 0.35, None
        )
        client.portal.call(  # type: ignore[union-attr]
            rig.analytics.on_update, V, AnalyticsUpdate(V, 100.0, crowd=(crowd,))
        )
        tick(client, rig)
        delta = next_frame(ws, "delta")
        zone = delta["analytics"]["zones"]["gallery-a"]
        assert (zone["occupancy"], zone["level_of_service"], zone["capacity"]) == (42.0, "B", 120)
        assert delta["sensors"] == {} and delta["analytics"]["anomalies"] == []
    after = client.get(f"/api/venues/{V}/analytics", headers=viewer).json()
    assert after["zones"]["gallery-a"]["occupancy"] == 42.0
    assert after["ts"] == 100.0
