"""IFC import: a small building made with ifcopenshell's API becomes a venue.

The building is in millimetres (so unit conversion is exercised): a floor
slab, four walls, a rectangular entrance space, an L-shaped gallery raised
0.5 m with a NetFloorArea quantity, and sensors of known and unknown kinds,
one of them in the L's notch (inside its convex hull, outside the room).
"""

# ruff: noqa: E402  (the extra is checked before it is imported)
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.extras import require_extra

require_extra("ifcopenshell", "ifcopenshell", "bim")
require_extra("shapely", "shapely", "bim")

import ifcopenshell
import ifcopenshell.api.aggregate
import ifcopenshell.api.root

from tests.unit.twin.ifc_models import SCHEMAS, Builder
from twin.bim.importer import IfcImportError, import_ifc
from twin.geometry.mesh_import import import_venue_mesh
from twin.geometry.polygons import points_in_polygon, polygon_signed_area
from twin.loader import load_venue
from twin.venue import SensorKind
from twin.venue_writer import write_venue_yaml

L_PROFILE = [(0.0, 0.0), (8.0, 0.0), (8.0, 3.0), (3.0, 3.0), (3.0, 7.0), (0.0, 7.0)]
GALLERY_ORIGIN = (6.0, 0.0, 0.5)
GALLERY_WORLD = {(x + 6.0, y) for x, y in L_PROFILE}


def _wing(path: Path, schema: str = "IFC4") -> Path:
    b = Builder(schema)
    b.extrusion("IfcSlab", "Slab", [(0, 0), (14, 0), (14, 7), (0, 7)], 0.2, (0, 0, -0.2))
    b.wall("South", 14.0, (0, -0.2, 0), 0.0)
    b.wall("East", 7.0, (14.2, 0, 0), np.pi / 2)
    b.wall("North", 14.0, (14, 7.2, 0), np.pi)
    b.wall("West", 7.0, (-0.2, 7, 0), -np.pi / 2)
    b.extrusion("IfcSpace", "E01", [(0, 0), (6, 0), (6, 5), (0, 5)], 3.5, (0, 0, 0))
    gallery = b.extrusion("IfcSpace", "G01", L_PROFILE, 3.0, GALLERY_ORIGIN)
    gallery.LongName = "Long gallery"
    b.qto(gallery, "Qto_SpaceBaseQuantities", {"NetFloorArea": 35.2})
    b.sensor("Gallery temp", "TEMPERATURESENSOR", (7.5, 5.0, 2.0))
    b.sensor("Entrance RH", "HUMIDITYSENSOR", (3.0, 2.0, 1.5))
    b.sensor("Gallery UV", "USERDEFINED", (12.0, 1.5, 2.0), object_type="uv")
    b.sensor("Notch CO2", "CO2SENSOR", (12.0, 5.0, 1.5))
    b.sensor("Smoke", "SMOKESENSOR", (3.0, 3.0, 3.0))
    b.model.write(str(path))
    return path


