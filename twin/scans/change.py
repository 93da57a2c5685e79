"""Surface change between a registered scan and the reference mesh.

Each scan point is projected onto the reference (open3d ray-casting scene,
closest point) and gets a signed distance along the normal of the triangle
it lands on: positive where the scanned surface stands proud of the
reference (growth, deposits, a bulge), negative where it has sunk behind it
(erosion, loss, a dent). Mesh normals must face out of the material, as a
repaired venue mesh or a relief with its carved side up does.

Each reference vertex then takes the median of the distances of the scan
points that project within ``support_radius_m`` of it on a surface facing
the same way (so the back of a thin panel does not leak through). Vertices
with no such point have no value (NaN): the scan did not see them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import open3d as o3d
import trimesh
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from twin.scans.clouds import as_points, o3d_mesh
from twin.scans.errors import ScanError

__all__ = ["ChangeSummary", "SurfaceChange", "summarise", "surface_change", "vertex_areas"]

FloatArray = NDArray[np.float64]

_NEIGHBOURS = 32
# Projected points on triangles facing more than ~60 degrees away from the
# vertex normal belong to another surface (the far side, a corner).
_SAME_SIDE_COS = 0.5
_BLOCK = 1 << 17  # points per ray-casting call: bounds float32 temporaries


@dataclass(frozen=True, slots=True)
class SurfaceChange:
    """Per-vertex and per-point change; millimetres, signed (negative = loss).

    ``displacement_mm`` (v,) float, NaN where the scan gave no support;
    ``point_distance_mm`` (n,) float for each scan point (NaN when it was
    farther than ``max_distance_m`` from the reference and ignored).
    """

    displacement_mm: FloatArray
    point_distance_mm: FloatArray
    vertex_area_m2: FloatArray
    support_radius_m: float
    max_distance_m: float


@dataclass(frozen=True, slots=True)
class ChangeSummary:
    """What a conservator reads first. Areas in m², depths in mm.

    ``max_loss_mm`` is the deepest loss as a positive number (0 if none),
    ``max_gain_mm`` the highest growth. ``area_loss_m2`` and
    ``area_gain_m2`` are the surface areas beyond ``threshold_mm``.
    """

    threshold_mm: float
    max_loss_mm: float
    max_gain_mm: float
    mean_mm: float
    rms_mm: float
    p95_abs_mm: float
    area_loss_m2: float
    area_gain_m2: float
    area_covered_m2: float
    coverage: float
    points_used: int
    points_ignored: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def vertex_areas(mesh: trimesh.Trimesh) -> FloatArray:
    """(v,) float: a third of the area of every triangle around each vertex."""
    areas = np.zeros(len(mesh.vertices), dtype=np.float64)
    third = np.repeat(np.asarray(mesh.area_faces, dtype=np.float64) / 3.0, 3)
    np.add.at(areas, np.asarray(mesh.faces).ravel(), third)
    return areas


def _spacing(points: FloatArray) -> float:
    """Median distance from a scan point to its nearest neighbour (on a sample)."""
    rng = np.random.default_rng(0)
    sample = points[rng.choice(len(points), size=min(len(points), 5000), replace=False)]
    d, _ = cKDTree(points).query(sample, k=2)
    return float(np.median(d[:, 1]))


def _project(
    mesh: trimesh.Trimesh, points: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Closest points on ``mesh``, their triangle normals, signed distances (m)."""
    # Ray casting runs in float32: work relative to the mesh centre so that
    # site coordinates far from the origin keep sub-millimetre precision.
    origin = np.asarray(mesh.bounds, dtype=np.float64).mean(axis=0)
    local = trimesh.Trimesh(np.asarray(mesh.vertices) - origin, mesh.faces, process=False)
    scene = o3d.t.geometry.RaycastingScene()
    scene.add_triangles(o3d_mesh(local))
    closest = np.empty_like(points)
    normals = np.empty_like(points)
    for i in range(0, len(points), _BLOCK):
        q = (points[i : i + _BLOCK] - origin).astype(np.float32)
        answer = scene.compute_closest_points(o3d.core.Tensor.from_numpy(q))
        closest[i : i + _BLOCK] = answer["points"].numpy()
        normals[i : i + _BLOCK] = answer["primitive_normals"].numpy()
    closest += origin
    normals /= np.linalg.norm(normals, axis=1, keepdims=True).clip(1e-12)
    signed = np.einsum("ij,ij->i", points - closest, normals)
    return closest, normals, signed


