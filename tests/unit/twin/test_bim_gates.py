"""IFC import of a two-storey building: storeys, gates, areas and findings, in every schema.

Ground floor (walls 0.2 m thick between rooms, so no floors touch)::

    y 7   +------------- hall H --------[D3 out]---+
          |                          [stair 8..10] |
    y 4.2 +--[D1]--------------+------[D2]---------+
    y 4   |  room A (0..5)     | room B (5.2..10)  |
    y 0   +--------------------+-------------------+

D1 is linked to A and H by space boundaries; D2 and D3 only by geometry
(D3 is marked external); D4 in A's west wall is internal and leads to no
modelled room; D5 stands in an empty field; D6 in the hall's east wall says
nothing about being external. Upper storey at 4 m: landing L
over the stair, and a "beam" exported as a space (0.2 m wide, 0.1 m high).
Room B is 6 m high: it rises through the upper storey. A pit storey at
-1.5 m has no spaces.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("ifcopenshell")
pytest.importorskip("shapely")

from tests.unit.twin.ifc_models import SCHEMAS, Builder, rect
from twin.bim.importer import IfcImport, import_ifc
from twin.loader import parse_venue
from twin.venue import GateKind, SensorKind
from twin.venue_writer import venue_yaml


def _building(path: Path, schema: str) -> Path:
    b = Builder(schema, building="Test House")
    b.add_storey("Upper", 4.0)
    b.add_storey("Pit", -1.5)
    b.extrusion("IfcSlab", "Slab", rect(0, 0, 10, 7), 0.2, (0, 0, -0.2))
    a = b.space("A", rect(0, 0, 5, 4), 3.0, long_name="Room A")
    b.space("B", rect(5.2, 0, 10, 4), 6.0, long_name="Room B")
    h = b.space("H", rect(0, 4.2, 10, 7), 3.0, long_name="Hall")
    b.space("L", rect(6, 4.2, 10, 7), 3.0, level=4.0, storey="Upper", long_name="Landing")
    b.space("Beam", rect(20, 0, 21.2, 0.2), 0.1, level=4.0, storey="Upper")
    b.qto(a, "BaseQuantities", {"NetFloorArea": 19.0})
    b.qto(h, "Qto_SpaceBaseQuantities", {"GrossFloorArea": 30.0})
    d1 = b.door("D1", (2.5, 4.1, 0.0))
    b.boundary(a, d1)
    b.boundary(h, d1)
    b.door("D2", (7.5, 4.1, 0.0), width=1.2)
    b.door("D3", (5.0, 7.1, 0.0), external=True, width=1.5)
    b.door("D4", (-0.1, 2.0, 0.0), along_x=False, external=False)
    b.door("D5", (40.0, 40.0, 0.0))
    b.door("D6", (10.1, 5.5, 0.0), along_x=False)
    b.extrusion("IfcStair", "Stair", rect(0, 0, 1.2, 2.8), 4.0, (8.5, 4.2, 0.0))
    b.model.write(str(path))
    return path


@pytest.fixture(scope="module", params=SCHEMAS)
def house(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> IfcImport:
    folder = tmp_path_factory.mktemp(f"house-{request.param}")
    ifc = _building(folder / "house.ifc", request.param)
    return import_ifc(ifc, folder / "house.glb", suggest=True)


def _kinds(result: IfcImport) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in result.venue.findings:
        out.setdefault(f.kind, []).append(f.subject)
    return out


def test_venue_is_named_after_the_building(house: IfcImport) -> None:
    assert house.venue.id == "test-house"
    assert house.venue.name == "Test House"


def test_doors_become_gates_from_boundaries_and_geometry(house: IfcImport) -> None:
    doors = {g.name: g for g in house.venue.gates if g.kind is GateKind.DOOR}
    assert set(doors) == {"D1", "D2", "D3", "D6"}
    assert {doors["D1"].from_zone, doors["D1"].to_zone} == {"a", "h"}
    assert {doors["D2"].from_zone, doors["D2"].to_zone} == {"b", "h"}
    # The exterior door is an entrance: from outside into the hall.
    assert (doors["D3"].from_zone, doors["D3"].to_zone) == (None, "h")
    assert doors["D2"].width_m == pytest.approx(1.2)
    assert doors["D3"].width_m == pytest.approx(1.5)
    assert doors["D2"].position == pytest.approx((7.5, 4.1), abs=0.01)
    sources = {d.name: d.source for d in house.doors}
    assert sources["D1"] == "IfcRelSpaceBoundary"
    assert sources["D2"] == "geometry"


def test_doors_that_join_nothing_are_reported_not_guessed(house: IfcImport) -> None:
    kinds = _kinds(house)
    by_name = {d.global_id: d.name for d in house.doors}
    assert [by_name[g] for g in kinds["door_joins_nothing"]] == ["D5"]
    assert [by_name[g] for g in kinds["door_to_unmodelled_space"]] == ["D4"]
    # D3 is marked external; D6 says nothing: an entrance too, but said to be assumed.
    assert [by_name[g] for g in kinds["entrance_assumed"]] == ["D6"]


def test_stair_joins_the_storeys_into_one_connected_building(house: IfcImport) -> None:
    stairs = [g for g in house.venue.gates if g.kind is GateKind.STAIR]
    assert [(g.from_zone, g.to_zone) for g in stairs] == [("h", "l")]
    # Only the beam (no door) is cut off; every real room is reachable.
    assert _kinds(house)["unreachable_zones"] == ["beam"]


def test_storeys_have_names_elevations_and_zones(house: IfcImport) -> None:
    storeys = {s.name: s for s in house.venue.storeys}
    assert list(storeys) == ["Ground", "Upper"]  # the empty pit is not a storey
    assert storeys["Ground"].elevation == pytest.approx(0.0)
    assert storeys["Upper"].elevation == pytest.approx(4.0)
    assert sorted(storeys["Ground"].zones) == ["a", "b", "h"]
    assert sorted(storeys["Upper"].zones) == ["beam", "l"]
    kinds = _kinds(house)
    assert kinds["multi_storey_space"] == ["b"]
    assert len(kinds["empty_storey"]) == 1


def test_areas_carry_their_source_and_capacity_uses_them(house: IfcImport) -> None:
    zones = house.venue.zone_by_id
    assert zones["a"].floor_area_m2 == pytest.approx(19.0)
    assert zones["a"].area_source == "BaseQuantities.NetFloorArea"
    assert zones["a"].usable_area_m2 == pytest.approx(19.0)
    assert zones["b"].usable_area_m2 == pytest.approx(zones["b"].area_m2)
    assert zones["b"].usable_area_source == "polygon"
    reports = {s.zone_id: s for s in house.spaces}
    assert reports["a"].area_reason is not None and "wall finish" in reports["a"].area_reason
    assert reports["h"].stated is not None and reports["h"].stated.kind == "gross"
    assert reports["h"].area_reason is not None and "gross" in reports["h"].area_reason
    assert reports["b"].area_reason is None


def test_implausible_space_is_kept_and_flagged(house: IfcImport) -> None:
    assert "beam" in house.venue.zone_by_id
    assert _kinds(house)["implausible_space"] == ["beam"]


def test_suggested_layout_covers_rooms_and_counts_every_gate_both_ways(house: IfcImport) -> None:
    v = house.venue
    assert all(s.suggested for s in v.sensors)
    climate = {(s.zone, s.kind) for s in v.sensors if s.kind is not SensorKind.GATE_COUNTER}
    for zone in ("a", "b", "h", "l"):
        for kind in (SensorKind.TEMPERATURE, SensorKind.HUMIDITY, SensorKind.CO2, SensorKind.LUX):
            assert (zone, kind) in climate
    assert not any(z == "beam" for z, _ in climate)  # too small for a room
    counters = [s for s in v.sensors if s.kind is SensorKind.GATE_COUNTER]
    assert sorted((s.gate, s.direction.value) for s in counters) == sorted(
        (g.id, d) for g in v.gates for d in ("forward", "backward")
    )


def test_written_venue_file_keeps_storeys_findings_and_gates(house: IfcImport) -> None:
    loaded = parse_venue(venue_yaml(house.venue))
    assert loaded.storeys == house.venue.storeys
    assert loaded.findings == house.venue.findings
    assert loaded.gates == house.venue.gates
    assert loaded.storey_of_zone["l"] == "upper"
