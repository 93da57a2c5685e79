"""Tessellated IFC geometry: product meshes in world coordinates and floor outlines.

``ifcopenshell.geom`` tessellates every product's body representation with
its placement applied ("use-world-coords") and in SI units, so vertices come
out in metres whatever the file's length unit. IFC is Z up like the twin, so
no axis change is needed.

Floor outlines are the union of the downward-facing triangles projected onto
the XY plane: unlike a convex hull, this keeps L-shaped and other concave
rooms as they are drawn.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import ifcopenshell
import ifcopenshell.geom
import numpy as np
import shapely  # type: ignore[import-untyped,unused-ignore]
import trimesh
from numpy.typing import NDArray
from shapely.geometry import Polygon  # type: ignore[import-untyped,unused-ignore]
from shapely.geometry.polygon import orient  # type: ignore[import-untyped,unused-ignore]

__all__ = [
    "GEOMETRY_LIBRARY",
    "NOT_MESHED",
    "FloorOutline",
    "IfcGeometryError",
    "ProductMesh",
    "floor_outline",
    "geometry_settings",
    "merge_meshes",
    "product_meshes",
]

FloatArray = NDArray[np.float64]

# Spaces are room volumes and openings are voids: neither is a physical surface.
NOT_MESHED: tuple[str, ...] = ("IfcSpace", "IfcOpeningElement", "IfcVirtualElement")

# A triangle counts as part of the floor when its normal points this close to
# straight down (cos of about 8 degrees): tessellation of flat floors is exact,
# this only lets slightly sloped floors through.
_DOWN_COS = 0.99
# Outline vertices closer than this to the line through their neighbours are
# dropped: tessellation leaves collinear points along straight walls.
_SIMPLIFY_M = 1e-4


# CGAL with an inexact kernel first, OpenCASCADE where that fails: on the
# evaluation models every product came out with the same surface area and
# bounds as OpenCASCADE alone, in a third to a half of the CPU time (the
# wall openings' boolean subtractions are most of the import).
GeometryLibrary = Literal[
    "cgal", "cgal-simple", "manifold", "opencascade", "hybrid-cgal-simple-opencascade"
]
GEOMETRY_LIBRARY: GeometryLibrary = "hybrid-cgal-simple-opencascade"


class IfcGeometryError(ValueError):
    """IFC geometry that cannot be turned into a mesh or a floor outline."""


@dataclass(frozen=True, slots=True)
class ProductMesh:
    """One product's tessellated body: (v, 3) float metres and (f, 3) int faces."""

    global_id: str
    ifc_class: str
    vertices: FloatArray
    faces: NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class FloorOutline:
    """A floor polygon (counter-clockwise, open ring) and what was dropped to get it."""

    polygon: list[tuple[float, float]]
    area_m2: float
    holes_dropped: int
    pieces_dropped: int


def geometry_settings() -> ifcopenshell.geom.settings:
    """Tessellation settings: world coordinates, metres, welded vertices."""
    settings = ifcopenshell.geom.settings()  # type: ignore[no-untyped-call,unused-ignore]
    settings.set("use-world-coords", True)
    settings.set("weld-vertices", True)
    return settings


def _arrays(shape: object, guid: str, ifc_class: str) -> ProductMesh:
    geometry = shape.geometry  # type: ignore[attr-defined]
    verts = np.asarray(geometry.verts, dtype=np.float64).reshape(-1, 3)
    faces = np.asarray(geometry.faces, dtype=np.int64).reshape(-1, 3)
    return ProductMesh(guid, ifc_class, verts, faces)


def product_meshes(
    model: ifcopenshell.file,
    *,
    exclude: Sequence[str] = NOT_MESHED,
    threads: int = 1,
    geometry_library: GeometryLibrary = GEOMETRY_LIBRARY,
) -> Iterator[ProductMesh]:
    """Every product with a body representation, except the ``exclude`` classes.

    Products the geometry kernel cannot process are skipped by the iterator
    itself; compare against the file's products to report them.
    """
    iterator = ifcopenshell.geom.iterator(
        geometry_settings(),
        model,
        threads,
        exclude=list(exclude),
        geometry_library=geometry_library,
    )
    if not iterator.initialize():
        return
    while True:
        shape = iterator.get()  # type: ignore[no-untyped-call,unused-ignore]
        yield _arrays(shape, str(shape.guid), str(shape.type))
        if not iterator.next():
            break


def merge_meshes(parts: Sequence[ProductMesh]) -> trimesh.Trimesh:
    """All ``parts`` as one triangle mesh (vertices are not merged across parts)."""
    parts = [p for p in parts if len(p.faces)]
    if not parts:
        raise IfcGeometryError("no product has body geometry")
    offsets = np.cumsum([0] + [len(p.vertices) for p in parts[:-1]])
    vertices = np.vstack([p.vertices for p in parts])
    faces = np.vstack([p.faces + o for p, o in zip(parts, offsets, strict=True)])
    return trimesh.Trimesh(vertices, faces, process=False)


def floor_outline(vertices: FloatArray, faces: NDArray[np.int64]) -> FloorOutline:
    """The floor polygon of a closed body: union of its downward faces in XY.

    ``vertices`` (v, 3) float, ``faces`` (f, 3) int. When the union has
    several pieces the largest is kept; holes are dropped because zones have
    none. Both are counted so the caller can report them.
    """
    tri = vertices[faces]  # (f, 3, 3)
    normals = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    lengths = np.linalg.norm(normals, axis=1)
    ok = lengths > 0
    down = np.zeros(len(faces), dtype=np.bool_)
    down[ok] = normals[ok, 2] / lengths[ok] <= -_DOWN_COS
    if not down.any():
        raise IfcGeometryError("the body has no downward-facing faces to take a floor from")
    rings = tri[down][:, :, :2]
    union = shapely.union_all(shapely.polygons(rings)).buffer(0)
    pieces = [g for g in getattr(union, "geoms", [union]) if isinstance(g, Polygon) and g.area > 0]
    if not pieces:
        raise IfcGeometryError("the floor faces enclose no area")
    largest = max(pieces, key=lambda g: g.area)
    shell = orient(Polygon(largest.exterior), sign=1.0).simplify(_SIMPLIFY_M)
    coords = [(float(x), float(y)) for x, y in list(shell.exterior.coords)[:-1]]
    if len(coords) < 3:
        raise IfcGeometryError("the floor outline degenerates to fewer than 3 points")
    return FloorOutline(
        polygon=coords,
        area_m2=float(shell.area),
        holes_dropped=len(largest.interiors),
        pieces_dropped=len(pieces) - 1,
    )
