"""Register a scan to the twin's reference mesh (open3d).

Coarse to fine, as in open3d's global registration pipeline:

1. The reference mesh is sampled uniformly by area, with each point taking
   its triangle's normal (so normals face out as the mesh does).
2. Both clouds are voxel-downsampled at ``voxel_m``; the scan gets normals
   from its neighbourhoods; FPFH features describe each point.
3. RANSAC on feature matches finds a rough rigid transform without any
   initial guess (skipped when the caller gives one).
4. Point-to-plane ICP refines it twice, at ``voxel_m`` and ``voxel_m / 2``,
   with a Tukey robust kernel so that surfaces that really changed (the
   thing we want to measure) do not pull the fit.

The result maps scan coordinates into the twin frame.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import open3d as o3d
import trimesh
from numpy.typing import ArrayLike, NDArray

from twin.scans.clouds import as_points, o3d_cloud, sample_surface
from twin.scans.errors import RegistrationFailed, ScanError

__all__ = ["Registration", "RegistrationParams", "apply_transform", "register_scan"]

FloatArray = NDArray[np.float64]
reg = o3d.pipelines.registration


@dataclass(frozen=True, slots=True)
class RegistrationParams:
    """Settings of :func:`register_scan`; lengths in metres.

    ``voxel_m`` sets the scale of everything: pick about 1/50 to 1/100 of the
    scanned object's size (10 mm for a 1 m relief, 50 mm for a room).
    """

    voxel_m: float = 0.01
    reference_points: int = 200_000
    ransac_iterations: int = 100_000
    ransac_confidence: float = 0.999
    icp_iterations: int = 60
    min_fitness: float = 0.3
    seed: int = 0

    def __post_init__(self) -> None:
        if self.voxel_m <= 0:
            raise ScanError(f"voxel_m must be positive, got {self.voxel_m}")
        if self.reference_points < 1000:
            raise ScanError("reference_points must be at least 1000")
        if not 0.0 <= self.min_fitness <= 1.0:
            raise ScanError("min_fitness is a fraction between 0 and 1")


@dataclass(frozen=True, slots=True)
class Registration:
    """Where the scan sits in the twin frame, and how well it fits.

    ``transform`` (4, 4) float maps scan points to the twin frame.
    ``fitness`` is the fraction of (downsampled) scan points with a reference
    point within ``correspondence_m``: the overlap. ``inlier_rmse_m`` is the
    RMS distance of those pairs. ``global_*`` are the RANSAC stage's figures
    (None when an initial transform was given). ``seconds`` per stage.
    """

    transform: FloatArray
    fitness: float
    inlier_rmse_m: float
    correspondence_m: float
    scan_points_used: int
    reference_points_used: int
    global_fitness: float | None
    global_rmse_m: float | None
    seconds: dict[str, float] = field(default_factory=dict)


def apply_transform(points: ArrayLike, transform: FloatArray) -> FloatArray:
    """(n, 3) float ``points`` moved by the (4, 4) ``transform``."""
    p = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    return np.asarray(p @ transform[:3, :3].T + transform[:3, 3], dtype=np.float64)


def _features(cloud: o3d.geometry.PointCloud, voxel: float) -> o3d.pipelines.registration.Feature:
    # The stub misses that ``indices`` defaults to all points.
    return reg.compute_fpfh_feature(  # type: ignore[call-arg,unused-ignore]
        cloud, o3d.geometry.KDTreeSearchParamHybrid(radius=5.0 * voxel, max_nn=100)
    )


def _normals(cloud: o3d.geometry.PointCloud, voxel: float) -> None:
    cloud.estimate_normals(o3d.geometry.KDTreeSearchParamHybrid(radius=2.0 * voxel, max_nn=30))


def _global(
    src: o3d.geometry.PointCloud,
    tgt: o3d.geometry.PointCloud,
    params: RegistrationParams,
) -> o3d.pipelines.registration.RegistrationResult:
    voxel = params.voxel_m
    distance = 1.5 * voxel
    return reg.registration_ransac_based_on_feature_matching(
        src,
        tgt,
        _features(src, voxel),
        _features(tgt, voxel),
        True,  # mutual filter: keep matches that agree both ways
        distance,
        reg.TransformationEstimationPointToPoint(False),
        3,
        [
            reg.CorrespondenceCheckerBasedOnEdgeLength(0.9),
            reg.CorrespondenceCheckerBasedOnDistance(distance),
        ],
        reg.RANSACConvergenceCriteria(params.ransac_iterations, params.ransac_confidence),
    )


def _icp(
    src: o3d.geometry.PointCloud,
    tgt: o3d.geometry.PointCloud,
    init: FloatArray,
    distance: float,
    iterations: int,
) -> o3d.pipelines.registration.RegistrationResult:
    # Tukey's k at a third of the search distance: points farther off the
    # surface than that (real change, clutter) get no weight.
    kernel = reg.TukeyLoss(k=distance / 3.0)
    return reg.registration_icp(
        src,
        tgt,
        distance,
        init,
        reg.TransformationEstimationPointToPlane(kernel),
        reg.ICPConvergenceCriteria(max_iteration=iterations),
    )


def register_scan(
    scan: ArrayLike,
    reference: trimesh.Trimesh,
    params: RegistrationParams | None = None,
    *,
    init: FloatArray | None = None,
) -> Registration:
    """Find the rigid transform taking ``scan`` ((n, 3) float) onto ``reference``.

    With ``init`` (4, 4) the global stage is skipped and ICP starts from it
    (scans already roughly placed, e.g. by survey targets). Raises
    :class:`RegistrationFailed` when the final overlap is below
    ``params.min_fitness``.
    """
    p = params or RegistrationParams()
    points = as_points(scan)
    if len(reference.faces) == 0:
        raise ScanError("the reference mesh has no triangles")
    o3d.utility.random.seed(p.seed)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    ref_pts, ref_normals = sample_surface(reference, p.reference_points, seed=p.seed)
    target = o3d_cloud(ref_pts, ref_normals)
    source = o3d_cloud(points)
    voxel, fine = p.voxel_m, p.voxel_m / 2.0
    src_coarse, tgt_coarse = source.voxel_down_sample(voxel), target.voxel_down_sample(voxel)
    src_fine, tgt_fine = source.voxel_down_sample(fine), target.voxel_down_sample(fine)
    for cloud in (tgt_coarse, tgt_fine):
        cloud.normalize_normals()  # voxel averaging shortens them
    _normals(src_coarse, voxel)
    _normals(src_fine, fine)
    seconds["prepare"] = time.perf_counter() - t0
    if len(src_coarse.points) < 10:
        raise ScanError(
            f"only {len(src_coarse.points)} scan points remain at voxel {voxel} m: "
            "the voxel is too large for this scan"
        )

    global_fitness: float | None = None
    global_rmse: float | None = None
    if init is None:
        t0 = time.perf_counter()
        coarse = _global(src_coarse, tgt_coarse, p)
        seconds["global"] = time.perf_counter() - t0
        start = np.asarray(coarse.transformation, dtype=np.float64)
        global_fitness, global_rmse = float(coarse.fitness), float(coarse.inlier_rmse)
    else:
        start = np.asarray(init, dtype=np.float64).reshape(4, 4)

    t0 = time.perf_counter()
    first = _icp(src_coarse, tgt_fine, start, 2.0 * voxel, p.icp_iterations)
    final = _icp(src_fine, tgt_fine, np.asarray(first.transformation), fine, p.icp_iterations)
    seconds["icp"] = time.perf_counter() - t0
    result = Registration(
        transform=np.asarray(final.transformation, dtype=np.float64).copy(),
        fitness=float(final.fitness),
        inlier_rmse_m=float(final.inlier_rmse),
        correspondence_m=fine,
        scan_points_used=len(src_fine.points),
        reference_points_used=len(tgt_fine.points),
        global_fitness=global_fitness,
        global_rmse_m=global_rmse,
        seconds=seconds,
    )
    if result.fitness < p.min_fitness:
        raise RegistrationFailed(
            f"scan does not fit the reference: overlap {result.fitness:.1%} "
            f"(minimum {p.min_fitness:.0%}), inlier RMSE {result.inlier_rmse_m * 1000:.2f} mm",
            result,
        )
    return result
