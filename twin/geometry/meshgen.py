"""Procedural venue mesh: a floor slab per zone and walls with doorways at gates.

The scene has one geometry per zone floor, named ``zone:<zone_id>``, and one
per zone's walls, ``walls:<zone_id>`` (none for outdoor zones), so the browser
can colour floors by zone and fade walls. Everything is in the twin frame
(metres, Z up); :mod:`twin.geometry.export` converts to glTF's Y-up on export.

Walls sit just inside their zone's polygon, so two zones that share an edge
each get their own wall, back to back, and neither hides the other's colour.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import trimesh
from numpy.typing import NDArray

from twin.geometry.checks import GATE_ON_WALL_TOLERANCE_M
from twin.geometry.polygons import polygon_signed_area, segment_distances, triangulate_polygon
from twin.venue import Gate, Venue, Zone

__all__ = [
    "DOOR_HEIGHT_M",
    "SLAB_THICKNESS_M",
    "WALL_THICKNESS_M",
    "door_openings",
    "procedural_mesh",
    "venue_scene",
    "zone_floor",
    "zone_floors",
    "zone_walls",
]

SLAB_THICKNESS_M = 0.1
WALL_THICKNESS_M = 0.12
# Doorways leave a lintel above them, unless the room is lower than this.
DOOR_HEIGHT_M = 2.4

_FLOOR_RGBA = (200, 200, 196, 255)
_GROUND_RGBA = (150, 176, 120, 255)
_WALL_RGBA = (236, 233, 226, 255)

# Faces of a box whose 8 vertices are a counter-clockwise base quad (0-3) and
# the same quad on top (4-7); winding gives outward normals.
_BOX_FACES = np.array(
    [[4, 5, 6], [4, 6, 7], [0, 2, 1], [0, 3, 2]]
    + [f for i, j in ((0, 1), (1, 2), (2, 3), (3, 0)) for f in ([i, j, j + 4], [i, j + 4, i + 4])],
    dtype=np.int64,
)


def _coloured(mesh: trimesh.Trimesh, rgba: tuple[int, int, int, int]) -> trimesh.Trimesh:
    material = trimesh.visual.material.PBRMaterial(  # type: ignore[no-untyped-call]
        baseColorFactor=rgba, metallicFactor=0.0, roughnessFactor=0.9
    )
    mesh.visual = trimesh.visual.TextureVisuals(material=material)  # type: ignore[no-untyped-call]
    return mesh


def zone_floor(zone: Zone, *, lift: float = 0.0) -> trimesh.Trimesh:
    """The zone's floor slab: top face at ``zone.level + lift``, ``SLAB_THICKNESS_M`` thick."""
    verts, faces = triangulate_polygon(zone.floor)
    top = zone.level + lift
    transform = np.eye(4)
    transform[2, 3] = top - SLAB_THICKNESS_M
    mesh = trimesh.creation.extrude_triangulation(
        verts, faces, SLAB_THICKNESS_M, transform=transform
    )
    return _coloured(mesh, _GROUND_RGBA if zone.outdoor else _FLOOR_RGBA)


def door_openings(zone: Zone, gates: Sequence[Gate]) -> dict[int, list[tuple[float, float]]]:
    """Doorways cut into each edge of ``zone``: edge index -> [(start, end)] in metres.

    Edge ``i`` runs from ``floor[i]`` to ``floor[i + 1]``. A gate of ``zone``
    opens the edge nearest its position when it is within
    ``GATE_ON_WALL_TOLERANCE_M``; the opening is the gate's width centred on
    the gate, clipped to the edge. Overlapping openings are merged.
    """
    return _openings(np.asarray(zone.floor, dtype=np.float64), zone.id, gates)


def _openings(
    ring: NDArray[np.float64], zone_id: str, gates: Sequence[Gate]
) -> dict[int, list[tuple[float, float]]]:
    a, b = ring, np.roll(ring, -1, axis=0)
    lengths = np.linalg.norm(b - a, axis=1)
    mine = [g for g in gates if zone_id in (g.from_zone, g.to_zone)]
    openings: dict[int, list[tuple[float, float]]] = {}
    if not mine:
        return openings
    dist, t = segment_distances([g.position for g in mine], a, b)
    for gi, gate in enumerate(mine):
        edge = int(np.argmin(dist[gi]))
        if dist[gi, edge] > GATE_ON_WALL_TOLERANCE_M:
            continue
        centre = float(t[gi, edge] * lengths[edge])
        half = gate.width_m / 2.0
        span = (max(0.0, centre - half), min(float(lengths[edge]), centre + half))
        openings.setdefault(edge, []).append(span)
    for edge, spans in openings.items():
        spans.sort()
        merged = [spans[0]]
        for s0, s1 in spans[1:]:
            if s0 <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], s1))
            else:
                merged.append((s0, s1))
        openings[edge] = merged
    return openings


