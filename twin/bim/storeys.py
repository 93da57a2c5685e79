"""IFC building storeys as venue storeys: name, elevation and the zones on each.

A zone belongs to the storey its space is aggregated into or contained in;
a space attached to no storey goes to the highest storey at or below its
floor. A pit or a stair landing is a zone on its storey, never a storey of
its own. A storey with no zones is left out of the venue and reported; a
space reaching above the next storey's floor is flagged (it spans storeys:
a stair hall, an atrium, a double-height room).
"""

from __future__ import annotations

from collections.abc import Sequence

import ifcopenshell
import ifcopenshell.util.placement

from twin.bim.entities import Ids, slug
from twin.bim.spaces import SpaceReport
from twin.venue import Finding, Storey, Zone

__all__ = ["SPAN_TOLERANCE_M", "storeys"]

# A space must reach this far above the next storey's floor to span storeys
# (slab build-ups and rounding leave a few centimetres).
SPAN_TOLERANCE_M = 0.5


def _elevation(storey: ifcopenshell.entity_instance, length_scale: float) -> float:
    if storey.ObjectPlacement is not None:
        matrix = ifcopenshell.util.placement.get_local_placement(storey.ObjectPlacement)
        return float(matrix[2, 3]) * length_scale
    return float(storey.Elevation or 0.0) * length_scale


def storeys(
    model: ifcopenshell.file,
    zones: Sequence[Zone],
    reports: Sequence[SpaceReport],
    length_scale: float,
) -> tuple[list[Storey], list[Finding]]:
    """The venue's storeys (bottom up) and what is worth telling about them."""
    found = sorted(
        ((_elevation(s, length_scale), s) for s in model.by_type("IfcBuildingStorey")),
        key=lambda es: es[0],
    )
    findings: list[Finding] = []
    by_gid = {str(s.GlobalId): i for i, (_, s) in enumerate(found)}
    members: list[list[str]] = [[] for _ in found]
    unplaced: list[str] = []
    for zone, report in zip(zones, reports, strict=True):
        index = by_gid.get(report.storey_global_id or "")
        if index is None:
            below = [i for i, (e, _) in enumerate(found) if e <= zone.level + SPAN_TOLERANCE_M]
            index = below[-1] if below else (0 if found else None)
            if index is None:
                unplaced.append(zone.id)
                continue
            findings.append(
                Finding(
                    kind="space_without_storey",
                    subject=zone.id,
                    message=f"zone {zone.id} is on no IfcBuildingStorey: placed on "
                    f"{found[index][1].Name or 'the storey'} by its floor level {zone.level:.2f} m",
                    severity="info",
                )
            )
        members[index].append(zone.id)
        top = zone.level + zone.height
        above = [
            str(s.Name or "")
            for e, s in found[index + 1 :]
            if top > e + SPAN_TOLERANCE_M and e > found[index][0] + SPAN_TOLERANCE_M
        ]
        if above:
            findings.append(
                Finding(
                    kind="multi_storey_space",
                    subject=zone.id,
                    message=f"zone {zone.id} rises from {found[index][1].Name or 'its storey'} "
                    f"through {', '.join(above)} ({zone.height:.1f} m): kept as one zone on its "
                    "lowest storey; doors on the upper storeys open into it",
                    severity="info",
                )
            )
    ids = Ids()
    result: list[Storey] = []
    for (elevation, storey), zone_ids in zip(found, members, strict=True):
        name = str(storey.Name or storey.LongName or f"storey at {elevation:.2f} m")
        if not zone_ids:
            findings.append(
                Finding(
                    kind="empty_storey",
                    subject=str(storey.GlobalId),
                    message=f"storey {name!r} at {elevation:.2f} m has no spaces: "
                    "not listed as a storey",
                    severity="info",
                )
            )
            continue
        sid = ids.take(slug(name), f"storey-{len(result) + 1}")
        result.append(Storey(id=sid, name=name, elevation=round(elevation, 4), zones=zone_ids))
    if unplaced and not found:
        findings.append(
            Finding(
                kind="no_storeys",
                subject="",
                message="the file has no IfcBuildingStorey: zones are listed on no storey",
                severity="info",
            )
        )
    return result, findings
