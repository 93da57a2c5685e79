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

A tracker that stops sending is offline after a few of its own frame
intervals (:mod:`twin.live_analytics.tracker_liveness`): its zone's figures
are left out, and its gates' crossings are reported as unknown, not as zero
(:meth:`TrackerZones.take_crossings`). No crossing or speed is measured
across an outage.

State is bounded: per tracker, the last three frames (each capped at
``ingest.people_tracks.MAX_POSITIONS``), two running sums and its liveness.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ingest.contract import TrackFrame
from twin.analytics.crowd.tracking import VoronoiGrid, classic_density, line_crossings
from twin.analytics.crowd.trajectories import zone_of_points
from twin.live_analytics.tracker_liveness import TrackerLiveness
from twin.venue import SensorKind, Venue

__all__ = ["MAX_SHOWN", "TrackedZone", "TrackerZones", "gate_line"]

Segment = tuple[tuple[float, float], tuple[float, float]]

# At most this many positions per zone go to the viewer (bytes per frame).
MAX_SHOWN = 300
# At most this many grid points per zone for the Voronoi cells (cost per step).
_MAX_GRID_POINTS = 40_000
_FINEST_GRID_M = 0.05


@dataclass(frozen=True, slots=True)
class TrackedZone:
    """What a zone's trackers measured over the last step (None: not measurable).

    ``positions``: the people inside the zone in the latest frame of each of its
    trackers (venue metres), at most ``MAX_SHOWN`` of them, for the viewer.
    """

    classic_density: float
    voronoi_density: float
    speed_m_s: float | None
    positions: tuple[tuple[float, float], ...] = ()


@dataclass(slots=True)
class _Frame:
    ts: float
    xy: npt.NDArray[np.float64]
    ids: dict[str, int] | None  # track id -> row in xy


def gate_line(
    position: tuple[float, float], width_m: float, polygon: list[tuple[float, float]]
) -> Segment:
    """A gate's counting line: ``width_m`` along the polygon edge nearest its position."""
    p = np.asarray(position, dtype=np.float64)
    pts = np.asarray(polygon, dtype=np.float64)
    a, b = pts, np.roll(pts, -1, axis=0)
    d = b - a
    length2 = np.maximum((d * d).sum(axis=1), 1e-12)
    u = np.clip(((p - a) * d).sum(axis=1) / length2, 0.0, 1.0)
    dist = np.linalg.norm(a + u[:, None] * d - p, axis=1)
    k = int(np.argmin(dist))
    e = d[k] / math.sqrt(length2[k]) * width_m / 2.0
    return (float(p[0] - e[0]), float(p[1] - e[1])), (float(p[0] + e[0]), float(p[1] + e[1]))


@dataclass(slots=True)
class _GateLine:
    gate: str
    line: Segment
    from_left: bool  # the gate's from_zone lies left of the line's direction
    forward: int = 0
    backward: int = 0


