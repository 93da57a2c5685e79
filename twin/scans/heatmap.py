"""Heat maps of surface change as vertex colours, exported as GLB.

Diverging colours centred on no change: red for loss (erosion), blue for
gain (deposits, bulging), near white within the noise threshold, grey where
the scan gave no value. The scale saturates at ``scale_mm``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import trimesh
from numpy.typing import ArrayLike, NDArray

from twin.geometry.export import VENUE_TO_GLTF
from twin.scans.errors import ScanError

__all__ = ["NO_DATA_RGBA", "change_colours", "default_scale_mm", "write_heatmap_glb"]

NO_DATA_RGBA = (128, 128, 128, 255)
_WHITE = np.array([247.0, 247.0, 247.0])
_LOSS = np.array([178.0, 24.0, 43.0])  # deep red
_GAIN = np.array([33.0, 102.0, 172.0])  # deep blue


def default_scale_mm(displacement_mm: ArrayLike, threshold_mm: float) -> float:
    """The 99th percentile of |change|, at least twice the threshold, at least 0.1 mm."""
    d = np.asarray(displacement_mm, dtype=np.float64)
    d = np.abs(d[np.isfinite(d)])
    p99 = float(np.percentile(d, 99)) if len(d) else 0.0
    return max(p99, 2.0 * threshold_mm, 0.1)


def change_colours(
    displacement_mm: ArrayLike, *, scale_mm: float, threshold_mm: float = 0.0
) -> NDArray[np.uint8]:
    """(v, 4) uint8 RGBA for (v,) float displacements in mm (NaN = no data)."""
    if scale_mm <= 0:
        raise ScanError("the colour scale must be positive")
    d = np.asarray(displacement_mm, dtype=np.float64).reshape(-1)
    seen = np.isfinite(d)
    mag = np.zeros_like(d)
    span = max(scale_mm - threshold_mm, 1e-9)
    mag[seen] = np.clip((np.abs(d[seen]) - threshold_mm) / span, 0.0, 1.0)
    end = np.where((d < 0)[:, None], _LOSS, _GAIN)
    rgb = _WHITE + mag[:, None] * (end - _WHITE)
    out = np.empty((len(d), 4), dtype=np.uint8)
    out[:, :3] = np.rint(rgb).astype(np.uint8)
    out[:, 3] = 255
    out[~seen] = NO_DATA_RGBA
    return out


def write_heatmap_glb(
    reference: trimesh.Trimesh,
    displacement_mm: ArrayLike,
    path: str | Path,
    *,
    scale_mm: float,
    threshold_mm: float = 0.0,
) -> Path:
    """Write ``reference`` coloured by change to ``path`` as GLB (Y up, as glTF wants)."""
    colours = change_colours(displacement_mm, scale_mm=scale_mm, threshold_mm=threshold_mm)
    if len(colours) != len(reference.vertices):
        raise ScanError(
            f"{len(colours)} displacement values for {len(reference.vertices)} mesh vertices"
        )
    mesh = trimesh.Trimesh(
        np.asarray(reference.vertices), np.asarray(reference.faces), process=False
    )
    mesh.visual = trimesh.visual.ColorVisuals(mesh, vertex_colors=colours)
    mesh.apply_transform(VENUE_TO_GLTF)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    mesh.export(p, file_type="glb")
    return p
