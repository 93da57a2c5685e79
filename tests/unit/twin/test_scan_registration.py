"""Scan registration and change: synthetic scans of a relief with known answers.

The relief (1.0 x 0.7 m) gets a pit 3 mm deep (flat within 48 mm of its
centre, easing out to 80 mm); the scan samples the pitted surface, adds
0.5 mm Gaussian noise per axis and is moved by a known rigid transform.
Tolerances: transform within 0.05 degrees and 0.5 mm; depth in the flat
of the pit within 0.2 mm of 3 mm at the median and 0.8 mm at every vertex
(each vertex is a median of about 15 noisy points); elsewhere within 1 mm of
zero at the 99th percentile.
"""

# ruff: noqa: E402  (the extra is checked before it is imported)
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.extras import require_extra

require_extra("open3d", "open3d", "scan")

import open3d as o3d
import trimesh

from twin.scans import (
    Registration,
    RegistrationFailed,
    RegistrationParams,
    ScanError,
    apply_transform,
    inspect_scan,
    read_scan,
    register_scan,
    summarise,
    surface_change,
)
from twin.scans.change import vertex_areas
from twin.scans.synthetic import pit, relief_mesh, rigid_transform, simulated_scan

PIT_CENTRE = (0.40, 0.45)
PIT_RADIUS = 0.08
DEPTH = 0.003
NOISE = 0.0005
SCANNER = rigid_transform(25.0, [0.3, -0.2, 1.0], [0.4, -0.25, 0.15])


def _angle_deg(rotation: np.ndarray) -> float:
    return float(np.degrees(np.arccos(np.clip((np.trace(rotation) - 1.0) / 2.0, -1.0, 1.0))))


@pytest.fixture(scope="module")
def reference() -> trimesh.Trimesh:
    return relief_mesh(cells=120)


@pytest.fixture(scope="module")
def pitted(reference: trimesh.Trimesh) -> tuple[trimesh.Trimesh, np.ndarray]:
    return pit(reference, PIT_CENTRE, PIT_RADIUS, DEPTH)


@pytest.fixture(scope="module")
def scan(pitted: tuple[trimesh.Trimesh, np.ndarray]) -> np.ndarray:
    return simulated_scan(pitted[0], 50_000, transform=SCANNER, noise_m=NOISE, seed=3)


@pytest.fixture(scope="module")
def fitted(scan: np.ndarray, reference: trimesh.Trimesh) -> Registration:
    return register_scan(scan, reference, RegistrationParams(voxel_m=0.01))


def test_registration_recovers_the_scanner_transform(fitted: Registration) -> None:
    error = fitted.transform @ SCANNER  # identity when the scan is put back exactly
    assert _angle_deg(error[:3, :3]) < 0.05
    assert np.linalg.norm(error[:3, 3]) < 0.0005
    assert fitted.fitness > 0.95
    assert fitted.inlier_rmse_m < fitted.correspondence_m
    assert fitted.global_fitness is not None
    assert set(fitted.seconds) == {"prepare", "global", "icp"}


def test_change_map_recovers_the_pit_depth_and_leaves_the_rest_flat(
    reference: trimesh.Trimesh,
    pitted: tuple[trimesh.Trimesh, np.ndarray],
    scan: np.ndarray,
    fitted: Registration,
) -> None:
    change = surface_change(reference, apply_transform(scan, fitted.transform))
    d = change.displacement_mm
    r = np.linalg.norm(np.asarray(reference.vertices)[:, :2] - PIT_CENTRE, axis=1)
    flat, far = r < 0.6 * PIT_RADIUS, r > 1.2 * PIT_RADIUS
    assert np.isfinite(d[flat]).all()
    assert np.median(d[flat]) == pytest.approx(-DEPTH * 1000, abs=0.2)
    assert np.abs(d[flat] + DEPTH * 1000).max() < 0.8
    assert np.nanpercentile(np.abs(d[far]), 99) < 1.0

    summary = summarise(change, threshold_mm=1.0)
    truth = pitted[1] * 1000.0
    true_area = vertex_areas(reference)[truth < -1.0].sum()
    assert summary.max_loss_mm == pytest.approx(3.0, abs=0.8)  # an extreme: noise adds
    assert summary.area_loss_m2 == pytest.approx(true_area, rel=0.2)
    assert summary.area_gain_m2 < 0.05 * summary.area_loss_m2
    assert summary.coverage > 0.99
    assert summary.points_ignored == 0


def test_a_raised_deposit_reads_as_gain(reference: trimesh.Trimesh) -> None:
    bumped, _ = pit(reference, (0.75, 0.2), 0.06, -0.002)  # negative depth: a bump
    points = simulated_scan(bumped, 40_000, noise_m=NOISE, seed=5)
    d = surface_change(reference, points).displacement_mm
    r = np.linalg.norm(np.asarray(reference.vertices)[:, :2] - (0.75, 0.2), axis=1)
    assert np.median(d[r < 0.03]) == pytest.approx(2.0, abs=0.3)
    summary = summarise(surface_change(reference, points), threshold_mm=1.0)
    assert summary.max_gain_mm > 1.5
    assert summary.area_loss_m2 < 0.1 * summary.area_gain_m2


