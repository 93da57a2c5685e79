"""Every endpoint's role: no token -> 401 (except the open ones), too low a role -> 403.

The table below must name every route the app has, so a new endpoint without a
decided role fails here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount

from tests.unit.test_viewer_support import PASSWORDS, V, app_of, make_rig
from viewer.roles import Role

OPEN = None
# (method, path) -> the least role that may call it (None: open without a token).
REQUIRED: dict[tuple[str, str], Role | None] = {
    ("POST", "/api/auth/login"): OPEN,
    ("GET", "/api/health"): OPEN,
    ("GET", "/"): OPEN,
    ("GET", "/api/auth/me"): Role.VIEWER,
    ("GET", "/api/venues"): Role.VIEWER,
    ("GET", "/api/venues/{venue}"): Role.VIEWER,
    ("GET", "/api/venues/{venue}/state"): Role.VIEWER,
    ("GET", "/api/venues/{venue}/analytics"): Role.VIEWER,
    ("GET", "/api/venues/{venue}/report"): Role.VIEWER,
    ("GET", "/api/venues/{venue}/mesh.glb"): Role.VIEWER,
    ("HEAD", "/api/venues/{venue}/mesh.glb"): Role.VIEWER,
    ("GET", "/api/venues/{venue}/sensors/{sensor}/history"): Role.VIEWER,
    ("GET", "/api/alarms"): Role.VIEWER,
    ("GET", "/api/alarms/{alarm_id}/history"): Role.VIEWER,
    ("POST", "/api/alarms/{alarm_id}/acknowledge"): Role.OPERATOR,
    ("POST", "/api/alarms/{alarm_id}/shelve"): Role.OPERATOR,
    ("POST", "/api/alarms/{alarm_id}/unshelve"): Role.OPERATOR,
    ("GET", "/api/commands"): Role.VIEWER,
    ("POST", "/api/commands/{command_id}/confirm"): Role.OPERATOR,
    ("POST", "/api/commands/{command_id}/reject"): Role.OPERATOR,
    ("POST", "/api/replay"): Role.ENGINEER,
    ("GET", "/api/replay/{session_id}"): Role.ENGINEER,
    ("DELETE", "/api/replay/{session_id}"): Role.ENGINEER,
    ("POST", "/api/replay/{session_id}/control"): Role.ENGINEER,
    ("GET", "/metrics"): Role.VIEWER,
    ("GET", "/api/venues/{venue}/unplaced"): Role.VIEWER,
    ("GET", "/api/venues/{venue}/device-health"): Role.VIEWER,
    ("PUT", "/api/venues/{venue}/sensors/{sensor}/placement"): Role.ENGINEER,
}
PARAMS = {"venue": V, "sensor": "gallery-a-temp", "alarm_id": "a1", "command_id": "c1"}
QUERY = {"/api/venues/{venue}/sensors/{sensor}/history": "?start=0&end=10"}
BODIES = {
    "/api/auth/login": {"username": "ada", "password": PASSWORDS["ada"][1]},
    "/api/alarms/{alarm_id}/shelve": {"duration_s": 60},
    "/api/replay": {"venue": V, "start": 0, "end": 3600},
    "/api/replay/{session_id}/control": {"action": "pause"},
    "/api/venues/{venue}/sensors/{sensor}/placement": {"position": [5.0, 5.0, 1.5]},
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    rig = make_rig(Path(tmp_path_factory.mktemp("roles")))
    with TestClient(app_of(rig)) as c:
        yield c


def _routes(client: TestClient) -> set[tuple[str, str]]:
    """Every HTTP operation of the OpenAPI schema, the app page and the metrics mount."""
    schema = client.app.openapi()  # type: ignore[attr-defined]
    found = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops}
    for route in client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, Mount) and route.path == "/metrics":
            found.add(("GET", "/metrics"))
        elif isinstance(route, APIRoute) and not route.include_in_schema:
            found |= {(m, route.path) for m in route.methods or ()}
    return found


def _token(client: TestClient, role: Role) -> str:
    name = next(n for n, (r, _) in PASSWORDS.items() if r == role.value)
    res = client.post("/api/auth/login", json={"username": name, "password": PASSWORDS[name][1]})
    assert res.status_code == 200, res.text
    token: str = res.json()["token"]
    return token


def _call(client: TestClient, method: str, path: str, token: str | None) -> tuple[int, str]:
    session_id = PARAMS.get("session_id", "nope")
    url = re.sub(r"\{(\w+)\}", lambda m: PARAMS.get(m[1], session_id), path) + QUERY.get(path, "")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    res = client.request(method, url, headers=headers, json=BODIES.get(path))
    return res.status_code, res.text


def test_the_table_names_every_route(client: TestClient) -> None:
    assert _routes(client) == set(REQUIRED)


@pytest.mark.parametrize(("method", "path"), sorted(REQUIRED))
def test_without_a_token_only_login_health_and_the_app_answer(
    client: TestClient, method: str, path: str
) -> None:
    status, text = _call(client, method, path, None)
    if REQUIRED[(method, path)] is OPEN:
        assert status not in (401, 403), text
    else:
        assert status == 401, text
        status, _ = _call(client, method, path, "forged.token")
        assert status == 401


# Open routes are covered above: every role's case here asserts something.
GUARDED = sorted(op for op, needed in REQUIRED.items() if needed is not OPEN)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("method", "path"), GUARDED)
def test_each_role_reaches_exactly_the_endpoints_it_should(
    client: TestClient, method: str, path: str, role: Role
) -> None:
    needed = REQUIRED[(method, path)]
    assert needed is not None
    status, text = _call(client, method, path, _token(client, role))
    if role.allows(needed):
        assert status not in (401, 403), f"{role} on {method} {path}: {text}"
    else:
        assert status == 403, f"{role} on {method} {path}: {status} {text}"
        assert needed.value in text


def test_health_without_a_token_says_only_the_status(client: TestClient) -> None:
    assert client.get("/api/health").json() == {"status": "ok"}
    token = _token(client, Role.VIEWER)
    full = client.get("/api/health", headers={"Authorization": f"Bearer {token}"}).json()
    assert full["status"] == "ok" and "websocket" in full


def test_login_with_a_wrong_password_is_401(client: TestClient) -> None:
    res = client.post("/api/auth/login", json={"username": "olga", "password": "nope"})
    assert res.status_code == 401
    assert res.json()["detail"] == "wrong user name or password"
    me = client.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {_token(client, Role.OPERATOR)}"}
    )
    assert me.json() == {"username": "olga", "role": "operator"}