def _wall_pieces(zone: Zone, gates: Sequence[Gate]) -> NDArray[np.float64]:
    """(k, 6) float: x0, y0, x1, y1, z0, z1 of every wall piece of ``zone``."""
    ring = np.asarray(zone.floor, dtype=np.float64)
    if polygon_signed_area(ring) < 0:
        ring = ring[::-1].copy()  # walls assume counter-clockwise: inside on the left
    openings = _openings(ring, zone.id, gates)
    z0, z1 = zone.level, zone.level + zone.height
    z_door = min(z0 + DOOR_HEIGHT_M, z1)
    pieces: list[list[float]] = []
    n = len(ring)
    for i in range(n):
        p0, p1 = ring[i], ring[(i + 1) % n]
        length = float(np.linalg.norm(p1 - p0))
        if length <= 1e-9:
            continue
        d = (p1 - p0) / length
        cursor = 0.0
        for s0, s1 in openings.get(i, []):
            if s0 > cursor:
                pieces.append([*(p0 + d * cursor), *(p0 + d * s0), z0, z1])
            if z1 > z_door:
                pieces.append([*(p0 + d * s0), *(p0 + d * s1), z_door, z1])  # lintel
            cursor = max(cursor, s1)
        if cursor < length:
            pieces.append([*(p0 + d * cursor), *p1, z0, z1])
    return np.asarray(pieces, dtype=np.float64).reshape(-1, 6)


def _boxes(pieces: NDArray[np.float64], thickness: float) -> trimesh.Trimesh:
    """One mesh of thin boxes, each standing on the left of its piece's direction."""
    p0, p1 = pieces[:, 0:2], pieces[:, 2:4]
    d = p1 - p0
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    inward = np.stack([-d[:, 1], d[:, 0]], axis=1) * thickness
    quad = np.stack([p0, p1, p1 + inward, p0 + inward], axis=1)  # (k, 4, 2)
    k = len(pieces)
    verts = np.empty((k, 8, 3))
    verts[:, :4, :2] = quad
    verts[:, 4:, :2] = quad
    verts[:, :4, 2] = pieces[:, 4:5]
    verts[:, 4:, 2] = pieces[:, 5:6]
    faces = _BOX_FACES[None, :, :] + (np.arange(k) * 8)[:, None, None]
    return trimesh.Trimesh(verts.reshape(-1, 3), faces.reshape(-1, 3), process=False)


def zone_walls(zone: Zone, gates: Sequence[Gate]) -> trimesh.Trimesh | None:
    """Walls along ``zone``'s edges with doorways at its gates; None if outdoor."""
    if zone.outdoor:
        return None
    pieces = _wall_pieces(zone, gates)
    if len(pieces) == 0:
        return None
    return _coloured(_boxes(pieces, WALL_THICKNESS_M), _WALL_RGBA)


def zone_floors(venue: Venue, *, lift: float = 0.0) -> trimesh.Scene:
    """Only the zone floors, ``zone:<id>``; used as overlays on imported meshes."""
    scene = trimesh.Scene()
    for zone in venue.zones:
        name = f"zone:{zone.id}"
        scene.add_geometry(zone_floor(zone, lift=lift), geom_name=name, node_name=name)
    return scene


def venue_scene(venue: Venue) -> trimesh.Scene:
    """The procedural mesh of ``venue``: ``zone:<id>`` floors and ``walls:<id>`` walls."""
    scene = zone_floors(venue)
    for zone in venue.zones:
        walls = zone_walls(zone, venue.gates)
        if walls is not None:
            name = f"walls:{zone.id}"
            scene.add_geometry(walls, geom_name=name, node_name=name)
    return scene


def procedural_mesh(venue: Venue) -> trimesh.Trimesh:
    """The procedural mesh of ``venue`` as one triangle mesh (for snapping and checks)."""
    parts = [zone_floor(z) for z in venue.zones]
    parts += [w for z in venue.zones if (w := zone_walls(z, venue.gates)) is not None]
    vertices = np.vstack([p.vertices for p in parts])
    offsets = np.cumsum([0] + [len(p.vertices) for p in parts[:-1]])
    faces = np.vstack([p.faces + o for p, o in zip(parts, offsets, strict=True)])
    return trimesh.Trimesh(vertices, faces, process=False)
