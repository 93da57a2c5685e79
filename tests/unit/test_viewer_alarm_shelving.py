"""Shelving through REST while the condition clears: the server's answer, the
alarm list and the WebSocket frames agree at every step (ISA-18.2 shelving)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.unit.test_viewer_support import Rig, V, app_of, make_rig
from tests.unit.test_viewer_ws import auth, connect, next_frame, tick
from twin.alarms import Severity


@pytest.fixture
def rig(tmp_path: Path) -> Rig:
    return make_rig(tmp_path)


@pytest.fixture
def client(rig: Rig) -> Iterator[TestClient]:
    with TestClient(app_of(rig)) as c:
        yield c


def test_a_shelved_alarm_whose_condition_clears_is_unshelved_to_normal(
    client: TestClient, rig: Rig
) -> None:
    portal = client.portal
    assert portal is not None
    alarm = portal.call(
        lambda: rig.alarms.raise_alarm(
            V, "gallery-b-temp", "threshold", Severity.CRITICAL, "120 C", value=120.0
        )
    )
    op = auth("olga", client)
    url = f"/api/alarms/{alarm.alarm_id}"
    with connect(client, "ada") as (ws, _snap):
        res = client.post(f"{url}/shelve", headers=op, json={"duration_s": 900})
        assert (res.json()["state"], res.json()["active"]) == ("shelved", True)
        tick(client, rig)
        assert next_frame(ws, "alarm")["alarm"]["state"] == "shelved"

        # The sensor reads normal again while the alarm is on the shelf.
        portal.call(lambda: rig.alarms.clear(V, "gallery-b-temp", "threshold"))
        tick(client, rig)
        seen = next_frame(ws, "alarm")["alarm"]
        assert (seen["state"], seen["active"]) == ("shelved", False)
        listed = client.get("/api/alarms", params={"venue": V}, headers=op).json()["items"]
        assert [(a["id"], a["state"], a["active"]) for a in listed] == [
            (alarm.alarm_id, "shelved", False)
        ]

        res = client.post(f"{url}/unshelve", headers=op)
        assert res.status_code == 200, res.text
        assert (res.json()["state"], res.json()["active"]) == ("cleared", False)
        tick(client, rig)
        assert next_frame(ws, "alarm")["alarm"]["state"] == "cleared"

        # A second click from a page that had not heard yet: no error, same answer.
        again = client.post(f"{url}/unshelve", headers=op)
        assert again.status_code == 200, again.text
        assert again.json()["state"] == "cleared"
    hist = client.get(f"{url}/history", headers=op).json()["items"]
    assert [(h["action"], h["state"]) for h in hist] == [
        ("raise", "raised"),
        ("shelve", "shelved"),
        ("clear", "shelved"),
        ("unshelve", "cleared"),
    ]
