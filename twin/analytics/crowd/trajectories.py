"""Pedestrian trajectories (PeTrack / PedPy text) and the zone truth they imply.

A trajectory file has one row per person and frame: ``id frame x y [z]``,
whitespace separated, ``#`` comments; the unit (m or cm) and the frame rate
are not in the columns, so they are given (PedPy's ``load_trajectory`` asks
for the same two). From the tracks and a venue's zone polygons this module
derives, per person and frame, the zone they stand in (-1: none), and from
that the ground truth a crowd estimator is scored against: occupancy per
zone per frame and every crossing between zones, which is what a gate
counter on the shared edge would see.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from twin.analytics.crowd.errors import InvalidInput

__all__ = [
    "Crossings",
    "Trajectories",
    "crossings",
    "load_trajectories",
    "occupancy_per_frame",
    "zone_of_points",
]

_UNITS = {"m": 1.0, "cm": 0.01, "mm": 0.001}
_FPS = re.compile(r"framerate:\s*([0-9.]+)", re.IGNORECASE)

Points = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Trajectories:
    """Rows sorted by (person, frame): ``person``, ``frame`` int; ``xy`` in metres."""

    person: npt.NDArray[np.int64]
    frame: npt.NDArray[np.int64]
    xy: Points
    fps: float

    @property
    def first_frame(self) -> int:
        return int(self.frame.min())

    @property
    def last_frame(self) -> int:
        return int(self.frame.max())

    def time_s(self, frame: npt.NDArray[np.int64] | int) -> npt.NDArray[np.float64] | float:
        return (np.asarray(frame) - self.first_frame) / self.fps


def load_trajectories(path: Path, unit: str = "m", fps: float | None = None) -> Trajectories:
    """Read a PeTrack/PedPy text file; ``fps`` defaults to the file's ``# framerate:``."""
    if unit not in _UNITS:
        raise InvalidInput(f"unit must be one of {sorted(_UNITS)}, not {unit!r}")
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc}") from exc
    if fps is None:
        found = _FPS.search(text)
        if found is None:
            raise InvalidInput(f"{path}: no '# framerate:' line; give the frame rate")
        fps = float(found.group(1))
    if not (math.isfinite(fps) and fps > 0):
        raise InvalidInput(f"frame rate must be > 0, got {fps}")
    rows = [
        ln.split() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")
    ]
    if not rows:
        raise InvalidInput(f"{path}: no trajectory rows")
    try:
        data = np.array([[float(v) for v in r[:4]] for r in rows], dtype=np.float64)
    except (ValueError, IndexError) as exc:
        raise InvalidInput(f"{path}: rows must be 'id frame x y [z]': {exc}") from exc
    if data.ndim != 2 or data.shape[1] != 4 or not np.isfinite(data).all():
        raise InvalidInput(f"{path}: rows must be 'id frame x y [z]' with finite numbers")
    order = np.lexsort((data[:, 1], data[:, 0]))
    data = data[order]
    return Trajectories(
        data[:, 0].astype(np.int64),
        data[:, 1].astype(np.int64),
        data[:, 2:4] * _UNITS[unit],
        float(fps),
    )


def zone_of_points(
    xy: Points, polygons: Sequence[Sequence[tuple[float, float]]]
) -> npt.NDArray[np.int64]:
    """Index of the first polygon holding each point (even-odd rule), -1 for none."""
    out = np.full(len(xy), -1, dtype=np.int64)
    x, y = xy[:, 0], xy[:, 1]
    for k, poly in enumerate(polygons):
        pts = np.asarray(poly, dtype=np.float64)
        inside = np.zeros(len(xy), dtype=bool)
        x1, y1 = pts[:, 0], pts[:, 1]
        x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
        for a, b, c, d in zip(x1, y1, x2, y2, strict=True):
            crosses = (b > y) != (d > y)
            with np.errstate(divide="ignore", invalid="ignore"):
                xi = a + (y - b) * (c - a) / (d - b)
            inside ^= crosses & (x < xi)
        out[(out < 0) & inside] = k
    return out


@dataclass(frozen=True, slots=True)
class Crossings:
    """Every move between zones: frame of arrival, person, from and to zone (-1: outside)."""

    frame: npt.NDArray[np.int64]
    person: npt.NDArray[np.int64]
    src: npt.NDArray[np.int64]
    dst: npt.NDArray[np.int64]


def crossings(traj: Trajectories, zone: npt.NDArray[np.int64]) -> Crossings:
    """Zone changes along each track; a track's start and end cross from/to outside.

    A gap in a track (a frame missing) does not count as leaving: people do
    not vanish, trackers lose them.
    """
    p, f = traj.person, traj.frame
    same = p[1:] == p[:-1]
    moved = same & (zone[1:] != zone[:-1])
    idx = np.flatnonzero(moved) + 1
    starts = np.flatnonzero(np.concatenate(([True], ~same)))
    ends = np.flatnonzero(np.concatenate((~same, [True])))
    first = starts[zone[starts] >= 0]
    last = ends[zone[ends] >= 0]
    frame = np.concatenate((f[idx], f[first], f[last] + 1))
    person = np.concatenate((p[idx], p[first], p[last]))
    src = np.concatenate((zone[idx - 1], np.full(len(first), -1), zone[last]))
    dst = np.concatenate((zone[idx], zone[first], np.full(len(last), -1)))
    order = np.argsort(frame, kind="stable")
    return Crossings(frame[order], person[order], src[order], dst[order])


def occupancy_per_frame(
    traj: Trajectories, zone: npt.NDArray[np.int64], n_zones: int
) -> npt.NDArray[np.int64]:
    """``(n_frames, n_zones)`` people per zone, frame ``traj.first_frame + row``."""
    n_frames = traj.last_frame - traj.first_frame + 1
    out = np.zeros((n_frames, n_zones), dtype=np.int64)
    ok = zone >= 0
    np.add.at(out, (traj.frame[ok] - traj.first_frame, zone[ok]), 1)
    return out
