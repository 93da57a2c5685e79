"""GLB export of a venue mesh, with levels of detail, an LRU cache and ETags.

Coordinates: the twin frame is metres with Z up; glTF is Y up. Every vertex
goes from venue (x, y, z) to glTF (x, z, -y). The browser must place sensor
markers with the same mapping, so it is exported here as
:data:`VENUE_TO_GLTF` and :func:`venue_to_gltf`.

Procedural venues export ``zone:<id>`` floors and ``walls:<id>`` walls. A
venue with a mesh file exports the imported mesh as ``mesh`` plus the zone
floors lifted 2 cm above it, so zones can still be coloured. Geometry with
more than ``SIMPLIFY_ABOVE_FACES`` triangles is decimated with
fast-simplification to ``LOD_FRACTIONS[lod]`` of its triangles.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from twin.venue import Venue

# trimesh (with the scipy and networkx it pulls in) costs about a second to
# import; the viewer imports this module at start-up but builds a GLB only
# when a browser asks for one, so trimesh and the mesh modules load then.
if TYPE_CHECKING:
    import trimesh

__all__ = [
    "LOD_FRACTIONS",
    "SIMPLIFY_ABOVE_FACES",
    "TRIANGLE_BUDGET",
    "VENUE_TO_GLTF",
    "ExportError",
    "GlbAsset",
    "GlbCache",
    "build_glb",
    "simplify",
    "source_scene",
    "venue_glb",
    "venue_to_gltf",
]

# Fraction of triangles kept at each level of detail; 0 is the full mesh.
LOD_FRACTIONS: tuple[float, ...] = (1.0, 0.5, 0.2, 0.05)
# What a browser draws smoothly on a laptop's integrated GPU; the default
# level of detail is the finest one within it.
TRIANGLE_BUDGET = 500_000
# Smaller geometry (all procedural walls and floors) is exported as is:
# decimating a box only breaks it.
SIMPLIFY_ABOVE_FACES = 5_000
_OVERLAY_LIFT_M = 0.02

VENUE_TO_GLTF: NDArray[np.float64] = np.array(
    [[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, -1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]]
)


class ExportError(ValueError):
    """A venue that cannot be exported (bad level of detail, unreadable mesh)."""


def venue_to_gltf(points: ArrayLike) -> NDArray[np.float64]:
    """Venue (x, y, z) to glTF (x, z, -y): ``points`` (n, 3) float -> (n, 3) float."""
    p = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    return np.stack([p[:, 0], p[:, 2], -p[:, 1]], axis=1)


def simplify(mesh: trimesh.Trimesh, fraction: float) -> trimesh.Trimesh:
    """``mesh`` decimated to about ``fraction`` of its triangles (quadric collapse)."""
    if fraction >= 1.0 or len(mesh.faces) <= SIMPLIFY_ABOVE_FACES:
        return mesh
    import fast_simplification  # type: ignore[import-untyped,unused-ignore]
    import trimesh

    target = max(SIMPLIFY_ABOVE_FACES, int(len(mesh.faces) * fraction))
    verts, faces = fast_simplification.simplify(
        np.asarray(mesh.vertices, dtype=np.float64),
        np.asarray(mesh.faces, dtype=np.int32),
        target_count=target,
    )
    return trimesh.Trimesh(verts, faces, process=False)


@dataclass(frozen=True, slots=True)
class GlbAsset:
    """An exported GLB and its strong ETag (quoted, as sent in HTTP headers)."""

    data: bytes
    etag: str
    lod: int
    triangles: int


def _check_lod(lod: int) -> float:
    if not 0 <= lod < len(LOD_FRACTIONS):
        raise ExportError(f"level of detail must be 0..{len(LOD_FRACTIONS) - 1}, got {lod}")
    return LOD_FRACTIONS[lod]


def source_scene(venue: Venue) -> trimesh.Scene:
    """The full-detail scene of ``venue`` in the twin frame, before LOD and Y-up."""
    from twin.geometry.mesh_import import import_venue_mesh
    from twin.geometry.meshgen import venue_scene, zone_floors

    if venue.mesh.procedural:
        return venue_scene(venue)
    try:
        imported = import_venue_mesh(venue)
    except ValueError as exc:
        raise ExportError(str(exc)) from exc
    scene = zone_floors(venue, lift=_OVERLAY_LIFT_M)
    scene.add_geometry(imported.mesh, geom_name="mesh", node_name="mesh")
    return scene


def build_glb(venue: Venue, lod: int = 0, *, source: trimesh.Scene | None = None) -> GlbAsset:
    """Export ``venue`` as GLB at level of detail ``lod``, without caching.

    ``source`` is :func:`source_scene`'s result when the caller already has it
    (saves re-importing a large mesh file for each level of detail).
    """
    import trimesh

    fraction = _check_lod(lod)
    if source is None:
        source = source_scene(venue)
    out = trimesh.Scene()
    triangles = 0
    for node in source.graph.nodes_geometry:
        transform, geom_name = source.graph[node]
        geom = source.geometry[geom_name]
        if not isinstance(geom, trimesh.Trimesh):
            continue
        mesh = simplify(geom, fraction).copy()
        mesh.apply_transform(VENUE_TO_GLTF @ np.asarray(transform))
        triangles += len(mesh.faces)
        out.add_geometry(mesh, geom_name=str(geom_name), node_name=str(node))
    data = out.export(file_type="glb")  # type: ignore[no-untyped-call]
    if not isinstance(data, bytes):
        raise ExportError("trimesh returned no GLB bytes")
    etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    return GlbAsset(data=data, etag=etag, lod=lod, triangles=triangles)


def _fingerprint(venue: Venue) -> tuple[str, int | None]:
    """What the GLB depends on: the geometry part of the venue, and the mesh file's mtime."""
    geometry = venue.model_dump_json(include={"frame", "mesh", "zones", "gates"})
    mtime: int | None = None
    if venue.mesh.file is not None:
        from twin.geometry.mesh_import import venue_mesh_path

        try:
            mtime = venue_mesh_path(venue).stat().st_mtime_ns
        except OSError:
            mtime = None  # build_glb will report the missing file
    return hashlib.sha256(geometry.encode()).hexdigest(), mtime


