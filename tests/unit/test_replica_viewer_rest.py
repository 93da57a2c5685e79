"""A mirror viewer's REST answers when the twin is slow, gone, or not heard from yet."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ingest.contract import Topics
from ingest.mqtt_settings import MqttSettings
from tests.unit.test_viewer_support import PASSWORDS, V, app_of, make_rig
from twin.alarms import Alarm, AlarmState, Severity
from twin.replica import ActionTimeout, TwinUnreachable
from twin.replica.codec import ActionKind, ActionReply
from viewer.mirror_client import MirrorClient
from viewer.mirror_gate import WAITING, MirrorGate
from viewer.mirror_views import MirrorAlarms

ALARM = Alarm("a1", V, "s", "k", Severity.WARNING, AlarmState.RAISED, "m", 1.0, 1, True, 1.0, 1.0)


class Failing:
    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    async def forward(
        self,
        venue: str,
        kind: ActionKind,
        target_id: str,
        user: str,
        *,
        note: str = "",
        duration_s: float | None = None,
    ) -> ActionReply:
        raise self.exc


def _client(tmp_path: Path, alarms: MirrorAlarms, ready: bool = True) -> tuple[TestClient, str]:
    rig = make_rig(tmp_path)
    rig.ctx.alarms = alarms
    app = app_of(rig)
    app.add_middleware(MirrorGate, ready=lambda _v: ready, venues=[V])
    client = TestClient(app)
    res = client.post(
        "/api/auth/login", json={"username": "olga", "password": PASSWORDS["olga"][1]}
    )
    return client, res.json()["token"]


def test_a_twin_that_does_not_answer_is_504_and_one_that_is_gone_is_503(tmp_path: Path) -> None:
    for exc, status in (
        (ActionTimeout("the twin did not answer within 10 s"), 504),
        (TwinUnreachable("the viewer is not connected to the broker"), 503),
    ):
        alarms = MirrorAlarms(Failing(exc))
        alarms.update(ALARM)
        client, token = _client(tmp_path / str(status), alarms)
        res = client.post(
            "/api/alarms/a1/acknowledge", headers={"Authorization": f"Bearer {token}"}
        )
        assert (res.status_code, res.json()["detail"]) == (status, str(exc))


async def test_an_unconnected_mirror_refuses_actions_as_unreachable() -> None:
    client = MirrorClient(MqttSettings(), Topics(), [V], client_id="viewer-x")
    with pytest.raises(TwinUnreachable, match="not connected to the broker"):
        await client.forward(V, "acknowledge", "a1", "olga")


def test_state_endpoints_wait_for_the_first_snapshot(tmp_path: Path) -> None:
    client, token = _client(tmp_path, MirrorAlarms(Failing(RuntimeError())), ready=False)
    auth = {"Authorization": f"Bearer {token}"}
    for path in (f"/api/venues/{V}/state", f"/api/venues/{V}/analytics", "/api/alarms"):
        res = client.get(path, headers=auth)
        assert (res.status_code, res.json()["detail"]) == (503, WAITING), path
    # The venue list, the mesh and health do not depend on the twin's state.
    assert client.get("/api/venues", headers=auth).status_code == 200
    assert client.get("/api/health", headers=auth).status_code == 200