def test_unseen_surface_has_no_value(reference: trimesh.Trimesh) -> None:
    points = simulated_scan(reference, 40_000, noise_m=NOISE, seed=7)
    half = points[points[:, 0] < 0.5]
    change = surface_change(reference, half)
    x, y = np.asarray(reference.vertices)[:, 0], np.asarray(reference.vertices)[:, 1]
    inside = (x > 0.02) & (x < 0.45) & (y > 0.02) & (y < 0.68)
    assert np.isnan(change.displacement_mm[x > 0.55]).all()
    assert np.isfinite(change.displacement_mm[inside]).all()
    assert summarise(change).coverage == pytest.approx(0.5, abs=0.05)


def test_points_far_from_the_reference_are_ignored(reference: trimesh.Trimesh) -> None:
    points = simulated_scan(reference, 20_000, seed=9)
    clutter = np.random.default_rng(1).uniform([0, 0, 0.5], [1, 0.7, 1.0], size=(500, 3))
    change = surface_change(reference, np.vstack([points, clutter]), max_distance_m=0.05)
    assert np.isnan(change.point_distance_mm[-500:]).all()
    assert summarise(change).points_ignored == 500
    assert np.nanmax(np.abs(change.displacement_mm)) < 0.5


def test_initial_transform_skips_the_global_stage(
    scan: np.ndarray, reference: trimesh.Trimesh
) -> None:
    nudge = rigid_transform(1.0, [0, 0, 1], [0.004, -0.003, 0.002])
    guess = nudge @ np.linalg.inv(SCANNER)
    fit = register_scan(scan, reference, RegistrationParams(voxel_m=0.01), init=guess)
    assert fit.global_fitness is None
    assert "global" not in fit.seconds
    error = fit.transform @ SCANNER
    assert _angle_deg(error[:3, :3]) < 0.05
    assert np.linalg.norm(error[:3, 3]) < 0.0005


def test_scan_of_something_else_is_refused(reference: trimesh.Trimesh) -> None:
    ball = trimesh.creation.icosphere(subdivisions=4, radius=0.3)
    points = simulated_scan(ball, 30_000, noise_m=NOISE, seed=11)
    with pytest.raises(RegistrationFailed, match="overlap") as failed:
        register_scan(points, reference, RegistrationParams(voxel_m=0.01, min_fitness=0.5))
    assert isinstance(failed.value.registration, Registration)
    assert failed.value.registration.fitness < 0.5


def test_read_scan_converts_units(tmp_path: Path) -> None:
    pts = np.random.default_rng(0).uniform(0, 1000, size=(500, 3))
    path = tmp_path / "scan.ply"
    o3d.io.write_point_cloud(path, o3d.geometry.PointCloud(o3d.utility.Vector3dVector(pts)))
    assert read_scan(path, units="mm") == pytest.approx(pts / 1000.0)


def test_unusable_scans_are_refused(tmp_path: Path, reference: trimesh.Trimesh) -> None:
    with pytest.raises(ScanError, match="not found"):
        read_scan(tmp_path / "missing.ply")
    bad = tmp_path / "bad.ply"
    bad.write_text("ply\nformat ascii 1.0\nend_header\n")
    with pytest.raises(ScanError):
        read_scan(bad)
    with pytest.raises(ScanError, match="at least"):
        register_scan(np.zeros((10, 3)), reference)
    with pytest.raises(ScanError, match="NaN"):
        surface_change(reference, np.full((200, 3), np.nan))


def test_inspect_scan_from_a_ply_file_writes_a_heat_map(
    tmp_path: Path, reference: trimesh.Trimesh, scan: np.ndarray
) -> None:
    path = tmp_path / "scan.ply"
    o3d.io.write_point_cloud(
        path, o3d.geometry.PointCloud(o3d.utility.Vector3dVector(scan * 1000.0))
    )
    result = inspect_scan(
        path,
        reference,
        params=RegistrationParams(voxel_m=0.01),
        heatmap_out=tmp_path / "change.glb",
        scan_units="mm",
    )
    assert result.summary.max_loss_mm == pytest.approx(3.0, abs=0.8)
    assert result.heatmap is not None
    loaded = trimesh.load(result.heatmap, force="mesh", process=False)
    assert isinstance(loaded, trimesh.Trimesh)
    assert len(loaded.vertices) == len(reference.vertices)
    assert isinstance(loaded.visual, trimesh.visual.ColorVisuals)
    colours = np.asarray(loaded.visual.vertex_colors)
    d = result.change.displacement_mm
    deepest = int(np.nanargmin(d))
    assert colours[deepest, 0] > 150 and colours[deepest, 2] < 80  # red: loss
