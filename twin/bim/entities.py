"""IFC sensors as sensor definitions, and the ids the importer hands out.

Identifiers: venue ids allow ``[A-Za-z0-9_.-]``, IFC GlobalIds use the
base-64 alphabet ``0-9A-Za-z_$``. A GlobalId becomes an id with ``$``
replaced by ``-`` (a character the alphabet lacks, so the mapping stays
one-to-one); a name becomes a lower-case slug, made unique with a suffix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import ifcopenshell
import ifcopenshell.util.element
import ifcopenshell.util.placement
import ifcopenshell.util.unit
import numpy as np

from twin.bim import schema
from twin.geometry.polygons import zone_of_points
from twin.venue import SensorDef, SensorKind, Zone

__all__ = [
    "SENSOR_KINDS",
    "IdSource",
    "Ids",
    "SkippedSensor",
    "guid_id",
    "ident",
    "sensor_defs",
    "slug",
]

IdSource = Literal["name", "guid"]

# IfcSensorTypeEnum values the twin has a sensor kind for. USERDEFINED sensors
# are matched on their ObjectType instead (e.g. "uv", "vibration").
SENSOR_KINDS: dict[str, SensorKind] = {
    "TEMPERATURESENSOR": SensorKind.TEMPERATURE,
    "HUMIDITYSENSOR": SensorKind.HUMIDITY,
    "CO2SENSOR": SensorKind.CO2,
    "LIGHTSENSOR": SensorKind.LUX,
}

_MAX_ID = 64


def slug(text: str) -> str:
    """``"Gallery A (north)"`` -> ``"gallery-a-north"``; empty when nothing is left."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:_MAX_ID].rstrip("-")


def guid_id(global_id: str) -> str:
    """A GlobalId as a venue identifier (``$`` -> ``-``)."""
    return global_id.replace("$", "-")


class Ids:
    """Hands out unique identifiers: the second ``gallery`` becomes ``gallery-2``."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def take(self, wanted: str, fallback: str) -> str:
        base = wanted or fallback
        candidate, n = base, 1
        while candidate in self._used:
            n += 1
            suffix = f"-{n}"
            candidate = base[: _MAX_ID - len(suffix)] + suffix
        self._used.add(candidate)
        return candidate


def ident(element: ifcopenshell.entity_instance, source: IdSource, ids: Ids) -> str:
    gid = guid_id(str(element.GlobalId))
    if source == "guid":
        return ids.take(gid, gid)
    return ids.take(slug(str(element.Name or "")), gid)


@dataclass(frozen=True, slots=True)
class SkippedSensor:
    """An ``IfcSensor`` that did not become a sensor definition, and why."""

    global_id: str
    name: str
    reason: str


def _kind(sensor: ifcopenshell.entity_instance) -> SensorKind | None:
    """The twin kind of a sensor from its (or its type's) PredefinedType.

    For USERDEFINED sensors ifcopenshell returns the ObjectType (or the type's
    ElementType) instead, which may name a twin kind directly (``uv``).
    """
    predefined = str(ifcopenshell.util.element.get_predefined_type(sensor) or "")
    if predefined in SENSOR_KINDS:
        return SENSOR_KINDS[predefined]
    try:
        return SensorKind(predefined.strip().lower())
    except ValueError:
        return None


def _position(sensor: ifcopenshell.entity_instance, length_scale: float) -> np.ndarray:
    matrix = ifcopenshell.util.placement.get_local_placement(sensor.ObjectPlacement)
    return np.asarray(matrix[:3, 3], dtype=np.float64) * length_scale


def sensor_defs(
    model: ifcopenshell.file, zones: Iterable[Zone], id_source: IdSource = "name"
) -> tuple[list[SensorDef], list[SkippedSensor]]:
    """A sensor definition per sensor of a known kind that lies in a zone.

    Sensors are ``IfcSensor`` (IFC4, IFC4X3) or, in IFC2X3, control elements
    typed by an ``IfcSensorType`` (see :func:`twin.bim.schema.sensors`).

    The position is the origin of the sensor's placement (in metres); the
    zone is the one containing it. Sensors of another kind, without a
    placement or outside every zone are returned as skipped, with the reason.
    """
    zone_list = list(zones)
    length_scale = ifcopenshell.util.unit.calculate_unit_scale(model)
    ids = Ids()
    defs: list[SensorDef] = []
    skipped: list[SkippedSensor] = []
    for sensor in schema.sensors(model):
        gid, name = str(sensor.GlobalId), str(sensor.Name or "")
        kind = _kind(sensor)
        if kind is None:
            predefined = ifcopenshell.util.element.get_predefined_type(sensor)
            skipped.append(SkippedSensor(gid, name, f"no twin sensor kind for {predefined}"))
            continue
        if sensor.ObjectPlacement is None:
            skipped.append(SkippedSensor(gid, name, "no placement"))
            continue
        position = _position(sensor, length_scale)
        (zone_id,) = zone_of_points(zone_list, position.reshape(1, 3))
        if zone_id is None:
            where = ", ".join(f"{c:.2f}" for c in position)
            skipped.append(SkippedSensor(gid, name, f"position ({where}) is in no zone"))
            continue
        defs.append(
            SensorDef(
                id=ident(sensor, id_source, ids),
                kind=kind,
                zone=zone_id,
                position=(float(position[0]), float(position[1]), float(position[2])),
            )
        )
    return defs, skipped
