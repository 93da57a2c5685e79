"""Surfaces and scans with known answers: for tests, benchmarks and demos.

A carved "relief" is a height field with features of several sizes placed
without symmetry (so a rigid fit has one answer). A pit of known depth can be
pressed into it, and a simulated scan samples the surface, adds Gaussian
noise and moves it by a known rigid transform, as a scanner in its own
coordinate frame would.
"""

from __future__ import annotations

import numpy as np
import trimesh
from numpy.typing import ArrayLike, NDArray

from twin.scans.clouds import sample_surface

__all__ = ["pit", "relief_mesh", "rigid_transform", "simulated_scan"]

FloatArray = NDArray[np.float64]

# (x, y) centre as a fraction of the size, radius as a fraction of the width,
# height in metres: placed off any symmetry axis on purpose.
_BUMPS = ((0.22, 0.30, 0.12, 0.05), (0.70, 0.62, 0.18, 0.08), (0.55, 0.18, 0.07, -0.03))


def relief_mesh(size_m: tuple[float, float] = (1.0, 0.7), cells: int = 200) -> trimesh.Trimesh:
    """A carved height-field panel, ``size_m`` wide, ``cells`` quads along its width.

    Z up; faces are wound so normals face +Z (the carved side). The panel
    has about ``2 * cells * cells * size_m[1] / size_m[0]`` triangles.
    """
    w, h = size_m
    nx = cells + 1
    ny = max(2, round(cells * h / w)) + 1
    x, y = np.meshgrid(np.linspace(0.0, w, nx), np.linspace(0.0, h, ny), indexing="xy")
    z = 0.012 * np.sin(2 * np.pi * x / 0.23) * np.cos(2 * np.pi * y / 0.17) + 0.04 * (x / w) ** 2
    for fx, fy, fr, amp in _BUMPS:
        r2 = (x - fx * w) ** 2 + (y - fy * h) ** 2
        z += amp * np.exp(-r2 / (2 * (fr * w) ** 2))
    vertices = np.column_stack([x.ravel(), y.ravel(), z.ravel()])
    idx = np.arange(nx * ny).reshape(ny, nx)
    a, b = idx[:-1, :-1].ravel(), idx[:-1, 1:].ravel()
    c, d = idx[1:, 1:].ravel(), idx[1:, :-1].ravel()
    faces = np.concatenate([np.column_stack([a, b, c]), np.column_stack([a, c, d])])
    return trimesh.Trimesh(vertices, faces, process=False)


def pit(
    mesh: trimesh.Trimesh, centre_xy: ArrayLike, radius_m: float, depth_m: float
) -> tuple[trimesh.Trimesh, FloatArray]:
    """``mesh`` with a pit pressed in along the vertex normals, and the (v,) displacement.

    The pit is ``depth_m`` deep (negative displacement: material lost) and
    flat within 60% of ``radius_m``, easing to nothing at ``radius_m`` with a
    cosine: the shape of local erosion or a chipped area.
    """
    c = np.asarray(centre_xy, dtype=np.float64).reshape(2)
    r = np.linalg.norm(np.asarray(mesh.vertices)[:, :2] - c, axis=1)
    t = np.clip((r - 0.6 * radius_m) / (0.4 * radius_m), 0.0, 1.0)
    displacement = -depth_m * 0.5 * (1.0 + np.cos(np.pi * t))
    moved = np.asarray(mesh.vertices) + displacement[:, None] * np.asarray(mesh.vertex_normals)
    return trimesh.Trimesh(moved, np.asarray(mesh.faces), process=False), displacement


def rigid_transform(angle_deg: float, axis: ArrayLike, translation: ArrayLike) -> FloatArray:
    """(4, 4) float: rotation by ``angle_deg`` about ``axis`` through the origin, then a shift."""
    rotation = trimesh.transformations.rotation_matrix(  # type: ignore[no-untyped-call]
        np.radians(angle_deg), np.asarray(axis)
    )
    m = np.asarray(rotation, dtype=np.float64)
    m[:3, 3] = np.asarray(translation, dtype=np.float64).reshape(3)
    return m


def simulated_scan(
    mesh: trimesh.Trimesh,
    count: int,
    *,
    transform: FloatArray | None = None,
    noise_m: float = 0.0,
    seed: int = 0,
) -> FloatArray:
    """(count, 3) float points sampled on ``mesh``, noisy, then moved by ``transform``.

    Noise is isotropic Gaussian with standard deviation ``noise_m`` per axis.
    """
    points, _ = sample_surface(mesh, count, seed=seed)
    rng = np.random.default_rng(seed + 1)
    if noise_m > 0:
        points = points + rng.normal(0.0, noise_m, size=points.shape)
    if transform is not None:
        points = points @ transform[:3, :3].T + transform[:3, 3]
    return points