@pytest.fixture(scope="module", params=SCHEMAS)
def wing_ifc(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """The wing in each schema: every test below runs on IFC2X3, IFC4 and IFC4X3."""
    return _wing(tmp_path_factory.mktemp("ifc") / "wing.ifc", request.param)


def test_spaces_become_zones_with_their_footprints(wing_ifc: Path, tmp_path: Path) -> None:
    result = import_ifc(wing_ifc, tmp_path / "wing.glb")
    venue = result.venue
    assert venue.id == "wing"  # the building has no name, the site a placeholder one
    assert [z.id for z in venue.zones] == ["e01", "g01"]
    entrance, gallery = venue.zones
    assert entrance.name == "E01"
    assert gallery.name == "Long gallery"
    # The L keeps its six corners: no convex hull, no collinear tessellation points.
    assert {(round(x, 6), round(y, 6)) for x, y in gallery.floor} == GALLERY_WORLD
    assert len(gallery.floor) == 6
    assert polygon_signed_area(gallery.floor) > 0
    assert not points_in_polygon([[12.0, 5.0]], gallery.floor)[0]
    assert gallery.area_m2 == pytest.approx(36.0)
    assert gallery.level == pytest.approx(0.5)
    assert gallery.height == pytest.approx(3.0)
    assert entrance.area_m2 == pytest.approx(30.0)
    assert entrance.level == pytest.approx(0.0)
    assert entrance.height == pytest.approx(3.5)


def test_space_report_gives_polygon_and_quantity_areas(wing_ifc: Path, tmp_path: Path) -> None:
    spaces = {s.zone_id: s for s in import_ifc(wing_ifc, tmp_path / "wing.glb").spaces}
    assert spaces["g01"].polygon_area_m2 == pytest.approx(36.0)
    assert spaces["g01"].net_floor_area_m2 == pytest.approx(35.2)
    assert spaces["e01"].net_floor_area_m2 is None
    assert spaces["g01"].holes_dropped == 0
    assert spaces["g01"].pieces_dropped == 0


def test_sensors_get_kinds_positions_in_metres_and_zones(wing_ifc: Path, tmp_path: Path) -> None:
    result = import_ifc(wing_ifc, tmp_path / "wing.glb")
    sensors = {s.id: s for s in result.venue.sensors}
    assert set(sensors) == {"gallery-temp", "entrance-rh", "gallery-uv"}
    assert sensors["gallery-temp"].kind is SensorKind.TEMPERATURE
    assert sensors["gallery-temp"].zone == "g01"
    assert sensors["gallery-temp"].position == pytest.approx((7.5, 5.0, 2.0))
    assert sensors["entrance-rh"].kind is SensorKind.HUMIDITY
    assert sensors["entrance-rh"].zone == "e01"
    assert sensors["gallery-uv"].kind is SensorKind.UV
    skipped = {s.name: s.reason for s in result.skipped_sensors}
    assert set(skipped) == {"Notch CO2", "Smoke"}
    assert "in no zone" in skipped["Notch CO2"]
    assert "SMOKESENSOR" in skipped["Smoke"]


def test_mesh_holds_the_physical_products_in_metres(wing_ifc: Path, tmp_path: Path) -> None:
    result = import_ifc(wing_ifc, tmp_path / "wing.glb")
    assert result.meshed_products == 5  # slab and four walls; spaces are not surfaces
    assert not result.without_mesh
    lo, hi = result.mesh.bounds
    assert lo == pytest.approx([-0.2, -0.2, -0.2])
    assert hi == pytest.approx([14.2, 7.2, 4.0])


@pytest.mark.parametrize("suffix", [".glb", ".ply"])
def test_written_venue_file_loads_with_its_mesh(
    wing_ifc: Path, tmp_path: Path, suffix: str
) -> None:
    result = import_ifc(wing_ifc, tmp_path / "meshes" / f"wing{suffix}", venue_dir=tmp_path)
    path = write_venue_yaml(result.venue, tmp_path / "wing.yaml")
    loaded = load_venue(path)
    assert loaded.mesh.file == f"meshes/wing{suffix}"
    assert [z.floor for z in loaded.zones] == [z.floor for z in result.venue.zones]
    assert loaded.sensors == result.venue.sensors
    mesh = import_venue_mesh(loaded).mesh
    assert mesh.bounds == pytest.approx(result.mesh.bounds, abs=1e-5)


def test_ids_from_global_ids_are_valid_venue_ids(wing_ifc: Path, tmp_path: Path) -> None:
    model = ifcopenshell.open(str(wing_ifc))
    guids = {s.GlobalId.replace("$", "-") for s in model.by_type("IfcSpace")}
    result = import_ifc(wing_ifc, tmp_path / "wing.glb", id_source="guid")
    assert {z.id for z in result.venue.zones} == guids


def test_duplicate_names_get_distinct_ids(tmp_path: Path) -> None:
    b = Builder()
    b.extrusion("IfcSpace", "Gallery", [(0, 0), (4, 0), (4, 4), (0, 4)], 3.0, (0, 0, 0))
    b.extrusion("IfcSpace", "Gallery", [(0, 0), (4, 0), (4, 4), (0, 4)], 3.0, (4, 0, 0))
    b.extrusion("IfcSlab", "Slab", [(0, 0), (8, 0), (8, 4), (0, 4)], 0.2, (0, 0, -0.2))
    b.model.write(str(tmp_path / "twins.ifc"))
    result = import_ifc(tmp_path / "twins.ifc", tmp_path / "twins.glb")
    assert [z.id for z in result.venue.zones] == ["gallery", "gallery-2"]


def test_file_without_spaces_is_refused(tmp_path: Path) -> None:
    b = Builder()
    b.extrusion("IfcSlab", "Slab", [(0, 0), (8, 0), (8, 4), (0, 4)], 0.2, (0, 0, -0.2))
    b.model.write(str(tmp_path / "slab.ifc"))
    with pytest.raises(IfcImportError, match="no IfcSpace"):
        import_ifc(tmp_path / "slab.ifc", tmp_path / "slab.glb")


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(IfcImportError, match="not found"):
        import_ifc(tmp_path / "missing.ifc", tmp_path / "m.glb")
    junk = tmp_path / "junk.ifc"
    junk.write_text("this is not STEP")
    with pytest.raises(IfcImportError, match="cannot read as IFC"):
        import_ifc(junk, tmp_path / "m.glb")


def test_space_without_body_is_reported_and_items_without_geometry_counted(
    tmp_path: Path,
) -> None:
    b = Builder("IFC2X3")
    b.extrusion("IfcSlab", "Slab", [(0, 0), (8, 0), (8, 4), (0, 4)], 0.2, (0, 0, -0.2))
    b.extrusion("IfcSpace", "Room", [(0, 0), (4, 0), (4, 4), (0, 4)], 3.0, (0, 0, 0))
    ghost = ifcopenshell.api.root.create_entity(b.model, ifc_class="IfcSpace", name="Ghost")
    ifcopenshell.api.aggregate.assign_object(b.model, relating_object=b.storey, products=[ghost])
    for i in range(3):  # analytical items: a representation with nothing in it
        proxy = ifcopenshell.api.root.create_entity(
            b.model, ifc_class="IfcBuildingElementProxy", name=f"Axis {i}"
        )
        empty = b.model.create_entity(
            "IfcShapeRepresentation",
            ContextOfItems=b.body,
            RepresentationIdentifier="Body",
            RepresentationType="SweptSolid",
            Items=[],
        )
        proxy.Representation = b.model.create_entity(
            "IfcProductDefinitionShape", Representations=[empty]
        )
    b.model.write(str(tmp_path / "ghost.ifc"))
    result = import_ifc(tmp_path / "ghost.ifc", tmp_path / "ghost.glb")
    assert [z.id for z in result.venue.zones] == ["room"]
    ghosts = [f for f in result.venue.findings if f.kind == "space_without_geometry"]
    assert [f.subject for f in ghosts] == [ghost.GlobalId]
    assert result.without_mesh == {"IfcBuildingElementProxy": 3}
