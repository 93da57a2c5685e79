"""Open WebSockets lose the stream when their token stops being good (issue 17 item 13).

Before, the role was fixed at the first frame: an expired token, a removed
user or a downgraded role kept receiving the live alarm and command stream.
Each case here must end with an ``unauthorized`` error frame and close 4401.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from tests.unit.test_viewer_support import PASSWORDS, Rig, V, app_of, make_rig
from viewer.hub import CLOSE_UNAUTHORIZED

# A socket that is never closed would wait for frames forever: fail instead.
pytestmark = pytest.mark.timeout(60)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def rig(tmp_path: Path, clock: Clock) -> Rig:
    return make_rig(tmp_path, clock=clock, recheck_s=0.0)


@pytest.fixture
def client(rig: Rig) -> Iterator[TestClient]:
    with TestClient(app_of(rig)) as c:
        yield c


def _subscribed(client: TestClient, ws: WebSocketTestSession, name: str) -> None:
    res = client.post("/api/auth/login", json={"username": name, "password": PASSWORDS[name][1]})
    ws.send_text(json.dumps({"type": "auth", "token": res.json()["token"]}))
    assert ws.receive_json()["type"] == "hello"
    ws.send_text(json.dumps({"type": "subscribe", "venue": V}))
    assert ws.receive_json()["type"] == "snapshot"


def _tick(client: TestClient, rig: Rig, now: float) -> None:
    client.portal.call(rig.hub.flush, now)  # type: ignore[union-attr]


def _frames_until_closed(ws: WebSocketTestSession) -> tuple[list[dict[str, Any]], int]:
    """Every frame up to the close, and the close code."""
    got: list[dict[str, Any]] = []
    for _ in range(50):
        try:
            got.append(ws.receive_json())
        except WebSocketDisconnect as closed:
            return got, closed.code
    raise AssertionError(f"still open after {got[-3:]}")


def _closed_with(ws: WebSocketTestSession) -> tuple[dict[str, Any], int]:
    """The error frame before the close, and the close code."""
    got, code = _frames_until_closed(ws)
    errors = [f for f in got if f["type"] == "error"]
    assert len(errors) == 1, got
    return errors[0], code


def _still_streaming(ws: WebSocketTestSession) -> None:
    ws.send_text(json.dumps({"type": "ping"}))
    for _ in range(20):
        if ws.receive_json()["type"] == "pong":
            return
    raise AssertionError("no pong")


def _set_role(rig: Rig, name: str, role: str) -> None:
    """Edit the users file as an administrator might: the role only, the hash kept."""
    users = rig.ctx.auth.users
    assert users is not None
    data = yaml.safe_load(users.path.read_text())
    data["users"][name]["role"] = role
    users.path.write_text(yaml.safe_dump(data) + "\n# edited\n")


def test_an_expired_token_loses_the_stream(client: TestClient, rig: Rig, clock: Clock) -> None:
    with client.websocket_connect("/ws") as ws:
        _subscribed(client, ws, "olga")
        _tick(client, rig, clock.now + 30)
        _still_streaming(ws)  # half-way through its life: untouched
        clock.now += 61  # the tokens live 60 s in this rig
        _tick(client, rig, clock.now)
        error, code = _closed_with(ws)
    assert code == CLOSE_UNAUTHORIZED
    assert error["code"] == "unauthorized" and "expired" in error["message"]
    assert rig.hub.stats.revoked == 1 and rig.hub.stats.clients == 0


def test_a_removed_user_loses_the_stream(client: TestClient, rig: Rig, clock: Clock) -> None:
    with client.websocket_connect("/ws") as ws, client.websocket_connect("/ws") as other:
        _subscribed(client, ws, "olga")
        _subscribed(client, other, "ada")
        users = rig.ctx.auth.users
        assert users is not None
        users.remove("olga")
        _tick(client, rig, clock.now)
        error, code = _closed_with(ws)
        _still_streaming(other)  # another user's socket stays open
    assert code == CLOSE_UNAUTHORIZED
    assert "removed" in error["message"]


def test_a_new_password_ends_the_old_tokens_stream(
    client: TestClient, rig: Rig, clock: Clock
) -> None:
    with client.websocket_connect("/ws") as ws:
        _subscribed(client, ws, "olga")
        users = rig.ctx.auth.users
        assert users is not None
        users.add("olga", users.get("olga").role, "a-new-password-1", replace=True)  # type: ignore[union-attr]
        _tick(client, rig, clock.now)
        error, code = _closed_with(ws)
    assert code == CLOSE_UNAUTHORIZED and "password changed" in error["message"]


def test_a_downgraded_role_loses_the_stream(client: TestClient, rig: Rig, clock: Clock) -> None:
    with client.websocket_connect("/ws") as ws:
        _subscribed(client, ws, "enzo")
        _set_role(rig, "enzo", "viewer")
        _tick(client, rig, clock.now)
        error, code = _closed_with(ws)
    assert code == CLOSE_UNAUTHORIZED
    assert error["message"] == "role changed from engineer to viewer: log in again"
    # Logging in again gives the new role.
    with client.websocket_connect("/ws") as ws:
        res = client.post(
            "/api/auth/login", json={"username": "enzo", "password": PASSWORDS["enzo"][1]}
        )
        ws.send_text(json.dumps({"type": "auth", "token": res.json()["token"]}))
        assert ws.receive_json()["role"] == "viewer"


def test_the_stream_stops_at_once_even_with_frames_queued(
    client: TestClient, rig: Rig, clock: Clock
) -> None:
    """No alarm raised after the revocation reaches the socket."""
    with client.websocket_connect("/ws") as ws:
        _subscribed(client, ws, "olga")
        users = rig.ctx.auth.users
        assert users is not None
        users.remove("olga")
        _tick(client, rig, clock.now)  # revoked in this tick, before anything else is sent
        for i in range(5):
            _tick(client, rig, clock.now + i)
        got, code = _frames_until_closed(ws)
    assert [f["type"] for f in got] == ["error"] and code == CLOSE_UNAUTHORIZED


def test_without_authentication_nothing_is_rechecked(tmp_path: Path) -> None:
    rig = make_rig(tmp_path, auth=False, recheck_s=0.0)
    with TestClient(app_of(rig)) as client, client.websocket_connect("/ws") as ws:
        assert ws.receive_json()["type"] == "hello"
        for i in range(3):
            _tick(client, rig, time.time() + 86_400 * (i + 1))
        _still_streaming(ws)
    assert rig.hub.stats.revoked == 0
