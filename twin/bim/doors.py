"""IFC doors as gates between zones, or between a zone and the outside.

Which zones a door joins comes first from the file's space boundaries
(``IfcRelSpaceBoundary`` whose building element is the door) and otherwise
from geometry: points just in front of and behind the door leaf, half a
metre above its sill, are looked up in the zones. Each gate takes the door's
width (``OverallWidth``, else the long side of its footprint), the centre of
its body as position and the door's GlobalId as source. A door with a zone on
one side and none on the other is an entrance (``from_zone`` None) unless
the file marks it internal (then it leads to an unmodelled room: reported,
no gate); when the file says nothing either way, a finding says the
entrance was assumed. A door that joins nothing is reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ifcopenshell
import ifcopenshell.util.placement
import numpy as np
import shapely  # type: ignore[import-untyped,unused-ignore]

from twin.bim import schema
from twin.bim.entities import Ids, slug
from twin.bim.geometry import ProductMesh
from twin.geometry.polygons import zone_of_points
from twin.venue import Finding, Gate, GateKind, Zone

__all__ = ["DoorSides", "door_gates"]

# Probe distances from the door's centre line, metres: past the leaf and a
# thick wall with its finishes, into the room on each side.
_PROBES_M = (0.35, 0.6, 1.0)
# Probe height above the door's lowest point (its sill or threshold).
_PROBE_Z_M = 0.5


@dataclass(frozen=True, slots=True)
class DoorSides:
    """Where a door is and which zones it touches (None: outside or unmodelled)."""

    global_id: str
    name: str
    centre: tuple[float, float, float]
    width_m: float
    zones: tuple[str | None, str | None]
    source: str  # "IfcRelSpaceBoundary" or "geometry"
    external: bool | None


def _boundary_zones(
    model: ifcopenshell.file, zone_of_space: Mapping[str, str]
) -> tuple[dict[str, list[str]], dict[str, bool]]:
    """Door GlobalId -> zones its space boundaries name, and whether one is external."""
    zones: dict[str, list[str]] = {}
    external: dict[str, bool] = {}
    for rel in model.by_type("IfcRelSpaceBoundary"):
        element = rel.RelatedBuildingElement
        if element is None or not schema.is_a(element, "IfcDoor"):
            continue
        gid = str(element.GlobalId)
        space = rel.RelatingSpace
        outside = space is None or not schema.is_a(space, "IfcSpace")
        if rel.InternalOrExternalBoundary in ("EXTERNAL", "EXTERNAL_EARTH") or outside:
            external[gid] = True
        zone = zone_of_space.get(str(space.GlobalId)) if not outside else None
        if zone is not None and zone not in zones.setdefault(gid, []):
            zones[gid].append(zone)
    return zones, external


def _frame(
    door: ifcopenshell.entity_instance, mesh: ProductMesh | None, length_scale: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """Centre (3,), horizontal normal (2,) and footprint length along the leaf."""
    if mesh is not None and len(mesh.vertices):
        v = mesh.vertices
        centre = (v.min(axis=0) + v.max(axis=0)) / 2
        centre[2] = v[:, 2].min()
        rect = shapely.minimum_rotated_rectangle(shapely.MultiPoint(v[:, :2]))
        ring = np.asarray(rect.exterior.coords)[:4] if rect.geom_type == "Polygon" else None
        if ring is not None:
            edges = np.diff(np.vstack([ring, ring[:1]]), axis=0)
            lengths = np.linalg.norm(edges, axis=1)
            along = edges[int(np.argmax(lengths))] / max(float(lengths.max()), 1e-9)
            return centre, np.array([-along[1], along[0]]), float(lengths.max())
        return centre, np.array([0.0, 1.0]), 0.0
    matrix = ifcopenshell.util.placement.get_local_placement(door.ObjectPlacement)
    centre = np.asarray(matrix[:3, 3], dtype=np.float64) * length_scale
    # A door's placement X axis runs along the leaf (IFC door conventions).
    x_axis = np.asarray(matrix[:2, 0], dtype=np.float64)
    return centre, np.array([-x_axis[1], x_axis[0]]), 0.0


def _probe(zones: Sequence[Zone], centre: np.ndarray, normal: np.ndarray) -> list[str | None]:
    """The first zone met on each side of the door (index 0: +normal, 1: -normal)."""
    sides: list[str | None] = []
    for sign in (1.0, -1.0):
        pts = np.array(
            [
                [
                    centre[0] + sign * d * normal[0],
                    centre[1] + sign * d * normal[1],
                    centre[2] + _PROBE_Z_M,
                ]
                for d in _PROBES_M
            ]
        )
        hits = [z for z in zone_of_points(zones, pts) if z is not None]
        sides.append(hits[0] if hits else None)
    return sides


def door_sides(
    model: ifcopenshell.file,
    zones: Sequence[Zone],
    zone_of_space: Mapping[str, str],
    door_meshes: Mapping[str, ProductMesh],
    length_scale: float,
) -> list[DoorSides]:
    """For every door: where it is, how wide, and the zones on its two sides."""
    by_boundary, external_boundary = _boundary_zones(model, zone_of_space)
    out: list[DoorSides] = []
    for door in schema.doors(model):
        gid = str(door.GlobalId)
        mesh = door_meshes.get(gid)
        if mesh is None and door.ObjectPlacement is None:
            out.append(DoorSides(gid, str(door.Name or ""), (0, 0, 0), 0.0, (None, None), "", None))
            continue
        centre, normal, footprint = _frame(door, mesh, length_scale)
        width = float(door.OverallWidth or 0.0) * length_scale or footprint or 0.9
        flagged = schema.door_is_external(door)
        external = True if external_boundary.get(gid) else flagged
        named = by_boundary.get(gid, [])
        sides: tuple[str | None, str | None]
        if len(named) >= 2:
            sides, source = (named[0], named[1]), "IfcRelSpaceBoundary"
        elif len(named) == 1 and external:
            sides, source = (None, named[0]), "IfcRelSpaceBoundary"
        else:
            a, b = _probe(zones, centre, normal)
            if a == b:
                b = None
            if a is None:
                a, b = b, a
            sides, source = (a, b), "geometry"
            if named and named[0] not in sides:
                sides = (named[0], sides[0])
            if sides[1] is None and sides[0] is not None:
                sides = (None, sides[0])
        pos = (float(centre[0]), float(centre[1]), float(centre[2]))
        out.append(DoorSides(gid, str(door.Name or ""), pos, width, sides, source, external))
    return out


def door_gates(sides: Sequence[DoorSides]) -> tuple[list[Gate], list[Finding]]:
    """Gates for the doors that join two zones or a zone and the outside.

    A door with a zone on one side only is an entrance (``from_zone`` None)
    unless the file says it is internal: then it opens into an unmodelled
    room and is reported instead. When the file does not say, the entrance
    is an assumption, and a finding says so.
    """
    ids = Ids()
    gates: list[Gate] = []
    findings: list[Finding] = []
    for d in sides:
        a, b = d.zones
        label = d.name or d.global_id
        if a is None and b is None:
            findings.append(
                Finding(
                    kind="door_joins_nothing",
                    subject=d.global_id,
                    message=f"door {label!r} touches no zone on either side: no gate",
                )
            )
            continue
        if a is None and d.external is False:
            findings.append(
                Finding(
                    kind="door_to_unmodelled_space",
                    subject=d.global_id,
                    message=f"door {label!r} joins zone {b} and no other space, and the file "
                    "says it is internal: no gate (model the room behind it as an IfcSpace)",
                )
            )
            continue
        if a is None and d.external is None:
            findings.append(
                Finding(
                    kind="entrance_assumed",
                    subject=d.global_id,
                    message=f"door {label!r} has zone {b} on one side and no space on the "
                    "other, and the file does not say whether it is external: taken as an "
                    "entrance",
                    severity="info",
                )
            )
        wanted = slug(f"door-{a or 'outside'}-{b}")
        gates.append(
            Gate(
                id=ids.take(wanted, f"door-{len(gates) + 1}"),
                name=d.name[:120],
                from_zone=a,
                to_zone=b,
                position=(d.centre[0], d.centre[1]),
                width_m=max(d.width_m, 0.1),
                kind=GateKind.DOOR,
                source=d.global_id,
            )
        )
    return gates, findings
