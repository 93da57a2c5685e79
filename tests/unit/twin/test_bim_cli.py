"""``venue-twin import-ifc`` as a user runs it: what it prints and writes."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("ifcopenshell")
pytest.importorskip("shapely")

from tests.unit.twin.test_bim_gates import _building
from twin.loader import load_venue
from venue_twin.cli import main


def test_error_names_the_file_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.ifc"
    junk.write_text("this is not STEP")
    assert main(["import-ifc", str(junk), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "cannot read as IFC" in err
    assert err.count(str(junk)) == 1


def test_import_prints_storeys_areas_findings_and_writes_a_live_venue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ifc = _building(tmp_path / "house.ifc", "IFC2X3")
    out = tmp_path / "venues"
    assert main(["import-ifc", str(ifc), "--out", str(out), "--suggest-sensors"]) == 0
    err = capsys.readouterr().err
    assert "(IFC2X3)" in err
    assert "storey Ground at 0.00 m: 3 zones" in err
    assert "BaseQuantities.NetFloorArea: wall finish" in err
    assert "door_joins_nothing" in err and "implausible_space" in err
    venue = load_venue(out / "test-house.yaml")
    assert venue.sensors and all(s.suggested for s in venue.sensors)
    assert [s.name for s in venue.storeys] == ["Ground", "Upper"]
