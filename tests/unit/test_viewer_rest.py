"""REST parameters: pagination bounds, bad values and unknown ids give clear 4xx answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.unit.test_viewer_support import PASSWORDS, Rig, V, app_of, make_rig
from twin.alarms import Severity


@pytest.fixture(scope="module")
def env(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, Rig, dict[str, str]]]:
    rig = make_rig(Path(tmp_path_factory.mktemp("rest")))
    with TestClient(app_of(rig)) as c:
        res = c.post("/api/auth/login", json={"username": "enzo", "password": PASSWORDS["enzo"][1]})
        yield c, rig, {"Authorization": f"Bearer {res.json()['token']}"}


@pytest.mark.parametrize(
    ("method", "url", "body", "status", "says"),
    [
        ("GET", "/api/alarms?limit=0", None, 422, "limit"),
        ("GET", "/api/alarms?limit=1001", None, 422, "limit"),
        ("GET", "/api/alarms?offset=-1", None, 422, "offset"),
        ("GET", "/api/alarms?limit=ten", None, 422, "limit"),
        ("GET", "/api/alarms?state=closed", None, 422, "state"),
        ("GET", "/api/alarms?venue=atlantis", None, 404, "atlantis"),
        ("GET", "/api/commands?state=done", None, 422, "state"),
        ("GET", "/api/commands?limit=5000", None, 422, "limit"),
        ("GET", "/api/commands?venue=atlantis", None, 404, "atlantis"),
        ("GET", "/api/alarms/nope/history", None, 404, "no alarm 'nope'"),
        ("POST", "/api/alarms/nope/acknowledge", None, 404, "no alarm 'nope'"),
        ("POST", "/api/alarms/nope/shelve", {"duration_s": -5}, 422, "duration_s"),
        ("POST", "/api/alarms/nope/shelve", {}, 422, "duration_s"),
        ("POST", "/api/alarms/nope/acknowledge", {"note": "x", "extra": 1}, 422, "extra"),
        ("POST", "/api/commands/nope/confirm", None, 404, "no command 'nope'"),
        (
            "GET",
            f"/api/venues/{V}/sensors/gallery-a-temp/history?start=10&end=5",
            None,
            422,
            "after",
        ),
        (
            "GET",
            f"/api/venues/{V}/sensors/gallery-a-temp/history?start=a&end=5",
            None,
            422,
            "start",
        ),
        (
            "GET",
            f"/api/venues/{V}/sensors/gallery-a-temp/history?start=0&end=1e9&bucket=1",
            None,
            422,
            "buckets",
        ),
        ("GET", f"/api/venues/{V}/sensors/nope/history?start=0&end=5", None, 404, "nope"),
        ("GET", f"/api/venues/{V}/mesh.glb?lod=9", None, 422, "lod"),
        ("GET", "/api/venues/atlantis/analytics", None, 404, "atlantis"),
        ("POST", "/api/replay", {"venue": V, "start": 10, "end": 5}, 422, "after"),
        ("POST", "/api/replay", {"venue": "atlantis", "start": 0, "end": 5}, 404, "atlantis"),
        ("POST", "/api/replay", {"venue": V, "start": 0, "end": 5, "speed": 0}, 422, "speed"),
        ("POST", "/api/replay", {"venue": V}, 422, "start"),
        ("POST", "/api/replay/nope/control", {"action": "play"}, 404, "nope"),
        ("POST", "/api/replay/nope/control", {"action": "rewind"}, 422, "action"),
        ("GET", "/api/replay/nope", None, 404, "nope"),
        ("DELETE", "/api/replay/nope", None, 404, "nope"),
        ("POST", "/api/auth/login", {"username": ""}, 422, "username"),
    ],
)
def test_bad_parameters_get_a_clear_4xx(
    env: tuple[TestClient, Rig, dict[str, str]],
    method: str,
    url: str,
    body: object,
    status: int,
    says: str,
) -> None:
    client, _, headers = env
    res = client.request(method, url, json=body, headers=headers)
    assert res.status_code == status, res.text
    assert says in res.text


def test_lists_page_with_limit_and_offset(env: tuple[TestClient, Rig, dict[str, str]]) -> None:
    client, rig, headers = env

    async def raise_five() -> None:
        for i in range(5):
            sev = Severity.CRITICAL if i == 2 else Severity.INFO
            await rig.alarms.raise_alarm(V, f"s{i}", "k", sev, "m", ts=100.0 + i)

    client.portal.call(raise_five)  # type: ignore[union-attr]
    res = client.get("/api/alarms", params={"limit": 2, "offset": 1}, headers=headers).json()
    assert (res["total"], res["limit"], res["offset"]) == (5, 2, 1)
    first = client.get("/api/alarms", params={"limit": 1}, headers=headers).json()["items"][0]
    assert first["source"] == "s2"  # critical first
    assert [a["source"] for a in res["items"]] == ["s4", "s3"]  # then newest first
    every = client.get("/api/alarms", params={"state": "all"}, headers=headers).json()
    assert every["total"] == 5


def test_the_openapi_schema_describes_responses_and_bearer_auth(
    env: tuple[TestClient, Rig, dict[str, str]],
) -> None:
    client, _, _ = env
    schema = client.get("/openapi.json").json()
    assert "HTTPBearer" in schema["components"]["securitySchemes"]
    ack = schema["paths"]["/api/alarms/{alarm_id}/acknowledge"]["post"]
    assert ack["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/AlarmOut"
    )
    assert "409" in ack["responses"]


def test_the_alarm_log_lists_the_most_recently_changed_first_cleared_included(
    env: tuple[TestClient, Rig, dict[str, str]],
) -> None:
    client, rig, headers = env

    async def night_shift() -> None:
        await rig.alarms.raise_alarm(V, "log-old", "k", Severity.CRITICAL, "old", ts=1_000.0)
        await rig.alarms.raise_alarm(V, "log-new", "k", Severity.INFO, "new", ts=2_000.0)
        await rig.alarms.clear(V, "log-old", "k", ts=3_000.0)
        old = rig.alarms.find(V, "log-old", "k")
        assert old is not None
        await rig.alarms.acknowledge(old.alarm_id, "olga", "door was propped open")

    client.portal.call(night_shift)  # type: ignore[union-attr]
    params = {"venue": V, "state": "all", "order": "recent"}
    log = client.get("/api/alarms", params=params, headers=headers).json()["items"]
    ours = [a for a in log if a["source"].startswith("log-")]
    assert [(a["source"], a["state"]) for a in ours] == [
        ("log-old", "cleared"),  # the critical one, changed last
        ("log-new", "raised"),
    ]
    triage = client.get("/api/alarms", params={"venue": V}, headers=headers).json()["items"]
    assert "log-old" not in [a["source"] for a in triage]  # cleared and acknowledged: closed
    assert ours[0]["acknowledged_by"] == "olga"
    bad = client.get("/api/alarms", params={"order": "oldest"}, headers=headers)
    assert bad.status_code == 422 and "order" in bad.text


def test_the_mesh_comes_at_a_level_of_detail_the_server_picks_unless_asked(
    env: tuple[TestClient, Rig, dict[str, str]],
) -> None:
    client, _, headers = env
    auto = client.get(f"/api/venues/{V}/mesh.glb", headers=headers)
    assert auto.status_code == 200 and auto.headers["content-type"] == "model/gltf-binary"
    assert auto.headers["x-mesh-lod"] == "0"  # a small procedural venue: full detail
    asked = client.get(f"/api/venues/{V}/mesh.glb", params={"lod": 2}, headers=headers)
    assert asked.headers["x-mesh-lod"] == "2"


def test_an_action_the_state_does_not_allow_is_a_409_with_the_reason(
    env: tuple[TestClient, Rig, dict[str, str]],
) -> None:
    client, rig, headers = env

    async def raise_one() -> str:
        a = await rig.alarms.raise_alarm(V, "s-409", "k", Severity.WARNING, "m", ts=200.0)
        return a.alarm_id

    async def request_one() -> str:
        rec = await rig.commands.request(
            V, "door", "close", origin="rule:r", require_confirmation=True
        )
        return rec.command_id

    alarm_id = client.portal.call(raise_one)  # type: ignore[union-attr]
    ack = f"/api/alarms/{alarm_id}/acknowledge"
    assert client.post(ack, headers=headers).status_code == 200
    again = client.post(ack, headers=headers)
    assert again.status_code == 409 and "cannot acknowledge" in again.text, again.text
    command_id = client.portal.call(request_one)  # type: ignore[union-attr]
    assert client.post(f"/api/commands/{command_id}/reject", headers=headers).status_code == 200
    late = client.post(f"/api/commands/{command_id}/confirm", headers=headers)
    assert late.status_code == 409 and "cannot confirm" in late.text, late.text


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/api/venues/atlantis", None),
        ("GET", "/api/venues/atlantis/state", None),
        ("GET", "/api/venues/atlantis/analytics", None),
        ("GET", "/api/venues/atlantis/mesh.glb", None),
        ("GET", "/api/venues/atlantis/sensors/t1/history?start=0&end=10", None),
        ("GET", "/api/venues/atlantis/report?start=0&end=10", None),
        ("GET", "/api/venues/atlantis/device-health", None),
        ("PUT", "/api/venues/atlantis/sensors/t1/placement", {"position": [0, 0, 0]}),
        ("POST", "/api/replay", {"venue": "atlantis", "start": 0, "end": 10}),
    ],
)
def test_every_route_that_takes_a_venue_answers_an_unknown_one_with_a_404_naming_it(
    env: tuple[TestClient, Rig, dict[str, str]],
    method: str,
    url: str,
    body: dict[str, object] | None,
) -> None:
    c, _rig, auth = env
    res = c.request(method, url, json=body, headers=auth)
    assert res.status_code == 404, res.text
    assert res.json()["detail"] == "no venue 'atlantis'"
