"""Engineers place unplaced sensors on the mesh: zone from the point, venue file
rewritten, twin updated, audit line written; others may not."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from fastapi.testclient import TestClient

from ingest.contract import Reading
from tests.unit.test_viewer_support import PASSWORDS, V, app_of, make_rig
from twin.loader import load_venue


def _login(c: TestClient, name: str) -> dict[str, str]:
    res = c.post("/api/auth/login", json={"username": name, "password": PASSWORDS[name][1]})
    return {"Authorization": f"Bearer {res.json()['token']}"}


def _venue_file(tmp: Path) -> Path:
    src = resources.files("twin") / "samples" / f"{V}.yaml"
    path = tmp / "wing.yaml"
    path.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_engineer_places_an_unplaced_sensor(tmp_path: Path) -> None:
    path = _venue_file(tmp_path)
    rig = make_rig(tmp_path, venue=load_venue(path))
    rig.twin.apply_readings([Reading(V, "0101010101010101-humidity", 1.7e9, 48.5)])
    with TestClient(app_of(rig)) as c:
        eng, viewer = _login(c, "enzo"), _login(c, "ada")
        listed = c.get(f"/api/venues/{V}/unplaced", headers=viewer).json()
        assert [u["sensor"] for u in listed] == ["0101010101010101-humidity"]
        url = f"/api/venues/{V}/sensors/0101010101010101-humidity/placement"
        body = {"position": [20.0, 10.0, 1.6], "kind": "humidity"}
        assert c.put(url, json=body, headers=viewer).status_code == 403
        res = c.put(url, json=body, headers=eng)
        assert res.status_code == 200, res.text
        assert res.json()["zone"] == "gallery-a"  # found from the point
        assert c.get(f"/api/venues/{V}/unplaced", headers=viewer).json() == []
        # Outside every zone: refused, nothing written.
        far = c.put(url, json={"position": [500.0, 500.0, 1.0]}, headers=eng)
        assert far.status_code == 422
    saved = load_venue(path).sensor_by_id["0101010101010101-humidity"]
    assert (saved.zone, saved.position, saved.kind.value) == (
        "gallery-a",
        (20.0, 10.0, 1.6),
        "humidity",
    )
    assert rig.twin.venues[V].sensor_by_id["0101010101010101-humidity"].zone == "gallery-a"
    audit = [json.loads(x) for x in (tmp_path / "wing.yaml.audit.jsonl").read_text().splitlines()]
    assert [(a["user"], a["sensor"], a["zone"], a["previous"]) for a in audit] == [
        ("enzo", "0101010101010101-humidity", "gallery-a", None)
    ]


def test_moving_a_defined_sensor_keeps_its_definition(tmp_path: Path) -> None:
    path = _venue_file(tmp_path)
    rig = make_rig(tmp_path, venue=load_venue(path))
    with TestClient(app_of(rig)) as c:
        res = c.put(
            f"/api/venues/{V}/sensors/entrance-temp/placement",
            json={"position": [30.0, 10.0, 2.0]},
            headers=_login(c, "enzo"),
        )
        assert res.status_code == 200, res.text
    moved = load_venue(path).sensor_by_id["entrance-temp"]
    assert moved.zone == "gallery-b" and moved.thresholds.high == 27.0
    audit = json.loads((tmp_path / "wing.yaml.audit.jsonl").read_text().splitlines()[0])
    assert audit["previous"] == {"zone": "entrance", "position": [4.5, 5.0, 2.2]}


def test_a_shipped_sample_cannot_be_written(tmp_path: Path) -> None:
    rig = make_rig(tmp_path)
    with TestClient(app_of(rig)) as c:
        res = c.put(
            f"/api/venues/{V}/sensors/entrance-temp/placement",
            json={"position": [30.0, 10.0, 2.0]},
            headers=_login(c, "enzo"),
        )
    assert res.status_code == 409


async def test_imported_sensors_are_listed_for_placement(tmp_path: Path) -> None:
    rig = make_rig(tmp_path)
    await rig.store.write_readings([Reading(V, "Gallery-3-Temperature", 1.7e9, 19.5)])
    await rig.store.write_readings([Reading(V, "gallery-a-temp", 1.7e9, 20.0)])  # placed
    with TestClient(app_of(rig)) as c:
        listed = c.get(f"/api/venues/{V}/unplaced", headers=_login(c, "ada")).json()
    assert [u["sensor"] for u in listed] == ["Gallery-3-Temperature"]
