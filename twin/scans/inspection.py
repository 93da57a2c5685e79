"""One call from a scan file to a registered change map, summary and heat map."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import trimesh
from numpy.typing import ArrayLike, NDArray

from twin.scans.change import ChangeSummary, SurfaceChange, summarise, surface_change
from twin.scans.clouds import as_points, read_scan
from twin.scans.heatmap import default_scale_mm, write_heatmap_glb
from twin.scans.registration import (
    Registration,
    RegistrationParams,
    apply_transform,
    register_scan,
)

__all__ = ["ScanInspection", "inspect_scan"]


@dataclass(frozen=True, slots=True)
class ScanInspection:
    """The fit, the change map, its summary, and the heat map written."""

    registration: Registration
    change: SurfaceChange
    summary: ChangeSummary
    heatmap: Path | None
    scale_mm: float


def inspect_scan(
    scan: str | Path | ArrayLike,
    reference: trimesh.Trimesh,
    *,
    params: RegistrationParams | None = None,
    init: NDArray[np.float64] | None = None,
    threshold_mm: float = 1.0,
    heatmap_out: str | Path | None = None,
    scan_units: str = "m",
) -> ScanInspection:
    """Register ``scan`` (a PLY path or (n, 3) points) to ``reference`` and map the change.

    ``threshold_mm`` is the smallest change that counts (set it above the
    scanner's noise); the heat map, when ``heatmap_out`` is given, is white
    within it and saturates at the 99th percentile of the change.
    """
    points = read_scan(scan, units=scan_units) if isinstance(scan, str | Path) else as_points(scan)
    fit = register_scan(points, reference, params, init=init)
    change = surface_change(reference, apply_transform(points, fit.transform))
    summary = summarise(change, threshold_mm)
    scale = default_scale_mm(change.displacement_mm, threshold_mm)
    out = None
    if heatmap_out is not None:
        out = write_heatmap_glb(
            reference,
            change.displacement_mm,
            heatmap_out,
            scale_mm=scale,
            threshold_mm=threshold_mm,
        )
    return ScanInspection(fit, change, summary, out, scale)
