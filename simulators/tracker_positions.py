"""What a simulated ``people_tracker`` sends: its zone's people as positions with track ids.

The simulator's crowd model is per zone (how many people, not where), so a
tracker's people are placed here: each keeps a track id and walks at
``speed_m_s`` in a straight line, turning where the zone's floor ends, for
as long as the crowd model keeps them in the zone; newcomers appear at a
random point of the floor and leavers are picked at random. Like a real
tracker it drops each person from a frame with probability ``dropout``
(the count it reports is the people it located).

Not modelled: people crossing a gate's line (they appear and vanish inside
the zone), so a simulated tracker's line crossings are not a flow
measurement; place simulated trackers in zones whose gates are counted.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from ingest.contract import CONTRACT_VERSION, Reading, TrackFrame
from ingest.people_tracks import parse_track
from twin.venue import SensorKind, Venue

__all__ = ["TrackerPositions"]

# Ingest refuses frames with more than this many positions (docs/protocol.md).
_MAX_POSITIONS = 1000


@dataclass(slots=True)
class _Zone:
    polygon: shapely.Polygon
    lo: npt.NDArray[np.float64]
    hi: npt.NDArray[np.float64]
    xy: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 2)))
    heading: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    ids: list[int] = field(default_factory=list)
    ts: float | None = None


class TrackerPositions:
    """Positions per ``people_tracker`` sensor of ``venue``; state O(people in tracked zones)."""

    def __init__(
        self,
        venue: Venue,
        rng: np.random.Generator,
        dropout: float = 0.02,
        speed_m_s: float = 0.8,
    ) -> None:
        if not (0.0 <= dropout < 1.0 and speed_m_s >= 0.0):
            raise ValueError("need 0 <= dropout < 1 and speed >= 0")
        self._rng = rng
        self._dropout = dropout
        self._speed = speed_m_s
        floors = {z.id: [(float(p[0]), float(p[1])) for p in z.floor] for z in venue.zones}
        self.zone_of = {s.id: s.zone for s in venue.sensors if s.kind is SensorKind.PEOPLE_TRACKER}
        self._zones: dict[str, _Zone] = {}
        for zone in set(self.zone_of.values()):
            pts = np.asarray(floors[zone], dtype=np.float64)
            poly = shapely.Polygon(floors[zone])
            shapely.prepare(poly)
            self._zones[zone] = _Zone(poly, pts.min(axis=0), pts.max(axis=0))
        self._next_id = 1

    def _points_inside(self, z: _Zone, n: int) -> npt.NDArray[np.float64]:
        """``n`` points uniformly on the zone's floor (rejection from its bounding box)."""
        out = np.zeros((0, 2))
        while len(out) < n:
            cand = self._rng.uniform(z.lo, z.hi, size=(max(8, 2 * (n - len(out))), 2))
            out = np.concatenate([out, cand[shapely.contains_xy(z.polygon, cand)]])
        return out[:n]

    def _move(self, z: _Zone, zone_people: int, ts: float) -> None:
        dt = 0.0 if z.ts is None else max(0.0, ts - z.ts)
        z.ts = ts
        n = len(z.ids)
        if n and dt > 0.0:
            step = self._speed * dt * np.column_stack([np.cos(z.heading), np.sin(z.heading)])
            moved = z.xy + step
            ok = shapely.contains_xy(z.polygon, moved)
            z.xy = np.where(ok[:, None], moved, z.xy)
            # At the floor's edge a walker turns to a new direction.
            z.heading = np.where(ok, z.heading, self._rng.uniform(0, 2 * math.pi, n))
        if zone_people < n:
            keep = np.sort(self._rng.choice(n, size=zone_people, replace=False))
            z.xy, z.heading = z.xy[keep], z.heading[keep]
            z.ids = [z.ids[k] for k in keep.tolist()]
        elif zone_people > n:
            k = zone_people - n
            z.xy = np.concatenate([z.xy, self._points_inside(z, k)])
            z.heading = np.concatenate([z.heading, self._rng.uniform(0, 2 * math.pi, k)])
            z.ids += list(range(self._next_id, self._next_id + k))
            self._next_id += k

    def frame(
        self, sensor: str, ts: float, zone_people: int, reported: int | None = None
    ) -> dict[str, Any]:
        """The tracker's message at ``ts`` with ``zone_people`` truly in its zone (protocol.md).

        ``reported``: the count the sensor model (with its faults) reports;
        the positions are at most that many, and the frame's count is it.
        """
        z = self._zones[self.zone_of[sensor]]
        self._move(z, max(0, int(zone_people)), ts)
        seen = np.flatnonzero(self._rng.random(len(z.ids)) >= self._dropout)[:_MAX_POSITIONS]
        if reported is not None:
            seen = seen[: max(0, reported)]
        return {
            "v": CONTRACT_VERSION,
            "ts": round(ts * 1000.0),
            "count": len(seen) if reported is None else max(len(seen), reported),
            "positions": [[round(x, 3), round(y, 3)] for x, y in z.xy[seen].tolist()],
            "ids": [z.ids[k] for k in seen.tolist()],
        }

    def split(
        self,
        readings: Sequence[Reading],
        occupancy: Mapping[str, int] | Callable[[float], Mapping[str, int]],
    ) -> tuple[list[Reading], list[tuple[str, dict[str, Any]]]]:
        """Readings left as they are, and a frame for each tracker reading (which it replaces).

        ``occupancy``: the true people per zone, or the truth at a stamp
        (``VenueSimulator.occupancy_at``), so each frame walks the people
        present at its own time rather than at the end of the step.
        """
        plain: list[Reading] = []
        frames: list[tuple[str, dict[str, Any]]] = []
        at: dict[float, Mapping[str, int]] = {}
        for r in readings:
            zone = self.zone_of.get(r.sensor)
            if zone is None or not math.isfinite(r.value):
                plain.append(r)  # a tracker's fault (a stuck or missing value) stays as read
                continue
            # The reading's value (dropouts, and any injected fault) is the count.
            count = round(max(0.0, r.value))
            if callable(occupancy):
                if r.ts not in at:
                    at[r.ts] = occupancy(r.ts)
                people = at[r.ts].get(zone, 0)
            else:
                people = occupancy.get(zone, 0)
            frames.append((r.sensor, self.frame(r.sensor, r.ts, people, count)))
        return plain, frames


def as_decoded(
    venue: str, frames: Sequence[tuple[str, dict[str, Any]]]
) -> list[Reading | TrackFrame]:
    """What ingest makes of tracker frames, for runs without a broker: a track and a count each.

    Parsed by ingest's own :func:`~ingest.people_tracks.parse_track`; the
    count goes in as the sensor's reading, as ``ingest.decode`` does.
    """
    out: list[Reading | TrackFrame] = []
    for sensor, doc in frames:
        count, positions, ids = parse_track(doc)
        ts = doc["ts"] / 1000.0
        out += [
            TrackFrame(venue, sensor, ts, count, positions, ids),
            Reading(venue, sensor, ts, float(count)),
        ]
    return out
