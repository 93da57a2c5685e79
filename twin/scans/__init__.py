"""Scans of rooms and carved surfaces against the twin's reference mesh.

Needs the ``scan`` extra (open3d). Register a point-cloud scan to a mesh
(:func:`register_scan`), measure per-vertex surface change in millimetres
(:func:`surface_change`, :func:`summarise`) and write a heat map
(:func:`write_heatmap_glb`); :func:`inspect_scan` does all of it.
"""

from __future__ import annotations

from twin.scans.change import ChangeSummary, SurfaceChange, summarise, surface_change
from twin.scans.clouds import read_scan
from twin.scans.errors import RegistrationFailed, ScanError
from twin.scans.heatmap import change_colours, write_heatmap_glb
from twin.scans.inspection import ScanInspection, inspect_scan
from twin.scans.registration import (
    Registration,
    RegistrationParams,
    apply_transform,
    register_scan,
)

__all__ = [
    "ChangeSummary",
    "Registration",
    "RegistrationFailed",
    "RegistrationParams",
    "ScanError",
    "ScanInspection",
    "SurfaceChange",
    "apply_transform",
    "change_colours",
    "inspect_scan",
    "read_scan",
    "register_scan",
    "summarise",
    "surface_change",
    "write_heatmap_glb",
]
