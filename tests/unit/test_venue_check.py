"""``venue check`` checks what serve relies on: polygons, overlaps, the mesh, placement."""

from __future__ import annotations

from pathlib import Path

import trimesh
import yaml

from venue_twin.venue_check import check_venue_file

SQUARE = [[0, 0], [10, 0], [10, 10], [0, 10]]


def _write(tmp_path: Path, **doc: object) -> str:
    base = {"id": "v", "name": "V", "zones": [{"id": "a", "name": "A", "floor": SQUARE}]}
    base.update(doc)
    path = tmp_path / "v.yaml"
    path.write_text(yaml.safe_dump(base))
    return str(path)


def test_a_clean_procedural_venue_passes(tmp_path: Path) -> None:
    report = check_venue_file(_write(tmp_path))
    assert report.ok, report.errors
    assert report.mesh_triangles and report.mesh_triangles > 0
    assert report.floor_area_m2 == 100.0


def test_overlapping_zones_warn_and_their_floor_is_counted_once(tmp_path: Path) -> None:
    zones = [
        {"id": "a", "name": "A", "floor": SQUARE},
        {"id": "b", "name": "B", "floor": [[5, 0], [15, 0], [15, 10], [5, 10]]},
    ]
    report = check_venue_file(_write(tmp_path, zones=zones))
    assert any("a and b overlap by 50.00 m2" in w for w in report.warnings)
    assert report.floor_area_m2 == 150.0  # not 200


def test_overlap_on_different_storeys_is_fine(tmp_path: Path) -> None:
    zones = [
        {"id": "a", "name": "A", "floor": SQUARE},
        {"id": "b", "name": "B", "floor": SQUARE, "level": 4.0},
    ]
    report = check_venue_file(_write(tmp_path, zones=zones))
    assert not any("overlap" in w for w in report.warnings)


def test_self_crossing_floor_fails(tmp_path: Path) -> None:
    bowtie = [[0, 0], [10, 10], [10, 0], [0, 10]]
    report = check_venue_file(_write(tmp_path, zones=[{"id": "a", "name": "A", "floor": bowtie}]))
    assert not report.ok
    assert any("a" in e and ("not simple" in e or "cross" in e) for e in report.errors)


def test_missing_mesh_file_fails(tmp_path: Path) -> None:
    report = check_venue_file(_write(tmp_path, mesh={"file": "nowhere.glb"}))
    assert not report.ok
    assert any(e.startswith("mesh:") for e in report.errors)


def test_mesh_in_millimetres_read_as_metres_fails(tmp_path: Path) -> None:
    box = trimesh.creation.box(extents=[10_000, 10_000, 3_000])
    box.apply_translation([5_000, 5_000, 1_500])
    box.export(tmp_path / "mm.ply")
    report = check_venue_file(_write(tmp_path, mesh={"file": "mm.ply"}))
    assert any("frame.units" in e for e in report.errors)
    fixed = _write(tmp_path, mesh={"file": "mm.ply"}, frame={"units": "mm"})
    assert check_venue_file(fixed).ok


def test_misplaced_sensor_is_a_placement_warning(tmp_path: Path) -> None:
    sensors = [{"id": "t", "kind": "temperature", "zone": "a", "position": [50, 50, 2]}]
    report = check_venue_file(_write(tmp_path, sensors=sensors))
    assert any(w.startswith("sensor_outside_zones") for w in report.warnings)


def test_rooms_sharing_a_wall_with_float_noise_do_not_overlap() -> None:
    from twin.geometry.zone_checks import overlap_findings
    from twin.venue import Zone

    # Outlines as tessellation left them: the shared wall's ends differ by 2e-11 m.
    living = [(4.694999999999999, 4.01), (4.695000000019999, 0.3), (11.7, 0.3), (11.7, 4.01)]
    kitchen = [
        (0.3, 4.01),
        (0.3, 0.2999999999999998),
        (4.695000000019999, 0.2999999999999998),
        (4.694999999999999, 4.01),
    ]
    zones = [Zone(id="living", name="L", floor=living), Zone(id="kitchen", name="K", floor=kitchen)]
    assert overlap_findings(zones) == []


def test_drift_judged_against_another_environment_is_a_warning_that_says_what_to_add() -> None:
    # scenic-site: three outdoor thermometers and the enclosed pavilion's one;
    # the pavilion's drift is judged against the weather (issue 14, drift64).
    report = check_venue_file("sample:scenic-site")
    assert report.ok
    drift = [w for w in report.warnings if w.startswith("drift_judge:")]
    pavilion = [w for w in drift if "pavilion-temp (enclosed)" in w]
    assert len(pavilion) == 1
    assert "plaza-temp, lakeside-temp, platform-temp" in pavilion[0]
    assert "4 more enclosed temperature sensors, or 2 in its zone" in pavilion[0]
    # An outdoor thermometer's two outdoor neighbours outnumber the pavilion: its median.
    assert not any("plaza-temp (outdoor)" in w for w in drift)
    assert any("plaza-rh (outdoor)" in w and "1 more outdoor humidity sensor," in w for w in drift)


def test_every_drift_judge_of_an_enclosed_museum_is_its_like(tmp_path: Path) -> None:
    assert not any(
        w.startswith("drift_judge:") for w in check_venue_file("sample:museum-wing").warnings
    )
    # One hygrometer alone: its own history judges it, a note.
    sensors = [
        {"id": "t1", "kind": "humidity", "zone": "a", "position": [5, 5, 1.5]},
    ]
    report = check_venue_file(_write(tmp_path, sensors=sensors))
    assert any(
        n.startswith("drift_judge: t1 has fewer than 2 neighbours of its kind")
        for n in report.notes
    )
