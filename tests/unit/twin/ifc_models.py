"""Small IFC models built with ifcopenshell.api, in any of IFC2X3, IFC4 and IFC4X3.

Lengths are millimetres in the file (so unit conversion is always
exercised); the methods take metres, as ifcopenshell.api does. In IFC2X3 a sensor is an
``IfcDistributionControlElement`` typed by an ``IfcSensorType``, as Revit
writes them; in IFC4 and IFC4X3 an ``IfcSensor``.
"""

from __future__ import annotations

import ifcopenshell
import ifcopenshell.api.aggregate
import ifcopenshell.api.context
import ifcopenshell.api.geometry
import ifcopenshell.api.profile
import ifcopenshell.api.project
import ifcopenshell.api.pset
import ifcopenshell.api.root
import ifcopenshell.api.spatial
import ifcopenshell.api.type
import ifcopenshell.api.unit
import ifcopenshell.guid
import numpy as np

api = ifcopenshell.api

SCHEMAS = ("IFC2X3", "IFC4", "IFC4X3")
MM = 1000.0

Outline = list[tuple[float, float]]


def rect(x0: float, y0: float, x1: float, y1: float) -> Outline:
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


class Builder:
    """A millimetre model with storeys, built through ifcopenshell.api."""

    def __init__(
        self, schema: str = "IFC4", *, project: str = "Test Wing", building: str | None = None
    ) -> None:
        m = api.project.create_file(version=schema)
        self.model = m
        self.schema = schema
        if schema == "IFC2X3":
            # IFC2X3 requires an owner history on every rooted entity; the api
            # builds it from the file's first user and application.
            person = m.create_entity("IfcPerson", FamilyName="Tester")
            org = m.create_entity("IfcOrganization", Name="venue-twin tests")
            m.create_entity("IfcPersonAndOrganization", ThePerson=person, TheOrganization=org)
            m.create_entity(
                "IfcApplication",
                ApplicationDeveloper=org,
                Version="1",
                ApplicationFullName="venue-twin tests",
                ApplicationIdentifier="venue-twin-tests",
            )
        self.project = api.root.create_entity(m, ifc_class="IfcProject", name=project)
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
        self.building = api.root.create_entity(m, ifc_class="IfcBuilding", name=building)
        api.aggregate.assign_object(m, relating_object=self.project, products=[site])
        api.aggregate.assign_object(m, relating_object=site, products=[self.building])
        self.storeys: dict[str, ifcopenshell.entity_instance] = {}
        self.storey = self.add_storey("Ground", 0.0)

    def add_storey(self, name: str, elevation_m: float) -> ifcopenshell.entity_instance:
        m = self.model
        storey = api.root.create_entity(m, ifc_class="IfcBuildingStorey", name=name)
        storey.Elevation = elevation_m * MM
        api.aggregate.assign_object(m, relating_object=self.building, products=[storey])
        self.place(storey, (0.0, 0.0, elevation_m))
        self.storeys[name] = storey
        return storey

    def place(self, element: ifcopenshell.entity_instance, xyz: tuple[float, float, float]) -> None:
        matrix = np.eye(4)
        matrix[:3, 3] = xyz
        api.geometry.edit_object_placement(self.model, product=element, matrix=matrix)

    def _attach(self, element: ifcopenshell.entity_instance, storey: str | None) -> None:
        parent = self.storeys[storey] if storey else self.storey
        if element.is_a("IfcSpace"):
            api.aggregate.assign_object(self.model, relating_object=parent, products=[element])
        else:
            api.spatial.assign_container(self.model, relating_structure=parent, products=[element])

    def extrusion(
        self,
        ifc_class: str,
        name: str,
        outline: Outline,
        depth: float,
        at: tuple[float, float, float],
        *,
        storey: str | None = None,
    ) -> ifcopenshell.entity_instance:
        """``outline`` in metres relative to ``at``; ``depth`` metres up."""
        m = self.model
        element = api.root.create_entity(m, ifc_class=ifc_class, name=name)
        self._attach(element, storey)
        # The api takes metres and writes the file's unit.
        profile = api.profile.add_arbitrary_profile(m, profile=[*outline, outline[0]])
        rep = api.geometry.add_profile_representation(
            m, context=self.body, profile=profile, depth=depth, cardinal_point=None
        )
        api.geometry.assign_representation(m, product=element, representation=rep)
        self.place(element, at)
        return element

    def space(
        self,
        name: str,
        outline: Outline,
        height: float,
        *,
        level: float = 0.0,
        storey: str | None = None,
        long_name: str | None = None,
    ) -> ifcopenshell.entity_instance:
        space = self.extrusion("IfcSpace", name, outline, height, (0, 0, level), storey=storey)
        if long_name is not None:
            space.LongName = long_name
        return space

    def wall(self, name: str, length: float, at: tuple[float, float, float], angle: float) -> None:
        m = self.model
        wall = api.root.create_entity(m, ifc_class="IfcWall", name=name)
        self._attach(wall, None)
        rep = api.geometry.add_wall_representation(
            m, context=self.body, length=length, height=4.0, thickness=0.2
        )
        api.geometry.assign_representation(m, product=wall, representation=rep)
        matrix = np.eye(4)
        c, s = np.cos(angle), np.sin(angle)
        matrix[:2, :2] = [[c, -s], [s, c]]
        matrix[:3, 3] = at
        api.geometry.edit_object_placement(m, product=wall, matrix=matrix)

    def door(
        self,
        name: str,
        centre: tuple[float, float, float],
        *,
        width: float = 0.9,
        along_x: bool = True,
        external: bool | None = None,
        storey: str | None = None,
    ) -> ifcopenshell.entity_instance:
        """A door leaf 5 cm thick, 2.1 m high, centred on ``centre`` (its sill)."""
        half, t = width / 2, 0.025
        outline = rect(-half, -t, half, t) if along_x else rect(-t, -half, t, half)
        door = self.extrusion("IfcDoor", name, outline, 2.1, centre, storey=storey)
        door.OverallWidth = width * MM
        door.OverallHeight = 2.1 * MM
        if external is not None:
            self.pset(door, "Pset_DoorCommon", {"IsExternal": external})
        return door

    def boundary(
        self,
        space: ifcopenshell.entity_instance,
        element: ifcopenshell.entity_instance,
        *,
        external: bool = False,
    ) -> None:
        """An ``IfcRelSpaceBoundary`` between ``space`` and ``element``."""
        self.model.create_entity(
            "IfcRelSpaceBoundary",
            GlobalId=ifcopenshell.guid.new(),
            RelatingSpace=space,
            RelatedBuildingElement=element,
            PhysicalOrVirtualBoundary="PHYSICAL",
            InternalOrExternalBoundary="EXTERNAL" if external else "INTERNAL",
        )

    def sensor(
        self,
        name: str,
        predefined: str,
        at: tuple[float, float, float],
        object_type: str | None = None,
    ) -> ifcopenshell.entity_instance:
        m = self.model
        if self.schema == "IFC2X3":
            sensor = api.root.create_entity(m, ifc_class="IfcDistributionControlElement", name=name)
            sensor_type = api.root.create_entity(
                m, ifc_class="IfcSensorType", name=f"{name} type", predefined_type=predefined
            )
            if object_type is not None:
                sensor_type.ElementType = object_type
            api.type.assign_type(m, related_objects=[sensor], relating_type=sensor_type)
        else:
            sensor = api.root.create_entity(
                m, ifc_class="IfcSensor", name=name, predefined_type=predefined
            )
            if object_type is not None:
                sensor.ObjectType = object_type
        self._attach(sensor, None)
        self.place(sensor, at)
        return sensor

    def pset(
        self, element: ifcopenshell.entity_instance, name: str, props: dict[str, object]
    ) -> None:
        pset = api.pset.add_pset(self.model, product=element, name=name)
        api.pset.edit_pset(self.model, pset=pset, properties=props)

    def qto(
        self, element: ifcopenshell.entity_instance, name: str, props: dict[str, float]
    ) -> None:
        qto = api.pset.add_qto(self.model, product=element, name=name)
        api.pset.edit_qto(self.model, qto=qto, properties=props)
