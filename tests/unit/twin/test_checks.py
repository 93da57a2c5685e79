"""Placement findings: misplaced sensors are reported, never moved."""

from __future__ import annotations

from typing import Any

import pytest

from twin.geometry.checks import FindingKind, check_venue, snap_to_mesh
from twin.geometry.meshgen import procedural_mesh
from twin.loader import load_sample
from twin.venue import Venue


def _with(venue: Venue, **changes: Any) -> Venue:
    return Venue.model_validate({**venue.model_dump(), **changes})


def _plus_sensor(venue: Venue, sid: str, zone: str, position: list[float]) -> Venue:
    sensors = [s.model_dump() for s in venue.sensors]
    return _with(venue, sensors=[*sensors, _sensor(sid, zone, position)])


def _sensor(sid: str, zone: str, position: list[float]) -> dict[str, Any]:
    return {"id": sid, "kind": "temperature", "zone": zone, "position": position}


@pytest.mark.parametrize("name", ["museum-wing", "scenic-site"])
def test_shipped_samples_have_no_findings(name: str) -> None:
    venue = load_sample(name)
    assert check_venue(venue, procedural_mesh(venue)) == []


def test_snap_distance_to_floor() -> None:
    venue = load_sample("museum-wing")
    mesh = procedural_mesh(venue)
    snap = snap_to_mesh(mesh, [(6.0, 5.0, 1.5), (6.0, 5.0, 0.0)])
    assert snap.distance.tolist() == pytest.approx([1.5, 0.0])
    assert snap.points[0].tolist() == pytest.approx([6.0, 5.0, 0.0])


def test_sensor_far_from_mesh_is_reported_with_a_suggestion_not_moved() -> None:
    museum = load_sample("museum-wing")
    # 2.5 mm in a metre frame: a unit mistake puts the sensor 30 m up.
    venue = _plus_sensor(museum, "lost", "entrance", [4.5, 5.0, 30.0])
    mesh = procedural_mesh(venue)
    findings = check_venue(venue, mesh, tolerance_m=5.0)
    off = [f for f in findings if f.kind is FindingKind.SENSOR_OFF_MESH]
    assert [f.subject for f in off] == ["lost"]
    assert off[0].distance_m is not None and off[0].distance_m > 20
    assert off[0].suggested_position is not None
    assert venue.sensor_by_id["lost"].position == (4.5, 5.0, 30.0)
    # Also outside the zone's height: reported as outside every zone.
    assert FindingKind.SENSOR_OUTSIDE_ZONES in {f.kind for f in findings}


def test_tolerance_decides_what_is_off_mesh() -> None:
    museum = load_sample("museum-wing")
    venue = _plus_sensor(museum, "high", "entrance", [6.0, 5.0, 3.0])
    mesh = procedural_mesh(venue)
    assert check_venue(venue, mesh, tolerance_m=3.5) == []
    strict = [(f.kind, f.subject) for f in check_venue(venue, mesh, tolerance_m=2.5)]
    assert strict == [(FindingKind.SENSOR_OFF_MESH, "high")]


def test_sensor_outside_every_zone() -> None:
    museum = load_sample("museum-wing")
    venue = _plus_sensor(museum, "yard", "entrance", [-5.0, -5.0, 1.0])
    findings = check_venue(venue)
    assert [(f.kind, f.subject) for f in findings] == [(FindingKind.SENSOR_OUTSIDE_ZONES, "yard")]


def test_sensor_in_another_zone_than_declared() -> None:
    museum = load_sample("museum-wing")
    venue = _plus_sensor(museum, "stray", "entrance", [20.0, 10.0, 1.0])
    findings = check_venue(venue)
    assert [(f.kind, f.subject) for f in findings] == [
        (FindingKind.SENSOR_OUTSIDE_OWN_ZONE, "stray")
    ]
    assert "gallery-a" in findings[0].message


def test_gate_away_from_any_wall_is_reported() -> None:
    museum = load_sample("museum-wing")
    gates = [g.model_dump() for g in museum.gates]
    gates[0]["position"] = [6.0, 5.0]  # middle of the entrance hall
    venue = _with(museum, gates=gates)
    findings = check_venue(venue)
    assert [(f.kind, f.subject) for f in findings] == [(FindingKind.GATE_OFF_WALL, "main-door")]
