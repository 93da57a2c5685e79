"""IFC spaces as zones: footprint, level, storey and the file's own floor area.

A space that cannot become a zone (no body, no floor faces) is not dropped
silently: it is returned as a :class:`~twin.venue.Finding`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import ifcopenshell
import ifcopenshell.util.element
import numpy as np
import shapely  # type: ignore[import-untyped,unused-ignore]

from twin.bim import schema
from twin.bim.areas import StatedArea, area_difference_reason, stated_area
from twin.bim.entities import Ids, IdSource, ident
from twin.bim.geometry import IfcGeometryError, ProductMesh, floor_outline
from twin.venue import Finding, Zone

__all__ = ["AREA_TOLERANCE", "SpaceReport", "space_zones"]

# Differences between the outline's area and the file's own beyond this
# fraction are listed with a likely reason.
AREA_TOLERANCE = 0.02

# A face whose normal is between these cosines from straight up is a sloped
# ceiling (roof pitch), not a wall (about 0) nor a flat ceiling (about 1).
_SLOPE_COS = (0.05, 0.99)


@dataclass(frozen=True, slots=True)
class SpaceReport:
    """How one ``IfcSpace`` became a zone: both areas, and what was dropped."""

    zone_id: str
    global_id: str
    name: str
    polygon_area_m2: float
    stated: StatedArea | None
    level: float
    height: float
    holes_dropped: int
    pieces_dropped: int
    sloped_ceiling: bool
    storey_global_id: str | None
    area_reason: str | None

    @property
    def net_floor_area_m2(self) -> float | None:
        """The file's own area (net, else gross or the tool's), in m²."""
        return self.stated.value_m2 if self.stated is not None else None

    @property
    def area_difference(self) -> float | None:
        """(outline - stated) / stated, or None without a stated area."""
        if self.stated is None:
            return None
        return (self.polygon_area_m2 - self.stated.value_m2) / self.stated.value_m2


def _sloped_ceiling(body: ProductMesh) -> bool:
    tri = body.vertices[body.faces]
    normals = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    lengths = np.linalg.norm(normals, axis=1)
    ok = lengths > 0
    up = normals[ok, 2] / lengths[ok]
    lo, hi = _SLOPE_COS
    # Ignore slivers: a sloped ceiling covers a real part of the room.
    area = lengths[ok] / 2
    sloped = area[(up > lo) & (up < hi)].sum()
    return bool(sloped > 0.05 * max(area[up >= hi].sum(), 1e-9))


def _storey_of(space: ifcopenshell.entity_instance) -> ifcopenshell.entity_instance | None:
    """The storey a space belongs to, through aggregation or containment, any depth."""
    element: ifcopenshell.entity_instance | None = space
    for _ in range(8):
        if element is None:
            return None
        parent = ifcopenshell.util.element.get_aggregate(
            element
        ) or ifcopenshell.util.element.get_container(element)
        if parent is not None and schema.is_a(parent, "IfcBuildingStorey"):
            return parent
        element = parent
    return None


def space_zones(
    model: ifcopenshell.file,
    bodies: Mapping[str, ProductMesh],
    *,
    id_source: IdSource = "name",
    area_scale: float = 1.0,
) -> tuple[list[Zone], list[SpaceReport], list[Finding]]:
    """A zone per ``IfcSpace`` whose body (in ``bodies``, by GlobalId) has a floor.

    Name is LongName, else Name; the floor is the footprint of the space's
    body; level is its lowest Z and height its extent in Z. The zone carries
    the file's own area (``floor_area_m2``, ``area_source``) when it has one.
    """
    ids = Ids()
    zones: list[Zone] = []
    reports: list[SpaceReport] = []
    findings: list[Finding] = []
    for space in model.by_type("IfcSpace"):
        gid = str(space.GlobalId)
        label = str(space.LongName or space.Name or gid)
        body = bodies.get(gid)
        if body is None or not len(body.faces):
            findings.append(
                Finding(
                    kind="space_without_geometry",
                    subject=gid,
                    message=f"space {label!r} has no body geometry: not imported as a zone",
                )
            )
            continue
        try:
            outline = floor_outline(body.vertices, body.faces)
        except IfcGeometryError as exc:
            findings.append(
                Finding(
                    kind="space_without_floor",
                    subject=gid,
                    message=f"space {label!r}: {exc}: not imported as a zone",
                )
            )
            continue
        z = body.vertices[:, 2]
        level, height = float(z.min()), float(z.max() - z.min())
        zone_id = ident(space, id_source, ids)
        stated = stated_area(space, area_scale)
        sloped = _sloped_ceiling(body)
        reason = None
        if stated is not None and abs(outline.area_m2 / stated.value_m2 - 1) > AREA_TOLERANCE:
            perimeter = float(shapely.Polygon(outline.polygon).length)
            reason = area_difference_reason(
                outline.area_m2,
                stated,
                perimeter_m=perimeter,
                sloped_ceiling=sloped,
                holes_dropped=outline.holes_dropped,
                pieces_dropped=outline.pieces_dropped,
            )
        storey = _storey_of(space)
        zones.append(
            Zone(
                id=zone_id,
                name=label if label != gid else zone_id,
                # 0.1 mm: below any survey's precision, and the file stays readable.
                floor=[(round(x, 4), round(y, 4)) for x, y in outline.polygon],
                level=round(level, 4),
                height=max(round(height, 4), 0.01),
                floor_area_m2=stated.value_m2 if stated is not None else None,
                area_source=stated.source if stated is not None else None,
            )
        )
        reports.append(
            SpaceReport(
                zone_id=zone_id,
                global_id=gid,
                name=label,
                polygon_area_m2=outline.area_m2,
                stated=stated,
                level=level,
                height=height,
                holes_dropped=outline.holes_dropped,
                pieces_dropped=outline.pieces_dropped,
                sloped_ceiling=sloped,
                storey_global_id=str(storey.GlobalId) if storey is not None else None,
                area_reason=reason,
            )
        )
    return zones, reports, findings