class _Tracker:
    def __init__(self, zone: str, gates: list[_GateLine]) -> None:
        self.zone = zone
        self.gates = gates
        self.frames: deque[_Frame] = deque(maxlen=3)
        self.speed_sum = 0.0
        self.speed_frames = 0
        # Crossings need track ids in consecutive frames (a count-only tracker has none).
        self.with_ids = False

    def add(self, frame: TrackFrame, polygon: list[tuple[float, float]]) -> None:
        if self.frames and frame.ts <= self.frames[-1].ts:
            return  # late or repeated frame: the speed needs time order
        xy = np.asarray(frame.positions, dtype=np.float64).reshape(-1, 2)
        ids = None if frame.ids is None else {t: i for i, t in enumerate(frame.ids)}
        self.frames.append(_Frame(frame.ts, xy, ids))
        self.with_ids = ids is not None
        if len(self.frames) >= 2 and self.gates:
            self._crossings(self.frames[-2], self.frames[-1])
        if len(self.frames) == 3:
            self._speed_at_middle(polygon)

    def _crossings(self, before: _Frame, after: _Frame) -> None:
        """People whose track crossed a gate's line between two frames, each way."""
        if before.ids is None or after.ids is None:
            return
        both = [t for t in after.ids if t in before.ids]
        if not both:
            return
        xy0 = before.xy[[before.ids[t] for t in both]]
        xy1 = after.xy[[after.ids[t] for t in both]]
        rows = np.arange(len(both), dtype=np.int64)
        for g in self.gates:
            left_to_right, right_to_left = line_crossings(rows, xy0, rows, xy1, g.line)
            g.forward += left_to_right if g.from_left else right_to_left
            g.backward += right_to_left if g.from_left else left_to_right

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
        zones = {z.id: z for z in venue.zones}
        trackers = [s for s in venue.sensors if s.kind is SensorKind.PEOPLE_TRACKER]
        self._trackers = {s.id: _Tracker(s.zone, _gate_lines(venue, s.zone)) for s in trackers}
        self.liveness = TrackerLiveness({s.id: s.interval_s for s in trackers})
        self._polygon: dict[str, list[tuple[float, float]]] = {
            t.zone: [(float(p[0]), float(p[1])) for p in zones[t.zone].floor]
            for t in self._trackers.values()
        }
        self._area = {z: zones[z].area_m2 for z in self._polygon}
        self._grid: dict[str, VoronoiGrid] = {}

    @property
    def handles(self) -> frozenset[str]:
        return frozenset(self._trackers)

    def seen(self, sensor: str, ts: float) -> None:
        """Any message of a tracker (its count reading or its positions) at ``ts``."""
        t = self._trackers.get(sensor)
        if t is not None and self.liveness.seen(sensor, ts):
            # Back from an outage: nothing is measured across it.
            t.frames.clear()
            t.with_ids = False

    def add(self, frame: TrackFrame) -> None:
        t = self._trackers.get(frame.sensor)
        if t is not None:
            self.seen(frame.sensor, frame.ts)
            t.add(frame, self._polygon[t.zone])

    def online(self, sensor: str, now: float) -> bool:
        return sensor in self._trackers and self.liveness.online(sensor, now)

    def offline_zones(self, now: float) -> frozenset[str]:
        """Zones whose every tracker is offline at ``now``."""
        on = {t.zone for s, t in self._trackers.items() if self.liveness.online(s, now)}
        return frozenset(t.zone for t in self._trackers.values()) - on

    def _voronoi(self, zone: str) -> VoronoiGrid:
        grid = self._grid.get(zone)
        if grid is None:
            poly = self._polygon[zone]
            step = max(_FINEST_GRID_M, math.sqrt(self._area[zone] / _MAX_GRID_POINTS))
            grid = self._grid[zone] = VoronoiGrid(poly, [poly], grid_m=step)
        return grid

    def watched_gates(self) -> frozenset[str]:
        """Gates whose counting line a tracker with a view of it watches."""
        return frozenset(g.gate for t in self._trackers.values() for g in t.gates)

    def take_crossings(self, start: float, now: float) -> dict[str, tuple[float, float]]:
        """People who crossed each watched gate in ``[start, now]``, (forward, backward).

        Only gates a tracker watched the whole time, with track ids, are in
        the answer: a gate left out is unknown for the step (its tracker was
        offline, came back during it, or sends no ids), not crossed by nobody.
        A gate two trackers watch (one each side) gets the mean of those that saw it.
        """
        sums: dict[str, list[float]] = {}
        for s, t in self._trackers.items():
            seen = t.with_ids and self.liveness.covered(s, start, now)
            for g in t.gates:
                if seen:
                    acc = sums.setdefault(g.gate, [0.0, 0.0, 0.0])
                    acc[0] += g.forward
                    acc[1] += g.backward
                    acc[2] += 1.0
                g.forward = g.backward = 0
        return {g: (f / n, b / n) for g, (f, b, n) in sums.items()}

    def step(self, now: float) -> dict[str, TrackedZone]:
        """The step's figures per tracked zone (trackers of one zone averaged); resets speeds.

        A tracker offline at ``now`` is left out (its zone's figures are unknown).
        """
        per_zone: dict[str, list[tuple[float, float, float | None]]] = {}
        shown: dict[str, list[npt.NDArray[np.float64]]] = {}
        for s, t in self._trackers.items():
            if not t.frames or not self.liveness.online(s, now):
                t.speed_sum, t.speed_frames = 0.0, 0
                continue
            xy = t.frames[-1].xy
            classic = classic_density(xy, self._polygon[t.zone], self._area[t.zone])
            voronoi = float(self._voronoi(t.zone).density(xy)[0])
            speed = t.speed_sum / t.speed_frames if t.speed_frames else None
            t.speed_sum, t.speed_frames = 0.0, 0
            per_zone.setdefault(t.zone, []).append((classic, voronoi, speed))
            inside = zone_of_points(xy, [self._polygon[t.zone]]) == 0
            shown.setdefault(t.zone, []).append(xy[inside])
        out = {}
        for zone, rows in per_zone.items():
            speeds = [s for _, _, s in rows if s is not None]
            xy = np.concatenate(shown[zone])[:MAX_SHOWN]
            out[zone] = TrackedZone(
                sum(r[0] for r in rows) / len(rows),
                sum(r[1] for r in rows) / len(rows),
                sum(speeds) / len(speeds) if speeds else None,
                tuple((float(x), float(y)) for x, y in xy.tolist()),
            )
        return out


def _gate_lines(venue: Venue, zone: str) -> list[_GateLine]:
    """The counting lines of the gates of ``zone`` (a tracker watching it sees them)."""
    polygon = next(
        [(float(p[0]), float(p[1])) for p in z.floor] for z in venue.zones if z.id == zone
    )
    out = []
    for g in venue.gates:
        if zone not in (g.from_zone, g.to_zone):
            continue
        pos = (float(g.position[0]), float(g.position[1]))
        (ax, ay), (bx, by) = line = gate_line(pos, g.width_m, polygon)
        # Which side is this zone: a point a few centimetres left of the line.
        length = math.hypot(bx - ax, by - ay) or 1.0
        probe = np.array([[pos[0] - 0.05 * (by - ay) / length, pos[1] + 0.05 * (bx - ax) / length]])
        zone_left = bool(zone_of_points(probe, [polygon])[0] == 0)
        out.append(_GateLine(g.id, line, zone_left == (g.from_zone == zone)))
    return out
