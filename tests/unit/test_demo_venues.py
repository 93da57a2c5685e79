"""The demo comes alive with any venue: IFC files are imported, empty venues get sensors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from simulators.simulator import VenueSimulator
from twin.loader import load_venue
from venue_twin.demo_venues import prepare_demo_venues

SQUARE = [[0, 0], [10, 0], [10, 10], [0, 10]]


def _console() -> Console:
    return Console(file=io.StringIO(), width=200)


def test_a_venue_without_sensors_runs_with_suggested_ones(tmp_path: Path) -> None:
    src = tmp_path / "site" / "empty.yaml"
    src.parent.mkdir()
    (src.parent / "hall.ply").write_text("")  # only its path matters here
    doc = {
        "id": "empty",
        "name": "Empty",
        "mesh": {"file": "hall.ply"},
        "zones": [{"id": "hall", "name": "Hall", "floor": SQUARE}],
        "gates": [{"id": "door", "from_zone": None, "to_zone": "hall", "position": [5, 0]}],
    }
    src.write_text(yaml.safe_dump(doc))
    (ref,) = prepare_demo_venues([str(src)], tmp_path / "data", _console())
    assert Path(ref) != src
    venue = load_venue(ref)
    assert venue.sensors and all(s.suggested for s in venue.sensors)
    # The copy lives elsewhere, so its mesh path points back at the original.
    assert Path(venue.mesh.file or "") == (src.parent / "hall.ply").resolve()
    sim = VenueSimulator(venue, seed=1, start=1_732_525_200.0)
    assert sim.step(60.0)  # readings, not silence


def test_a_venue_with_sensors_is_used_as_it_is(tmp_path: Path) -> None:
    assert prepare_demo_venues(["sample:museum-wing"], tmp_path, _console()) == [
        "sample:museum-wing"
    ]


def test_an_ifc_file_is_imported_with_suggested_sensors(tmp_path: Path) -> None:
    pytest.importorskip("ifcopenshell")
    from tests.unit.twin.test_bim_gates import _building

    ifc = _building(tmp_path / "house.ifc", "IFC4")
    (ref,) = prepare_demo_venues([str(ifc)], tmp_path / "data", _console())
    venue = load_venue(ref)
    assert venue.id == "test-house"
    assert any(s.suggested for s in venue.sensors)
    assert len(venue.storeys) == 2
    # The simulator runs the imported building: every suggested sensor reports.
    sim = VenueSimulator(venue, seed=3, start=1_732_525_200.0 + 6 * 3600)
    reported = {r.sensor for _ in range(30) for r in sim.step(20.0)}
    assert reported == {s.id for s in venue.sensors}


def test_simulate_refuses_a_venue_without_sensors_and_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from venue_twin.cli import main

    src = tmp_path / "empty.yaml"
    src.write_text(
        yaml.safe_dump(
            {"id": "empty", "name": "E", "zones": [{"id": "hall", "name": "Hall", "floor": SQUARE}]}
        )
    )
    assert main(["simulate", "--venue", str(src), "--port", "1"]) == 2
    assert "--suggest-sensors" in capsys.readouterr().err
