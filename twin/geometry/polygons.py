"""Plane geometry of a venue: polygon areas, containment, triangulation, frames.

Pure functions over numpy arrays; shapes are given in each docstring. Lengths
are metres in the twin frame (Z up) unless a function says otherwise. The zone
graph lives in :mod:`twin.geometry.graph`, mesh checks in
:mod:`twin.geometry.checks`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from twin.venue import Zone

__all__ = [
    "UNIT_METRES",
    "GeometryError",
    "frame_matrix",
    "points_in_polygon",
    "points_in_zone",
    "polygon_area",
    "polygon_centroid",
    "polygon_signed_area",
    "segment_distances",
    "triangulate_polygon",
    "zone_of_points",
]

FloatArray = NDArray[np.float64]

# Length units a venue frame may name, as metres per unit.
UNIT_METRES: dict[str, float] = {"m": 1.0, "cm": 0.01, "mm": 0.001}

# Points this close to a polygon edge count as inside: sensors and gates are
# often placed exactly on a shared wall and float noise must not exclude them.
_EDGE_TOLERANCE_M = 1e-6


class GeometryError(ValueError):
    """Geometry that cannot be used: degenerate polygons, unknown units..."""


def _polygon(poly: ArrayLike) -> FloatArray:
    p = np.asarray(poly, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != 2 or len(p) < 3:
        raise GeometryError(f"a polygon is an (n >= 3, 2) array, got shape {p.shape}")
    if np.allclose(p[0], p[-1]):
        p = p[:-1]  # tolerate an explicitly closed ring
    return p


def polygon_signed_area(poly: ArrayLike) -> float:
    """Shoelace area of ``poly`` ((n, 2) float); positive when counter-clockwise."""
    p = _polygon(poly)
    x, y = p[:, 0], p[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def polygon_area(poly: ArrayLike) -> float:
    """Unsigned shoelace area of ``poly`` ((n, 2) float), in square units."""
    return abs(polygon_signed_area(poly))


def polygon_centroid(poly: ArrayLike) -> FloatArray:
    """Area centroid of ``poly`` ((n, 2) float) -> (2,) float.

    For a concave polygon the centroid may fall outside it; callers that need
    a point inside (routing) accept that approximation.
    """
    p = _polygon(poly)
    x, y = p[:, 0], p[:, 1]
    xn, yn = np.roll(x, -1), np.roll(y, -1)
    cross = x * yn - xn * y
    a = cross.sum() / 2.0
    if abs(a) < 1e-12:
        return np.asarray(p.mean(axis=0), dtype=np.float64)
    cx = ((x + xn) * cross).sum() / (6.0 * a)
    cy = ((y + yn) * cross).sum() / (6.0 * a)
    return np.array([cx, cy], dtype=np.float64)


def segment_distances(
    points: ArrayLike, a: ArrayLike, b: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Distance from each point to each segment ``a[k] -> b[k]``.

    ``points`` (m, 2), ``a`` and ``b`` (k, 2) -> (distances (m, k), t (m, k))
    where ``t`` in [0, 1] is the position of the closest point along the segment.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    a_ = np.asarray(a, dtype=np.float64).reshape(-1, 2)
    b_ = np.asarray(b, dtype=np.float64).reshape(-1, 2)
    d = b_ - a_  # (k, 2)
    len2 = np.einsum("ij,ij->i", d, d)  # (k,)
    rel = pts[:, None, :] - a_[None, :, :]  # (m, k, 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.einsum("mkj,kj->mk", rel, d) / len2
    t = np.clip(np.nan_to_num(t, nan=0.0), 0.0, 1.0)
    closest = a_[None, :, :] + t[..., None] * d[None, :, :]
    dist = np.linalg.norm(pts[:, None, :] - closest, axis=2)
    return dist, t


def _edges(p: FloatArray) -> tuple[FloatArray, FloatArray]:
    return p, np.roll(p, -1, axis=0)


def points_in_polygon(
    points: ArrayLike, poly: ArrayLike, *, edge_tolerance: float = _EDGE_TOLERANCE_M
) -> NDArray[np.bool_]:
    """Which of ``points`` ((m, 2) float) lie in ``poly`` ((n, 2) float) -> (m,) bool.

    Even-odd ray casting, vectorised over points and edges. Points within
    ``edge_tolerance`` of an edge count as inside.
    """
    p = _polygon(poly)
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    a, b = _edges(p)
    x, y = pts[:, 0:1], pts[:, 1:2]  # (m, 1)
    straddles = (a[:, 1] > y) != (b[:, 1] > y)  # (m, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        x_cross = a[:, 0] + (y - a[:, 1]) * (b[:, 0] - a[:, 0]) / (b[:, 1] - a[:, 1])
    crossings = np.count_nonzero(straddles & (x < x_cross), axis=1)
    inside: NDArray[np.bool_] = (crossings % 2) == 1
    if edge_tolerance > 0:
        dist, _ = segment_distances(pts, a, b)
        inside |= dist.min(axis=1) <= edge_tolerance
    return inside


def points_in_zone(
    zone: Zone, points: ArrayLike, *, z_tolerance: float = 0.05
) -> NDArray[np.bool_]:
    """Which of ``points`` ((n, 3) float) lie in ``zone``'s volume -> (n,) bool.

    Inside the floor polygon (edges included) and between the zone's level and
    level + height, give or take ``z_tolerance``.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    z_ok = (pts[:, 2] >= zone.level - z_tolerance) & (
        pts[:, 2] <= zone.level + zone.height + z_tolerance
    )
    out = np.zeros(len(pts), dtype=np.bool_)
    if z_ok.any():
        out[z_ok] = points_in_polygon(pts[z_ok, :2], zone.floor)
    return out