class GlbCache:
    """A bounded LRU of exported GLBs keyed by (venue id, geometry hash, mesh mtime, lod).

    Thread-safe, because exports run in worker threads off the event loop. Two
    threads that miss the same key at once both build; the second result wins.
    The full-detail source scenes of the ``max_sources`` most recent venues are
    kept too, so building another level of detail does not re-import the file.
    """

    def __init__(
        self, max_entries: int = 16, max_bytes: int = 256 * 1024 * 1024, max_sources: int = 2
    ) -> None:
        if max_entries < 1 or max_bytes < 1 or max_sources < 0:
            raise ValueError("cache bounds must be positive")
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, str, int | None, int], GlbAsset] = OrderedDict()
        self._bytes = 0
        self._max_sources = max_sources
        self._sources: OrderedDict[tuple[str, str, int | None], trimesh.Scene] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def get(self, venue: Venue, lod: int = 0) -> GlbAsset:
        """The GLB of ``venue`` at ``lod``, built on a miss."""
        _check_lod(lod)
        source_key = (venue.id, *_fingerprint(venue))
        key = (*source_key, lod)
        with self._lock:
            asset = self._entries.get(key)
            if asset is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return asset
            self.misses += 1
        asset = build_glb(venue, lod, source=self._source(venue, source_key))
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.data)
            self._entries[key] = asset
            self._bytes += len(asset.data)
            while len(self._entries) > 1 and (
                len(self._entries) > self._max_entries or self._bytes > self._max_bytes
            ):
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.data)
        return asset

    def auto_lod(self, venue: Venue, budget: int = TRIANGLE_BUDGET) -> int:
        """The finest level of detail whose triangle count fits ``budget``."""
        scene = self._source(venue, (venue.id, *_fingerprint(venue)))
        faces = [len(g.faces) for g in scene.geometry.values() if hasattr(g, "faces")]
        for lod, fraction in enumerate(LOD_FRACTIONS):
            # Small geometry is exported as is; large is decimated, never below the threshold.
            kept = sum(
                n if n <= SIMPLIFY_ABOVE_FACES else max(n * fraction, SIMPLIFY_ABOVE_FACES)
                for n in faces
            )
            if kept <= budget:
                return lod
        return len(LOD_FRACTIONS) - 1

    def _source(self, venue: Venue, source_key: tuple[str, str, int | None]) -> trimesh.Scene:
        with self._lock:
            source = self._sources.get(source_key)
            if source is not None:
                self._sources.move_to_end(source_key)
                return source
        source = source_scene(venue)
        with self._lock:
            self._sources[source_key] = source
            while len(self._sources) > self._max_sources:
                self._sources.popitem(last=False)
        return source

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._sources.clear()
            self._bytes = 0


def venue_glb(venue: Venue, lod: int = 0, cache: GlbCache | None = None) -> bytes:
    """GLB bytes of ``venue`` at level of detail ``lod`` (through ``cache`` if given)."""
    asset = cache.get(venue, lod) if cache is not None else build_glb(venue, lod)
    return asset.data
