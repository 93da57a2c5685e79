"""Import a venue mesh file (glTF/GLB, OBJ, PLY, STL) into the twin frame.

The file is read with trimesh, flattened to one triangle mesh with its scene
transforms applied, converted from the venue ``frame`` (length unit and up
axis) times ``MeshSpec.scale`` to the twin frame (metres, Z up), and repaired:
duplicate vertices merged, degenerate and duplicate faces dropped, winding
and normals made consistent. Anything that is not a triangle mesh raises
:class:`MeshImportError` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import trimesh
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from twin.geometry.meshgen import procedural_mesh
from twin.geometry.polygons import GeometryError, frame_matrix
from twin.venue import Venue

__all__ = [
    "SUPPORTED_SUFFIXES",
    "ImportedMesh",
    "MeshImportError",
    "import_mesh",
    "import_venue_mesh",
    "venue_mesh",
    "venue_mesh_path",
]

SUPPORTED_SUFFIXES: dict[str, str] = {
    ".glb": "glb",
    ".gltf": "gltf",
    ".obj": "obj",
    ".ply": "ply",
    ".stl": "stl",
}


class MeshImportError(ValueError):
    """A mesh file that cannot be used as a venue mesh; the message says why."""


@dataclass(frozen=True, slots=True)
class ImportedMesh:
    """A repaired mesh in the twin frame, and what the repair changed."""

    mesh: trimesh.Trimesh
    source: Path
    merged_vertices: int
    removed_faces: int


def _triangle_meshes(loaded: object, path: Path) -> list[trimesh.Trimesh]:
    if isinstance(loaded, trimesh.Scene):
        if not loaded.geometry:
            raise MeshImportError(f"{path}: the file holds an empty scene")
        parts: list[object] = list(loaded.dump())  # applies each node's transform
    else:
        parts = [loaded]
    meshes = [p for p in parts if isinstance(p, trimesh.Trimesh) and len(p.faces) > 0]
    if not meshes:
        kinds = sorted({type(p).__name__ for p in parts})
        what = "a point cloud" if "PointCloud" in kinds else f"no triangles ({', '.join(kinds)})"
        raise MeshImportError(f"{path}: not a triangle mesh: the file holds {what}")
    return meshes


_CHUNK = 1 << 18  # faces per block: bounds temporaries on million-triangle meshes


def _nondegenerate(mesh: trimesh.Trimesh) -> NDArray[np.bool_]:
    """(f,) bool: faces with three distinct vertices and a non-zero area."""
    f, v = mesh.faces, mesh.vertices
    keep: NDArray[np.bool_] = (f[:, 0] != f[:, 1]) & (f[:, 1] != f[:, 2]) & (f[:, 2] != f[:, 0])
    for i in range(0, len(f), _CHUNK):
        t = v[f[i : i + _CHUNK]]
        c = np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0])
        keep[i : i + _CHUNK] &= np.einsum("ij,ij->i", c, c) > 0.0
    return keep


def _signed_volume(mesh: trimesh.Trimesh) -> float:
    f, v = mesh.faces, mesh.vertices
    total = 0.0
    for i in range(0, len(f), _CHUNK):
        t = v[f[i : i + _CHUNK]]
        total += float(np.einsum("ij,ij->", t[:, 0], np.cross(t[:, 1], t[:, 2])))
    return total / 6.0


def _fix_winding(mesh: trimesh.Trimesh) -> None:
    """Flip faces so that neighbours agree on winding, per connected piece.

    Two-layer trick instead of a traversal: node (f, 0) is face f as is,
    (f, 1) is f flipped. Neighbours that agree join same layers, neighbours
    that disagree join opposite layers; a face is flipped when its as-is node
    falls in a different component from its piece's first face. Non-orientable
    pieces (both layers connected) are left as they are.
    """
    faces = mesh.faces
    n = len(faces)
    pairs = mesh.face_adjacency  # (p, 2) face indices sharing an edge
    shared = mesh.face_adjacency_edges  # (p, 2) the shared edge's vertices
    a, b = shared[:, 0:1], shared[:, 1:2]

    def runs_a_to_b(f: NDArray[np.int64]) -> NDArray[np.bool_]:
        nxt = np.roll(f, -1, axis=1)
        return np.asarray(((f == a) & (nxt == b)).any(axis=1), dtype=np.bool_)

    agree = runs_a_to_b(faces[pairs[:, 0]]) != runs_a_to_b(faces[pairs[:, 1]])
    f0, f1 = pairs[:, 0], pairs[:, 1]
    g0 = np.where(agree, f1, f1 + n)  # the layer of f1 that (f0, 0) joins
    g1 = np.where(agree, f1 + n, f1)
    rows = np.concatenate([f0, f0 + n])
    cols = np.concatenate([g0, g1])
    cover = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(2 * n, 2 * n))
    _, cover_label = connected_components(cover, directed=False)
    plain = coo_matrix((np.ones(len(f0)), (f0, f1)), shape=(n, n))
    count, piece = connected_components(plain, directed=False)
    first = np.full(count, n, dtype=np.int64)
    np.minimum.at(first, piece, np.arange(n))
    root = first[piece]
    orientable = cover_label[root] != cover_label[root + n]
    flip = orientable & (cover_label[:n] != cover_label[root])
    if flip.any():
        fixed = faces.copy()
        fixed[flip] = fixed[flip][:, ::-1]
        mesh.faces = fixed


def _orient(mesh: trimesh.Trimesh) -> None:
    """Make winding consistent and closed meshes face outward.

    The adjacency work of :func:`_fix_winding` only runs when a cheap test
    finds the winding inconsistent: in a consistently wound mesh no directed
    edge occurs twice.
    """
    f = np.asarray(mesh.faces, dtype=np.int64)
    n = len(mesh.vertices)
    tail = f.ravel()
    head = np.roll(f, -1, axis=1).ravel()
    keys = tail * n + head
    keys.sort()
    if (keys[1:] == keys[:-1]).any():
        _fix_winding(mesh)
        _orient_closed(mesh)
        return
    reverse = head * n + tail
    reverse.sort()
    # No edge is repeated, so the mesh is closed exactly when every edge's
    # reverse is an edge too: the two sorted key lists are equal.
    if np.array_equal(keys, reverse) and _signed_volume(mesh) < 0:
        mesh.invert()


def _orient_closed(mesh: trimesh.Trimesh) -> None:
    if mesh.is_watertight and _signed_volume(mesh) < 0:
        mesh.invert()


def _repair(mesh: trimesh.Trimesh) -> tuple[int, int]:
    """Repair ``mesh`` in place; returns (vertices merged away, faces removed)."""
    v0, f0 = len(mesh.vertices), len(mesh.faces)
    mesh.merge_vertices()
    mesh.update_faces(_nondegenerate(mesh))
    mesh.update_faces(mesh.unique_faces())
    mesh.remove_unreferenced_vertices()
    _orient(mesh)
    return v0 - len(mesh.vertices), f0 - len(mesh.faces)


def import_mesh(
    path: str | Path, *, units: str = "m", up_axis: str = "z", scale: float = 1.0
) -> ImportedMesh:
    """Read and repair the mesh at ``path``; coordinates end in the twin frame.

    ``units`` and ``up_axis`` describe the file (``"y"`` for glTF exported to
    spec); ``scale`` multiplies on top of the unit conversion.
    """
    p = Path(path)
    file_type = SUPPORTED_SUFFIXES.get(p.suffix.lower())
    if file_type is None:
        raise MeshImportError(
            f"{p}: unsupported mesh format {p.suffix!r}; use one of "
            f"{', '.join(sorted(SUPPORTED_SUFFIXES))}"
        )
    if not p.is_file():
        raise MeshImportError(f"{p}: mesh file not found")
    try:
        transform = frame_matrix(units, up_axis, scale)
    except GeometryError as exc:
        raise MeshImportError(f"{p}: {exc}") from exc
    try:
        loaded = trimesh.load(p, file_type=file_type, process=False)
    except Exception as exc:  # trimesh raises many types for broken files
        raise MeshImportError(f"{p}: cannot read as {file_type}: {exc}") from exc
    parts = _triangle_meshes(loaded, p)
    # Rebuilt from bare arrays: textures and colours have no use in the twin.
    vertices = np.vstack([m.vertices for m in parts])
    offsets = np.cumsum([0] + [len(m.vertices) for m in parts[:-1]])
    faces = np.vstack([m.faces + o for m, o in zip(parts, offsets, strict=True)])
    if not np.isfinite(vertices).all():
        raise MeshImportError(f"{p}: vertex coordinates include NaN or infinity")
    del loaded, parts  # the originals would double peak memory through the repair
    mesh = trimesh.Trimesh(vertices, faces, process=False)
    mesh.apply_transform(transform)
    merged, removed = _repair(mesh)
    if len(mesh.faces) == 0:
        raise MeshImportError(f"{p}: every face is degenerate")
    return ImportedMesh(mesh=mesh, source=p, merged_vertices=merged, removed_faces=removed)


def venue_mesh_path(venue: Venue) -> Path:
    """The mesh file named by ``venue.mesh.file``, relative to the venue file."""
    if venue.mesh.file is None:
        raise MeshImportError(f"venue {venue.id!r} has a procedural mesh, not a mesh file")
    p = Path(venue.mesh.file)
    if not p.is_absolute() and venue.source is not None:
        p = venue.source.parent / p
    return p


def import_venue_mesh(venue: Venue) -> ImportedMesh:
    """Import ``venue``'s mesh file with the venue's frame and mesh scale."""
    return import_mesh(
        venue_mesh_path(venue),
        units=venue.frame.units,
        up_axis=venue.frame.up_axis,
        scale=venue.mesh.scale,
    )


def venue_mesh(venue: Venue) -> trimesh.Trimesh:
    """``venue``'s mesh in the twin frame as one triangle mesh, procedural or imported."""
    if venue.mesh.procedural:
        return procedural_mesh(venue)
    return import_venue_mesh(venue).mesh
