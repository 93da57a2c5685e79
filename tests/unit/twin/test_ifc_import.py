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
import ifcopenshell.api.context
import ifcopenshell.api.geometry
import ifcopenshell.api.profile
import ifcopenshell.api.project
import ifcopenshell.api.pset
import ifcopenshell.api.root
import ifcopenshell.api.spatial
import ifcopenshell.api.unit

from twin.geometry import points_in_polygon, polygon_signed_area
from twin.ifc_import import IfcImportError, import_ifc, write_venue_yaml
from twin.loader import load_venue
from twin.mesh_import import import_venue_mesh
from twin.venue import SensorKind

api = ifcopenshell.api

L_PROFILE = [(0.0, 0.0), (8.0, 0.0), (8.0, 3.0), (3.0, 3.0), (3.0, 7.0), (0.0, 7.0)]
GALLERY_ORIGIN = (6.0, 0.0, 0.5)
GALLERY_WORLD = {(x + 6.0, y) for x, y in L_PROFILE}


class _Builder:
    """A millimetre IFC4 model with one storey, built through ifcopenshell.api."""

    def __init__(self) -> None:
        m = api.project.create_file(version="IFC4")
        self.model = m
        self.project = api.root.create_entity(m, ifc_class="IfcProject", name="Test Wing")
        mm = api.unit.add_si_unit(m, unit_type="LENGTHUNIT", prefix="MILLI")
        m2 = api.unit.add_si_unit(m, unit_type="AREAUNIT")
        api.unit.assign_unit(m, units=[mm, m2])
        model3d = api.context.add_context(m, context_type="Model")
        self.body = api.context.add_context(
            m,
            context_type="Model",
            context_identifier="Body",
            target_view="MODEL_VIEW",
            parent=model3d,
        )
        site = api.root.create_entity(m, ifc_class="IfcSite", name="Site")
        building = api.root.create_entity(m, ifc_class="IfcBuilding", name="Building")
        self.storey = api.root.create_entity(m, ifc_class="IfcBuildingStorey", name="Ground")
        api.aggregate.assign_object(m, relating_object=self.project, products=[site])
        api.aggregate.assign_object(m, relating_object=site, products=[building])
        api.aggregate.assign_object(m, relating_object=building, products=[self.storey])

    def place(self, element: ifcopenshell.entity_instance, xyz: tuple[float, float, float]) -> None:
        matrix = np.eye(4)
        matrix[:3, 3] = xyz
        api.geometry.edit_object_placement(self.model, product=element, matrix=matrix)

    def extrusion(
        self,
        ifc_class: str,
        name: str,
        outline: list[tuple[float, float]],
        depth: float,
        at: tuple[float, float, float],
    ) -> ifcopenshell.entity_instance:
        m = self.model
        element = api.root.create_entity(m, ifc_class=ifc_class, name=name)
        if ifc_class == "IfcSpace":
            api.aggregate.assign_object(m, relating_object=self.storey, products=[element])
        else:
            api.spatial.assign_container(m, relating_structure=self.storey, products=[element])
        profile = api.profile.add_arbitrary_profile(m, profile=[*outline, outline[0]])
        rep = api.geometry.add_profile_representation(
            m, context=self.body, profile=profile, depth=depth, cardinal_point=None
        )
        api.geometry.assign_representation(m, product=element, representation=rep)
        self.place(element, at)
        return element

    def wall(self, name: str, length: float, at: tuple[float, float, float], angle: float) -> None:
        m = self.model
        wall = api.root.create_entity(m, ifc_class="IfcWall", name=name)
        api.spatial.assign_container(m, relating_structure=self.storey, products=[wall])
        rep = api.geometry.add_wall_representation(
            m, context=self.body, length=length, height=4.0, thickness=0.2
        )
        api.geometry.assign_representation(m, product=wall, representation=rep)
        matrix = np.eye(4)
        c, s = np.cos(angle), np.sin(angle)
        matrix[:2, :2] = [[c, -s], [s, c]]
        matrix[:3, 3] = at
        api.geometry.edit_object_placement(m, product=wall, matrix=matrix)

    def sensor(
        self,
        name: str,
        predefined: str,
        at: tuple[float, float, float],
        object_type: str | None = None,
    ) -> ifcopenshell.entity_instance:
        m = self.model
        sensor = api.root.create_entity(
            m, ifc_class="IfcSensor", name=name, predefined_type=predefined
        )
        if object_type is not None:
            sensor.ObjectType = object_type
        api.spatial.assign_container(m, relating_structure=self.storey, products=[sensor])
        self.place(sensor, at)
        return sensor

    def net_floor_area(self, space: ifcopenshell.entity_instance, value: float) -> None:
        qto = api.pset.add_qto(self.model, product=space, name="Qto_SpaceBaseQuantities")
        api.pset.edit_qto(self.model, qto=qto, properties={"NetFloorArea": value})


def _wing(path: Path) -> Path:
    b = _Builder()
    b.extrusion("IfcSlab", "Slab", [(0, 0), (14, 0), (14, 7), (0, 7)], 0.2, (0, 0, -0.2))
    b.wall("South", 14.0, (0, -0.2, 0), 0.0)
    b.wall("East", 7.0, (14.2, 0, 0), np.pi / 2)
    b.wall("North", 14.0, (14, 7.2, 0), np.pi)
    b.wall("West", 7.0, (-0.2, 7, 0), -np.pi / 2)
    b.extrusion("IfcSpace", "E01", [(0, 0), (6, 0), (6, 5), (0, 5)], 3.5, (0, 0, 0))
    gallery = b.extrusion("IfcSpace", "G01", L_PROFILE, 3.0, GALLERY_ORIGIN)
    gallery.LongName = "Long gallery"
    b.net_floor_area(gallery, 35.2)
    b.sensor("Gallery temp", "TEMPERATURESENSOR", (7.5, 5.0, 2.0))
    b.sensor("Entrance RH", "HUMIDITYSENSOR", (3.0, 2.0, 1.5))
    b.sensor("Gallery UV", "USERDEFINED", (12.0, 1.5, 2.0), object_type="uv")
    b.sensor("Notch CO2", "CO2SENSOR", (12.0, 5.0, 1.5))
    b.sensor("Smoke", "SMOKESENSOR", (3.0, 3.0, 3.0))
    b.model.write(str(path))
    return path


@pytest.fixture(scope="module")
def wing_ifc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _wing(tmp_path_factory.mktemp("ifc") / "wing.ifc")


def test_spaces_become_zones_with_their_footprints(wing_ifc: Path, tmp_path: Path) -> None:
    result = import_ifc(wing_ifc, tmp_path / "wing.glb")
    venue = result.venue
    assert venue.id == "test-wing"
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
    assert result.products_without_mesh == []
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
    b = _Builder()
    b.extrusion("IfcSpace", "Gallery", [(0, 0), (4, 0), (4, 4), (0, 4)], 3.0, (0, 0, 0))
    b.extrusion("IfcSpace", "Gallery", [(0, 0), (4, 0), (4, 4), (0, 4)], 3.0, (4, 0, 0))
    b.extrusion("IfcSlab", "Slab", [(0, 0), (8, 0), (8, 4), (0, 4)], 0.2, (0, 0, -0.2))
    b.model.write(str(tmp_path / "twins.ifc"))
    result = import_ifc(tmp_path / "twins.ifc", tmp_path / "twins.glb")
    assert [z.id for z in result.venue.zones] == ["gallery", "gallery-2"]


def test_file_without_spaces_is_refused(tmp_path: Path) -> None:
    b = _Builder()
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
