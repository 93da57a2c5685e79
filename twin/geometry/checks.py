"""Placement checks: sensors and gates against zones and the venue mesh.

Nothing here moves a sensor. Misplaced items come back as typed
:class:`Finding` values (with the snapped position as a suggestion) so that an
engineer fixes the venue file rather than the twin guessing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
import trimesh
from numpy.typing import ArrayLike, NDArray

from twin.geometry.polygons import (
    points_in_polygon,
    points_in_zone,
    segment_distances,
    zone_of_points,
)
from twin.venue import GateKind, Venue

__all__ = [
    "DEFAULT_MESH_TOLERANCE_M",
    "GATE_ON_WALL_TOLERANCE_M",
    "Finding",
    "FindingKind",
    "Snap",
    "check_venue",
    "snap_to_mesh",
]

# Room sensors hang in the air (2.2 m over the floor is common) and the
# procedural mesh has no ceilings, so the default only catches gross errors:
# wrong units, swapped axes, a sensor in the wrong building.
DEFAULT_MESH_TOLERANCE_M = 2.5
# How far a gate may sit from its zone's wall and still count as a doorway.
GATE_ON_WALL_TOLERANCE_M = 0.3
_SNAP_BLOCK = 256


class FindingKind(enum.StrEnum):
    SENSOR_OUTSIDE_ZONES = "sensor_outside_zones"
    SENSOR_OUTSIDE_OWN_ZONE = "sensor_outside_own_zone"
    SENSOR_OFF_MESH = "sensor_off_mesh"
    ARTEFACT_OUTSIDE_OWN_ZONE = "artefact_outside_own_zone"
    GATE_OFF_WALL = "gate_off_wall"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in a venue; ``subject`` is the sensor, artefact or gate id."""

    kind: FindingKind
    subject: str
    message: str
    distance_m: float | None = None
    suggested_position: tuple[float, float, float] | None = None


@dataclass(frozen=True, slots=True)
class Snap:
    """Closest mesh surface points: ``points`` (n, 3), ``distance`` (n,), ``triangle`` (n,)."""

    points: NDArray[np.float64]
    distance: NDArray[np.float64]
    triangle: NDArray[np.int64]


def snap_to_mesh(mesh: trimesh.Trimesh, points: ArrayLike) -> Snap:
    """Nearest point on ``mesh``'s surface for each of ``points`` ((n, 3) float)."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    closest = np.zeros((len(pts), 3))
    distance = np.zeros(len(pts))
    triangle = np.zeros(len(pts), dtype=np.int64)
    # trimesh tests every triangle in a box around each point's nearest vertex;
    # for sensors in open rooms that is many, so blocks bound the temporaries.
    for i in range(0, len(pts), _SNAP_BLOCK):
        block = slice(i, i + _SNAP_BLOCK)
        c, d, t = trimesh.proximity.closest_point(mesh, pts[block])  # type: ignore[no-untyped-call]
        closest[block], distance[block], triangle[block] = c, d, t
    return Snap(closest, distance, triangle)


def _sensor_findings(venue: Venue) -> list[Finding]:
    if not venue.sensors:
        return []
    pts = np.array([s.position for s in venue.sensors], dtype=np.float64)
    declared = np.array([s.zone for s in venue.sensors])
    in_own = np.zeros(len(pts), dtype=np.bool_)
    for zone in venue.zones:
        mine = declared == zone.id
        if mine.any():
            in_own[mine] = points_in_zone(zone, pts[mine])
    stray = np.flatnonzero(~in_own)
    if len(stray) == 0:
        return []
    found = zone_of_points(venue.zones, pts[stray])
    out = []
    for k, zone_id in zip(stray, found, strict=True):
        s = venue.sensors[int(k)]
        if zone_id is None:
            out.append(
                Finding(
                    FindingKind.SENSOR_OUTSIDE_ZONES,
                    s.id,
                    f"sensor {s.id!r} at {s.position} is outside every zone "
                    f"(declared zone {s.zone!r})",
                )
            )
        else:
            out.append(
                Finding(
                    FindingKind.SENSOR_OUTSIDE_OWN_ZONE,
                    s.id,
                    f"sensor {s.id!r} is declared in zone {s.zone!r} but sits in {zone_id!r}",
                )
            )
    return out


def _artefact_findings(venue: Venue) -> list[Finding]:
    out = []
    for a in venue.artefacts:
        zone = venue.zone_by_id[a.zone]
        if not points_in_polygon([a.position[:2]], zone.floor)[0]:
            out.append(
                Finding(
                    FindingKind.ARTEFACT_OUTSIDE_OWN_ZONE,
                    a.id,
                    f"artefact {a.id!r} at {a.position} is outside its zone {a.zone!r}",
                )
            )
    return out


def _gate_findings(venue: Venue) -> list[Finding]:
    out = []
    for g in venue.gates:
        if g.kind in (GateKind.STAIR, GateKind.LIFT):
            continue  # a stair or lift lands inside a zone, not in a wall
        for zone_id in (g.from_zone, g.to_zone):
            if zone_id is None:
                continue
            zone = venue.zone_by_id[zone_id]
            ring = np.asarray(zone.floor, dtype=np.float64)
            dist, _ = segment_distances([g.position], ring, np.roll(ring, -1, axis=0))
            d = float(dist.min())
            if d > GATE_ON_WALL_TOLERANCE_M:
                out.append(
                    Finding(
                        FindingKind.GATE_OFF_WALL,
                        g.id,
                        f"gate {g.id!r} is {d:.2f} m from the edge of zone {zone_id!r}; "
                        "no doorway is cut for it",
                        distance_m=d,
                    )
                )
    return out


def check_venue(
    venue: Venue,
    mesh: trimesh.Trimesh | None = None,
    *,
    tolerance_m: float = DEFAULT_MESH_TOLERANCE_M,
) -> list[Finding]:
    """Everything misplaced in ``venue``, as findings; an empty list means all is well.

    With a ``mesh`` (twin frame: metres, Z up), sensors farther than
    ``tolerance_m`` from its surface are reported with the nearest surface
    point as a suggestion.
    """
    findings = _sensor_findings(venue) + _artefact_findings(venue) + _gate_findings(venue)
    if mesh is not None and venue.sensors:
        snap = snap_to_mesh(mesh, [s.position for s in venue.sensors])
        for s, d, p in zip(venue.sensors, snap.distance, snap.points, strict=True):
            if d > tolerance_m:
                findings.append(
                    Finding(
                        FindingKind.SENSOR_OFF_MESH,
                        s.id,
                        f"sensor {s.id!r} is {d:.2f} m from the nearest mesh surface "
                        f"(tolerance {tolerance_m} m)",
                        distance_m=float(d),
                        suggested_position=(float(p[0]), float(p[1]), float(p[2])),
                    )
                )
    return findings
