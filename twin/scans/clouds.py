"""Point clouds: reading scans, sampling reference meshes, open3d conversions.

Scans are (n, 3) float arrays in the twin frame's units (metres) once read;
``units`` and ``up_axis`` describe the file as for venue meshes
(:func:`twin.geometry.frame_matrix`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import open3d as o3d
import trimesh
from numpy.typing import ArrayLike, NDArray

from twin.geometry.polygons import GeometryError, frame_matrix
from twin.scans.errors import ScanError

__all__ = [
    "as_points",
    "o3d_cloud",
    "o3d_mesh",
    "read_scan",
    "sample_surface",
]

FloatArray = NDArray[np.float64]

# Below this a scan cannot carry FPFH features or constrain a rigid fit.
MIN_POINTS = 100


def as_points(points: ArrayLike) -> FloatArray:
    """``points`` as a finite (n, 3) float array; raises :class:`ScanError` otherwise."""
    p = np.asarray(points, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != 3:
        raise ScanError(f"a scan is an (n, 3) array of points, got shape {p.shape}")
    if len(p) < MIN_POINTS:
        raise ScanError(f"a scan needs at least {MIN_POINTS} points, got {len(p)}")
    if not np.isfinite(p).all():
        raise ScanError("scan coordinates include NaN or infinity")
    return p


def read_scan(path: str | Path, *, units: str = "m", up_axis: str = "z") -> FloatArray:
    """The points of a PLY (or PCD, XYZ) scan as (n, 3) float in the twin frame."""
    p = Path(path)
    if not p.is_file():
        raise ScanError(f"{p}: scan file not found")
    try:
        transform = frame_matrix(units, up_axis)
    except GeometryError as exc:
        raise ScanError(f"{p}: {exc}") from exc
    cloud = o3d.io.read_point_cloud(p)
    if not cloud.has_points():
        raise ScanError(f"{p}: no points could be read from the file")
    pts = np.asarray(cloud.points, dtype=np.float64)
    try:
        pts = as_points(pts)
    except ScanError as exc:
        raise ScanError(f"{p}: {exc}") from exc
    return pts @ transform[:3, :3].T + transform[:3, 3]


def sample_surface(
    mesh: trimesh.Trimesh, count: int, *, seed: int = 0
) -> tuple[FloatArray, FloatArray]:
    """``count`` points spread uniformly by area over ``mesh`` and their face normals.

    Returns ((count, 3) float points, (count, 3) float unit normals).
    """
    points, faces = trimesh.sample.sample_surface(mesh, count, seed=seed)
    normals = np.asarray(mesh.face_normals, dtype=np.float64)[faces]
    return np.asarray(points, dtype=np.float64), normals


def o3d_cloud(points: FloatArray, normals: FloatArray | None = None) -> o3d.geometry.PointCloud:
    """An open3d point cloud of (n, 3) ``points`` with optional (n, 3) ``normals``."""
    cloud = o3d.geometry.PointCloud(o3d.utility.Vector3dVector(points))
    if normals is not None:
        cloud.normals = o3d.utility.Vector3dVector(normals)
    return cloud


def o3d_mesh(mesh: trimesh.Trimesh) -> o3d.t.geometry.TriangleMesh:
    """``mesh`` as an open3d tensor mesh (float32 vertices), for ray casting."""
    return o3d.t.geometry.TriangleMesh(
        o3d.core.Tensor.from_numpy(np.ascontiguousarray(mesh.vertices, dtype=np.float32)),
        o3d.core.Tensor.from_numpy(np.ascontiguousarray(mesh.faces, dtype=np.int32)),
    )
