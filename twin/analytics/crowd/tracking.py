"""What a people tracker's positions say about a zone: count, density, speed, line flow.

A tracker (3D stereo counter, camera tracker) reports the positions of the
people it sees, frame by frame, optionally with track ids. Per zone and
frame this module computes the methods of the field's measurement library,
PedPy (Forschungszentrum Juelich), without needing it at run time:

- **classic density** ``N / A(M)``: people inside the zone over its area;
- **Voronoi density** ``sum_i A(V_i & M) / A(V_i) / A(M)``: every person owns
  the part of the walkable area nearer to them than to anyone else (their
  Voronoi cell ``V_i``) and contributes the share of it inside the zone
  (Steffen & Seyfried (2010), "Methods for measuring pedestrian density,
  flow, speed and direction with minimal scatter", Physica A 389(9)). The
  cells are measured on a grid of ``grid_m`` over the walkable area (nearest
  person by k-d tree), an approximation whose error is about the grid's share
  of a cell's perimeter; ``cutoff_m`` bounds a cell like PedPy's ``Cutoff``;
- **speed**: mean of each matched person's displacement over the frame gap;
- **line flow**: tracks crossing a segment between two frames, each way.

PedPy stays the reference: ``bench/crowd.py`` compares these figures with
PedPy's own on the shared experiments.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from twin.analytics.crowd.errors import InvalidInput
from twin.analytics.crowd.trajectories import zone_of_points

__all__ = ["VoronoiGrid", "classic_density", "line_crossings", "mean_speed"]

Points = npt.NDArray[np.float64]
Polygon = Sequence[tuple[float, float]]


def classic_density(xy: Points, zone: Polygon, area_m2: float) -> float:
    """People inside the zone polygon per square metre."""
    if not area_m2 > 0:
        raise InvalidInput("zone area must be > 0")
    if len(xy) == 0:
        return 0.0
    return float((zone_of_points(xy, [zone]) == 0).sum()) / area_m2


class VoronoiGrid:
    """Voronoi density of zones inside a walkable area, on a fixed grid of cells.

    Build once per venue (grid points of the walkable area and, per zone,
    which of them lie inside); each frame then costs one k-d tree query of
    the grid against the people's positions.
    """

    def __init__(
        self,
        walkable: Polygon,
        zones: Sequence[Polygon],
        grid_m: float = 0.05,
        cutoff_m: float | None = None,
    ) -> None:
        if not grid_m > 0:
            raise InvalidInput("grid_m must be > 0")
        pts = np.asarray(walkable, dtype=np.float64)
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        xs = np.arange(lo[0] + grid_m / 2, hi[0], grid_m)
        ys = np.arange(lo[1] + grid_m / 2, hi[1], grid_m)
        gx, gy = np.meshgrid(xs, ys)
        grid = np.column_stack([gx.ravel(), gy.ravel()])
        self.points = grid[zone_of_points(grid, [walkable]) == 0]
        self.cell_m2 = grid_m * grid_m
        self.cutoff_m = cutoff_m
        self._zone = zone_of_points(self.points, list(zones))
        self._zone_area = (
            np.bincount(self._zone[self._zone >= 0], minlength=len(zones)) * self.cell_m2
        )

    def density(self, xy: Points) -> npt.NDArray[np.float64]:
        """Voronoi density (p/m^2) of every zone for one frame's positions."""
        nz = len(self._zone_area)
        if len(xy) == 0:
            return np.zeros(nz)
        dist, owner = cKDTree(xy).query(self.points)
        if self.cutoff_m is not None:
            owner = np.where(dist <= self.cutoff_m, owner, -1)
        ok = owner >= 0
        cell = np.bincount(owner[ok], minlength=len(xy)).astype(np.float64)  # grid points per cell
        inside = ok & (self._zone >= 0)
        # Each grid point in zone z owned by person i adds 1 / |V_i| of a person.
        share = np.zeros(nz)
        np.add.at(share, self._zone[inside], 1.0 / cell[owner[inside]])
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self._zone_area > 0, share / self._zone_area, 0.0)


def mean_speed(
    ids0: npt.NDArray[np.int64], xy0: Points, ids1: npt.NDArray[np.int64], xy1: Points, dt_s: float
) -> float | None:
    """Mean speed (m/s) of the people seen in both frames (matched by track id)."""
    if not dt_s > 0:
        raise InvalidInput("dt_s must be > 0")
    common, i0, i1 = np.intersect1d(ids0, ids1, return_indices=True)
    if len(common) == 0:
        return None
    return float(np.linalg.norm(xy1[i1] - xy0[i0], axis=1).mean() / dt_s)


def line_crossings(
    ids0: npt.NDArray[np.int64],
    xy0: Points,
    ids1: npt.NDArray[np.int64],
    xy1: Points,
    line: tuple[tuple[float, float], tuple[float, float]],
) -> tuple[int, int]:
    """Tracks crossing the segment between two frames: (left -> right, right -> left).

    "Left" is the side of the segment's direction ``a -> b`` on the left.
    """
    common, i0, i1 = np.intersect1d(ids0, ids1, return_indices=True)
    if len(common) == 0:
        return 0, 0
    a, b = np.asarray(line[0], dtype=np.float64), np.asarray(line[1], dtype=np.float64)
    p, q = xy0[i0], xy1[i1]
    d = b - a

    def side(pt: Points) -> npt.NDArray[np.float64]:
        return np.asarray(d[0] * (pt[:, 1] - a[1]) - d[1] * (pt[:, 0] - a[0]))

    s0, s1 = side(p), side(q)
    crossed = (s0 > 0) != (s1 > 0)
    # The move must pass between the segment's ends, not beside it.
    e = q - p
    sa = e[:, 0] * (a[1] - p[:, 1]) - e[:, 1] * (a[0] - p[:, 0])
    sb = e[:, 0] * (b[1] - p[:, 1]) - e[:, 1] * (b[0] - p[:, 0])
    crossed &= (sa > 0) != (sb > 0)
    return int((crossed & (s0 > 0)).sum()), int((crossed & (s0 <= 0)).sum())
