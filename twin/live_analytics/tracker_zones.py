"""People trackers' positions, live: classic and Voronoi density and walking speed per zone.

A ``people_tracker`` sensor (3D stereo counter, camera tracker) sends frames
of positions (:class:`~ingest.contract.TrackFrame`); its count is also a
reading, which :class:`~twin.live_analytics.crowd.CrowdTracker` takes as a
direct count of its zone. Here, per crowd step, the latest frame of each
tracker gives its zone's classic density (people inside the zone polygon per
m^2) and Voronoi density (cells restricted to the zone, the tracker's field of
view), both by :mod:`twin.analytics.crowd.tracking` (PedPy's definitions;
bench/crowd.py compares them with PedPy). With track ids, speed is PedPy's
``compute_individual_speed`` with ``frame_step=1`` and ``BORDER_EXCLUDE``
(central difference over the frames before and after), averaged per frame
over the people in the zone and then over the step's frames
(``compute_mean_speed_per_frame``).

State is bounded: per tracker, the last three frames (each capped at
``ingest.people_tracks.MAX_POSITIONS``) and two running sums.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ingest.contract import TrackFrame
from twin.analytics.crowd.tracking import VoronoiGrid, classic_density
from twin.analytics.crowd.trajectories import zone_of_points
from twin.venue import SensorKind, Venue

__all__ = ["TrackedZone", "TrackerZones"]

# At most this many grid points per zone for the Voronoi cells (cost per step).
_MAX_GRID_POINTS = 40_000
_FINEST_GRID_M = 0.05


@dataclass(frozen=True, slots=True)
class TrackedZone:
    """What a zone's trackers measured over the last step (None: not measurable)."""

    classic_density: float
    voronoi_density: float
    speed_m_s: float | None


@dataclass(slots=True)
class _Frame:
    ts: float
    xy: npt.NDArray[np.float64]
    ids: dict[str, int] | None  # track id -> row in xy


class _Tracker:
    def __init__(self, zone: str) -> None:
        self.zone = zone
        self.frames: deque[_Frame] = deque(maxlen=3)
        self.speed_sum = 0.0
        self.speed_frames = 0

    def add(self, frame: TrackFrame, polygon: list[tuple[float, float]]) -> None:
        if self.frames and frame.ts <= self.frames[-1].ts:
            return  # late or repeated frame: the speed needs time order
        xy = np.asarray(frame.positions, dtype=np.float64).reshape(-1, 2)
        ids = None if frame.ids is None else {t: i for i, t in enumerate(frame.ids)}
        self.frames.append(_Frame(frame.ts, xy, ids))
        if len(self.frames) == 3:
            self._speed_at_middle(polygon)

    def _speed_at_middle(self, polygon: list[tuple[float, float]]) -> None:
        before, mid, after = self.frames
        if before.ids is None or mid.ids is None or after.ids is None:
            return
        dt = after.ts - before.ts
        both = [t for t in mid.ids if t in before.ids and t in after.ids]
        if not both or not dt > 0:
            return
        rows = np.array([mid.ids[t] for t in both])
        inside = zone_of_points(mid.xy[rows], [polygon]) == 0
        if not inside.any():
            return
        a = before.xy[[before.ids[t] for t in both]][inside]
        b = after.xy[[after.ids[t] for t in both]][inside]
        self.speed_sum += float(np.linalg.norm(b - a, axis=1).mean() / dt)
        self.speed_frames += 1


class TrackerZones:
    """Per-zone density and speed from every ``people_tracker`` of one venue."""

    def __init__(self, venue: Venue) -> None:
        self._trackers = {
            s.id: _Tracker(s.zone) for s in venue.sensors if s.kind is SensorKind.PEOPLE_TRACKER
        }
        zones = {z.id: z for z in venue.zones}
        self._polygon: dict[str, list[tuple[float, float]]] = {
            t.zone: [(float(p[0]), float(p[1])) for p in zones[t.zone].floor]
            for t in self._trackers.values()
        }
        self._area = {z: zones[z].area_m2 for z in self._polygon}
        self._grid: dict[str, VoronoiGrid] = {}

    @property
    def handles(self) -> frozenset[str]:
        return frozenset(self._trackers)

    def add(self, frame: TrackFrame) -> None:
        t = self._trackers.get(frame.sensor)
        if t is not None:
            t.add(frame, self._polygon[t.zone])

    def _voronoi(self, zone: str) -> VoronoiGrid:
        grid = self._grid.get(zone)
        if grid is None:
            poly = self._polygon[zone]
            step = max(_FINEST_GRID_M, math.sqrt(self._area[zone] / _MAX_GRID_POINTS))
            grid = self._grid[zone] = VoronoiGrid(poly, [poly], grid_m=step)
        return grid

    def step(self, now: float, max_age_s: float) -> dict[str, TrackedZone]:
        """The step's figures per tracked zone (trackers of one zone averaged); resets speeds.

        A tracker whose last frame is older than ``max_age_s`` at ``now`` is left out.
        """
        per_zone: dict[str, list[tuple[float, float, float | None]]] = {}
        for t in self._trackers.values():
            if not t.frames or t.frames[-1].ts < now - max_age_s:
                t.speed_sum, t.speed_frames = 0.0, 0
                continue
            xy = t.frames[-1].xy
            classic = classic_density(xy, self._polygon[t.zone], self._area[t.zone])
            voronoi = float(self._voronoi(t.zone).density(xy)[0])
            speed = t.speed_sum / t.speed_frames if t.speed_frames else None
            t.speed_sum, t.speed_frames = 0.0, 0
            per_zone.setdefault(t.zone, []).append((classic, voronoi, speed))
        out = {}
        for zone, rows in per_zone.items():
            speeds = [s for _, _, s in rows if s is not None]
            out[zone] = TrackedZone(
                sum(r[0] for r in rows) / len(rows),
                sum(r[1] for r in rows) / len(rows),
                sum(speeds) / len(speeds) if speeds else None,
            )
        return out
