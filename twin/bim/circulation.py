"""Stairs, ramps and lifts as gates between storeys; the zone graph's connectivity.

A stair joins, on each storey it reaches, the zone whose floor overlaps its
footprint most: bottom to top in order, so a stair through three storeys
gives two gates. Lifts and escalators do the same with a wider reach (the
lobby is beside the shaft, not over it). A stair inside one tall zone joins
nothing new and adds no gate.

After doors and stairs, :func:`connectivity_findings` reports every group
of zones that no path joins to the rest of the building or to the outside.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import ifcopenshell
import ifcopenshell.util.element
import numpy as np
import shapely  # type: ignore[import-untyped,unused-ignore]
from numpy.typing import NDArray

from twin.bim import schema
from twin.bim.entities import Ids, slug
from twin.bim.geometry import ProductMesh
from twin.venue import Finding, Gate, GateKind, Zone

__all__ = ["connectivity_findings", "element_mesh", "opening_gates", "vertical_gates"]

# How far beyond its footprint a stair / a lift reaches the zones it serves.
_STAIR_REACH_M = 0.3
_LIFT_REACH_M = 1.5
# A zone's floor this close to a level the stair or lift spans counts.
_LEVEL_TOLERANCE_M = 0.6
# Floors closer than this have no wall between them (the thinnest partition
# is thicker): the rooms are open to each other.
_TOUCH_M = 0.05
# ... when they touch along at least this much (a person's passage) and
# share this much height (a person's headroom).
_MIN_PASSAGE_M = 0.6
_MIN_SHARED_HEIGHT_M = 1.8


def element_mesh(
    element: ifcopenshell.entity_instance, meshes: Mapping[str, ProductMesh]
) -> NDArray[np.float64] | None:
    """Vertices ((n, 3) float) of an element's body, or of its parts' (a stair's flights)."""
    own = meshes.get(str(element.GlobalId))
    if own is not None and len(own.vertices):
        return own.vertices
    parts = [
        meshes[str(p.GlobalId)].vertices
        for p in ifcopenshell.util.element.get_decomposition(element)
        if str(p.GlobalId) in meshes and len(meshes[str(p.GlobalId)].vertices)
    ]
    return np.vstack(parts) if parts else None


def vertical_gates(
    model: ifcopenshell.file,
    zones: Sequence[Zone],
    storey_of_zone: Mapping[str, str],
    meshes: Mapping[str, ProductMesh],
    taken: Sequence[str] = (),
) -> list[Gate]:
    """Gates joining the zones each stair, ramp or lift connects, storey to storey."""
    ids = Ids()
    for t in taken:
        ids.take(t, t)
    polys = {z.id: shapely.Polygon(z.floor) for z in zones}
    gates: list[Gate] = []
    pairs_done: set[tuple[str, str]] = set()
    for element in schema.vertical_circulation(model):
        vertices = element_mesh(element, meshes)
        if vertices is None:
            continue
        lift = schema.is_a(element, "IfcTransportElement")
        kind = GateKind.LIFT if lift else GateKind.STAIR
        footprint = shapely.MultiPoint(vertices[:, :2]).convex_hull
        reach = footprint.buffer(_LIFT_REACH_M if lift else _STAIR_REACH_M)
        z_lo, z_hi = float(vertices[:, 2].min()), float(vertices[:, 2].max())
        best: dict[str, tuple[float, Zone]] = {}
        for zone in zones:
            if not z_lo - _LEVEL_TOLERANCE_M <= zone.level <= z_hi + _LEVEL_TOLERANCE_M:
                continue
            overlap = float(polys[zone.id].intersection(reach).area)
            if overlap <= 0:
                continue
            key = storey_of_zone.get(zone.id, f"level:{round(zone.level, 1)}")
            if key not in best or overlap > best[key][0]:
                best[key] = (overlap, zone)
        chain = sorted((z for _, z in best.values()), key=lambda z: z.level)
        for lower, upper in itertools.pairwise(chain):
            pair = (lower.id, upper.id)
            if lower.id == upper.id or pair in pairs_done:
                continue
            pairs_done.add(pair)
            landing = polys[upper.id].intersection(reach)
            where = (landing if not landing.is_empty else footprint).representative_point()
            gates.append(
                Gate(
                    id=ids.take(slug(f"{kind.value}-{lower.id}-{upper.id}"), f"{kind.value}-1"),
                    name=str(element.Name or kind.value)[:120],
                    from_zone=lower.id,
                    to_zone=upper.id,
                    position=(float(where.x), float(where.y)),
                    width_m=max(float(np.sqrt(footprint.area)) if lift else 1.0, 0.5),
                    kind=kind,
                    source=str(element.GlobalId),
                )
            )
    return gates


def opening_gates(
    zones: Sequence[Zone], joined: set[frozenset[str]], taken: Sequence[str] = ()
) -> list[Gate]:
    """Gates between zones open to each other: floors that touch or overlap, no wall between.

    Open-plan rooms (a kitchen in a living room, a hall opening on a stair)
    are separate spaces with no door; their outlines meet within
    :data:`_TOUCH_M` along at least :data:`_MIN_PASSAGE_M`. Pairs in
    ``joined`` (already linked by a door) are skipped.
    """
    ids = Ids()
    for t in taken:
        ids.take(t, t)
    polys = [shapely.Polygon(z.floor).buffer(_TOUCH_M / 2) for z in zones]
    tree = shapely.STRtree(polys)
    gates: list[Gate] = []
    for i, j in zip(*tree.query(polys, predicate="intersects"), strict=True):
        a, b = zones[int(i)], zones[int(j)]
        if i >= j or frozenset((a.id, b.id)) in joined:
            continue
        shared_h = min(a.level + a.height, b.level + b.height) - max(a.level, b.level)
        if shared_h < _MIN_SHARED_HEIGHT_M:
            continue
        shared = polys[int(i)].intersection(polys[int(j)])
        rect = shapely.minimum_rotated_rectangle(shared)
        if rect.geom_type != "Polygon":
            continue
        xs = np.asarray(rect.exterior.coords)
        length = float(max(np.linalg.norm(xs[1] - xs[0]), np.linalg.norm(xs[2] - xs[1])))
        if length < _MIN_PASSAGE_M:
            continue
        where = shared.representative_point()
        gates.append(
            Gate(
                id=ids.take(slug(f"opening-{a.id}-{b.id}"), "opening-1"),
                name=f"open between {a.name} and {b.name}"[:120],
                from_zone=a.id,
                to_zone=b.id,
                position=(float(where.x), float(where.y)),
                width_m=length,
                kind=GateKind.OPENING,
                source="floors touch",
            )
        )
    return gates


def _components(zone_ids: Sequence[str], gates: Sequence[Gate]) -> list[set[str]]:
    """Groups of zones joined by gates; ``""`` stands for the outside."""
    parent = {z: z for z in [*zone_ids, ""]}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for g in gates:
        a, b = find(g.from_zone or ""), find(g.to_zone or "")
        if a != b:
            parent[a] = b
    groups: dict[str, set[str]] = {}
    for z in parent:
        groups.setdefault(find(z), set()).add(z)
    return list(groups.values())


def connectivity_findings(zones: Sequence[Zone], gates: Sequence[Gate]) -> list[Finding]:
    """A finding for each group of zones that no gate joins to the main building."""
    groups = _components([z.id for z in zones], gates)
    has_entrance = any(g.from_zone is None or g.to_zone is None for g in gates)
    # The main part: the one with the outside when the building has entrances,
    # else the largest.
    main = next(g for g in groups if "" in g) if has_entrance else max(groups, key=len)
    out = []
    for group in groups:
        members = sorted(group - {""})
        if group is main or not members:
            continue
        shown = ", ".join(members[:8]) + (
            f" and {len(members) - 8} more" if len(members) > 8 else ""
        )
        out.append(
            Finding(
                kind="unreachable_zones",
                subject=members[0],
                message=f"no door, stair or lift joins {shown} to the rest of the building"
                + (" or the outside" if has_entrance else ""),
            )
        )
    if not has_entrance:
        out.append(
            Finding(
                kind="no_entrance",
                subject="",
                message="no door joins a zone to the outside: the building has no entrance gate",
            )
        )
    return out
