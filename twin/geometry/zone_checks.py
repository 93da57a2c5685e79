"""Zone checks: too small, thin or low to hold people; overlapping or self-crossing floors.

These are findings, never fixes: a beam exported as a space stays a zone, and
the venue file says what looks wrong with it. The IFC importer and
``venue check`` (any venue file) share them.
"""

from __future__ import annotations

from collections.abc import Sequence

import shapely  # type: ignore[import-untyped,unused-ignore]

from twin.venue import Finding, Zone

__all__ = [
    "MIN_AREA_M2",
    "MIN_HEIGHT_M",
    "MIN_WIDTH_M",
    "overlap_findings",
    "polygon_findings",
    "zone_findings",
]

# Below these a space cannot hold a standing person: a walkway is at least
# about 0.6 m wide (one shoulder width plus clearance), a person needs about
# 1.8 m of headroom, and a cupboard-sized floor is not a room.
MIN_AREA_M2 = 1.0
MIN_WIDTH_M = 0.6
MIN_HEIGHT_M = 1.8
# Overlaps smaller than this (float noise, shared walls) are not reported.
_MIN_OVERLAP_M2 = 0.05
# Intersections are computed on this grid (metres): two rooms sharing a wall
# whose ends differ by 1e-11 m otherwise made GEOS return one whole room as
# their overlap (seen on an ArchiCAD export).
_GRID_M = 1e-4


def _width(poly: shapely.Polygon) -> float:
    """The short side of the smallest rotated rectangle around the polygon."""
    rect = shapely.minimum_rotated_rectangle(poly)
    if rect.geom_type != "Polygon":
        return 0.0
    xs = list(rect.exterior.coords)
    sides = [shapely.Point(xs[i]).distance(shapely.Point(xs[i + 1])) for i in range(2)]
    return float(min(sides))


def zone_findings(zones: Sequence[Zone]) -> list[Finding]:
    """Zones too small, thin or low to hold people."""
    out = []
    for z in zones:
        poly = shapely.Polygon(z.floor)
        problems = []
        if z.area_m2 < MIN_AREA_M2:
            problems.append(f"{z.area_m2:.2f} m2 of floor (< {MIN_AREA_M2:g})")
        width = _width(poly)
        if width < MIN_WIDTH_M:
            problems.append(f"{width:.2f} m wide (< {MIN_WIDTH_M:g})")
        if z.height < MIN_HEIGHT_M:
            problems.append(f"{z.height:.2f} m high (< {MIN_HEIGHT_M:g})")
        if problems:
            out.append(
                Finding(
                    kind="implausible_space",
                    subject=z.id,
                    message=f"zone {z.id} cannot hold people: {', '.join(problems)}; "
                    "probably not a room (a beam, a shaft or a void exported as a space)",
                )
            )
    return out


def overlap_findings(zones: Sequence[Zone]) -> list[Finding]:
    """Pairs of zones whose floors overlap at heights that overlap too.

    Their areas would be counted twice in capacity and density sums.
    """
    polys = [shapely.Polygon(z.floor) for z in zones]
    tree = shapely.STRtree(polys)
    out = []
    for i, j in zip(*tree.query(polys, predicate="intersects"), strict=True):
        if i >= j:
            continue
        a, b = zones[i], zones[j]
        if min(a.level + a.height, b.level + b.height) - max(a.level, b.level) <= 0.1:
            continue
        pa, pb = polys[i], polys[j]
        if not (pa.is_valid and pb.is_valid):
            continue
        shared = float(shapely.intersection(pa, pb, grid_size=_GRID_M).area)
        if shared > _MIN_OVERLAP_M2:
            out.append(
                Finding(
                    kind="zones_overlap",
                    subject=a.id,
                    message=f"zones {a.id} and {b.id} overlap by {shared:.2f} m2 at the same "
                    "height: that floor is counted twice in area sums",
                )
            )
    return out


def polygon_findings(zones: Sequence[Zone]) -> list[Finding]:
    """Floor polygons that cross or touch themselves (shapely's validity)."""
    out = []
    for z in zones:
        poly = shapely.Polygon(z.floor)
        if not poly.is_valid:
            reason = shapely.is_valid_reason(poly)
            out.append(
                Finding(
                    kind="invalid_polygon",
                    subject=z.id,
                    message=f"zone {z.id}: floor polygon is not simple ({reason})",
                )
            )
    return out