def surface_change(
    reference: trimesh.Trimesh,
    scan: ArrayLike,
    *,
    support_radius_m: float | None = None,
    max_distance_m: float = 0.05,
) -> SurfaceChange:
    """Per-vertex signed change of ``scan`` ((n, 3) float, registered) against ``reference``.

    ``support_radius_m`` defaults to four times the median distance between
    neighbouring scan points (about 10 to 20 points per vertex);
    scan points farther than ``max_distance_m`` from the reference (people,
    scaffolding, another object) are ignored.
    """
    points = as_points(scan)
    if len(reference.faces) == 0:
        raise ScanError("the reference mesh has no triangles")
    radius = support_radius_m if support_radius_m is not None else 4.0 * _spacing(points)
    if radius <= 0 or max_distance_m <= 0:
        raise ScanError("support radius and maximum distance must be positive")
    closest, tri_normals, signed = _project(reference, points)
    keep = np.abs(signed) <= max_distance_m
    point_mm = np.where(keep, signed * 1000.0, np.nan)
    if not keep.any():
        raise ScanError(f"no scan point lies within {max_distance_m} m of the reference")
    tree = cKDTree(closest[keep])
    kept_signed, kept_normals = signed[keep], tri_normals[keep]
    vertices = np.asarray(reference.vertices, dtype=np.float64)
    vnormals = np.asarray(reference.vertex_normals, dtype=np.float64)
    displacement = np.full(len(vertices), np.nan)
    for i in range(0, len(vertices), _BLOCK):
        sl = slice(i, i + _BLOCK)
        dist, idx = tree.query(vertices[sl], k=_NEIGHBOURS, distance_upper_bound=radius)
        found = np.isfinite(dist)
        safe = np.where(found, idx, 0)
        facing = np.einsum("vkj,vj->vk", kept_normals[safe], vnormals[sl]) >= _SAME_SIDE_COS
        values = np.where(found & facing, kept_signed[safe], np.nan)
        supported = (found & facing).any(axis=1)
        block = np.full(len(values), np.nan)
        if supported.any():
            block[supported] = np.nanmedian(values[supported], axis=1) * 1000.0
        displacement[sl] = block
    return SurfaceChange(
        displacement_mm=displacement,
        point_distance_mm=point_mm,
        vertex_area_m2=vertex_areas(reference),
        support_radius_m=radius,
        max_distance_m=max_distance_m,
    )


def summarise(change: SurfaceChange, threshold_mm: float = 1.0) -> ChangeSummary:
    """Summary figures of ``change``; areas count vertices beyond ``threshold_mm``."""
    if threshold_mm < 0:
        raise ScanError("threshold_mm must not be negative")
    d = change.displacement_mm
    area = change.vertex_area_m2
    seen = np.isfinite(d)
    total = float(area.sum())
    covered = float(area[seen].sum())
    values, weights = d[seen], area[seen]
    if len(values) == 0:
        raise ScanError("the scan covers no part of the reference")
    mean = float(np.average(values, weights=weights))
    rms = float(np.sqrt(np.average(values**2, weights=weights)))
    used = int(np.isfinite(change.point_distance_mm).sum())
    return ChangeSummary(
        threshold_mm=threshold_mm,
        max_loss_mm=max(0.0, -float(values.min())),
        max_gain_mm=max(0.0, float(values.max())),
        mean_mm=mean,
        rms_mm=rms,
        p95_abs_mm=float(np.percentile(np.abs(values), 95)),
        area_loss_m2=float(weights[values < -threshold_mm].sum()),
        area_gain_m2=float(weights[values > threshold_mm].sum()),
        area_covered_m2=covered,
        coverage=covered / total if total > 0 else 0.0,
        points_used=used,
        points_ignored=len(change.point_distance_mm) - used,
    )