def zone_of_points(
    zones: Sequence[Zone], points: ArrayLike, *, z_tolerance: float = 0.05
) -> list[str | None]:
    """The zone containing each point: ``points`` (n, 3) float -> n zone ids or None.

    A point is in a zone when its (x, y) is inside the floor polygon and its z
    lies between the zone's level and level + height (give or take
    ``z_tolerance``). A point on a shared wall belongs to the zone whose
    interior holds it, else to the first listed zone; where levels overlap, the
    highest floor at or below the point wins (a point on a floor belongs to the
    storey above, not the ceiling of the one below).
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    n = len(pts)
    best: list[str | None] = [None] * n
    # Rank of the current best match; higher wins: (interior, level).
    rank = np.full((n, 2), -np.inf)
    for zone in zones:
        z_ok = (pts[:, 2] >= zone.level - z_tolerance) & (
            pts[:, 2] <= zone.level + zone.height + z_tolerance
        )
        if not z_ok.any():
            continue
        candidates = np.flatnonzero(z_ok)
        sub = pts[candidates, :2]
        ring = np.asarray(zone.floor, dtype=np.float64)
        on_edge = segment_distances(sub, *_edges(ring))[0].min(axis=1) <= _EDGE_TOLERANCE_M
        crossing = points_in_polygon(sub, ring, edge_tolerance=0.0)
        near = crossing | on_edge
        strict = crossing & ~on_edge
        for j in np.flatnonzero(near):
            i = int(candidates[j])
            r = (1.0 if strict[j] else 0.0, zone.level)
            if r[0] > rank[i, 0] or (r[0] == rank[i, 0] and r[1] > rank[i, 1]):
                rank[i] = r
                best[i] = zone.id
    return best


def _cross(o: FloatArray, a: FloatArray, b: FloatArray) -> float:
    return float((a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]))


def _inside_triangle(p: FloatArray, a: FloatArray, b: FloatArray, c: FloatArray) -> bool:
    # Boundary counts as inside so that a reflex vertex touching the ear blocks it.
    return _cross(a, b, p) >= 0 and _cross(b, c, p) >= 0 and _cross(c, a, p) >= 0


def _is_simple(p: FloatArray) -> bool:
    """True when no two non-adjacent edges of ring ``p`` ((n, 2) float) cross or touch."""
    n = len(p)
    a, b = _edges(p)
    e = b - a  # (n, 2)

    def side(r: FloatArray) -> FloatArray:
        # (n, n): which side of edge i point r[j] lies on (sign of the cross product)
        rel = r[None, :, :] - a[:, None, :]
        return np.sign(e[:, None, 0] * rel[..., 1] - e[:, None, 1] * rel[..., 0])

    d1, d2 = side(a), side(b)
    straddle = (d1 * d2 <= 0) & (d1.T * d2.T <= 0)
    # Collinear edges straddle trivially; their boxes must overlap too.
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    boxes = ((lo[:, None, :] <= hi[None, :, :]) & (lo[None, :, :] <= hi[:, None, :])).all(axis=2)
    i, j = np.triu_indices(n, k=2)
    keep = (j - i) != n - 1  # the first and last edges share vertex 0
    return not bool((straddle & boxes)[i[keep], j[keep]].any())


def triangulate_polygon(poly: ArrayLike) -> tuple[FloatArray, NDArray[np.int64]]:
    """Triangulate a simple polygon by ear clipping.

    ``poly`` (n, 2) float -> (vertices (n, 2) float, faces (n - 2 or fewer, 3) int).
    Faces are counter-clockwise whatever the input winding; collinear vertices
    are skipped. Raises :class:`GeometryError` for self-intersecting polygons.
    """
    p = _polygon(poly)
    if not _is_simple(p):
        raise GeometryError("polygon is self-intersecting")
    idx = list(range(len(p)))
    if polygon_signed_area(p) < 0:
        idx.reverse()
    scale = float(np.ptp(p, axis=0).max()) or 1.0
    eps = 1e-12 * scale * scale
    faces: list[tuple[int, int, int]] = []
    while len(idx) > 3:
        for k in range(len(idx)):
            ia, ib, ic = idx[k - 1], idx[k], idx[(k + 1) % len(idx)]
            a, b, c = p[ia], p[ib], p[ic]
            turn = _cross(a, b, c)
            if abs(turn) <= eps:
                del idx[k]  # collinear or a zero-width spike: contributes no area
                break
            if turn < 0:
                continue  # reflex vertex
            others = (j for j in idx if j not in (ia, ib, ic))
            if any(
                _inside_triangle(p[j], a, b, c)
                and not any(np.array_equal(p[j], q) for q in (a, b, c))
                for j in others
            ):
                continue
            faces.append((ia, ib, ic))
            del idx[k]
            break
        else:
            raise GeometryError("polygon is self-intersecting or degenerate")
    if len(idx) == 3 and abs(_cross(p[idx[0]], p[idx[1]], p[idx[2]])) > eps:
        faces.append((idx[0], idx[1], idx[2]))
    if not faces:
        raise GeometryError("polygon has no area")
    return p, np.asarray(faces, dtype=np.int64).reshape(-1, 3)


def frame_matrix(units: str = "m", up_axis: str = "z", scale: float = 1.0) -> FloatArray:
    """(4, 4) float homogeneous transform from a source frame to the twin frame.

    The twin frame is metres with Z up. ``up_axis="y"`` maps source (x, y, z)
    to twin (x, -z, y), the inverse of the glTF mapping used by the exporter.
    """
    try:
        metres = UNIT_METRES[units]
    except KeyError:
        raise GeometryError(
            f"unknown length unit {units!r}; use one of {sorted(UNIT_METRES)}"
        ) from None
    m = np.eye(4)
    if up_axis == "y":
        m[:3, :3] = [[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]]
    elif up_axis != "z":
        raise GeometryError(f"up axis must be 'y' or 'z', got {up_axis!r}")
    m[:3, :3] *= metres * scale
    return m
