"""BIM import: an IFC file becomes a venue (zones, sensors) and its mesh file.

Needs the ``bim`` extra (ifcopenshell, shapely). What comes in:

* the mesh: every product's body (walls, slabs, doors, furniture...) except
  spaces, openings and virtual elements, tessellated in world coordinates,
  metres, Z up, merged into one mesh and written as GLB (Y up, as glTF
  requires; the venue's ``frame.up_axis`` says so) or PLY (Z up);
* a zone per ``IfcSpace`` (see :func:`twin.ifc_entities.space_zones`);
* a sensor per ``IfcSensor`` of a kind the twin knows, placed in the zone
  that contains it (see :func:`twin.ifc_entities.sensor_defs`).

Everything that was dropped on the way (sensors of unknown kinds, products
without geometry, holes in floors) is listed in the :class:`IfcImport`
report rather than silently lost.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import ifcopenshell
import numpy as np
import trimesh
import yaml

from twin.export import VENUE_TO_GLTF
from twin.ifc_entities import (
    IdSource,
    SkippedSensor,
    SpaceReport,
    sensor_defs,
    slug,
    space_zones,
)
from twin.ifc_geometry import NOT_MESHED, IfcGeometryError, merge_meshes, product_meshes
from twin.venue import Frame, MeshSpec, Venue

__all__ = [
    "MESH_SUFFIXES",
    "IfcImport",
    "IfcImportError",
    "import_ifc",
    "venue_yaml",
    "write_mesh",
    "write_venue_yaml",
]

MESH_SUFFIXES = (".glb", ".ply")


class IfcImportError(ValueError):
    """An IFC file that cannot become a venue; the message says why."""


@dataclass(frozen=True, slots=True)
class IfcImport:
    """The imported venue, its mesh, and what the import changed or left out."""

    venue: Venue
    mesh: trimesh.Trimesh
    mesh_path: Path
    schema: str
    spaces: list[SpaceReport]
    skipped_sensors: list[SkippedSensor]
    meshed_products: int
    products_without_mesh: list[str]


def write_mesh(mesh: trimesh.Trimesh, path: Path) -> Frame:
    """Write ``mesh`` (twin frame) to ``path``; returns the frame to read it back with."""
    suffix = path.suffix.lower()
    if suffix not in MESH_SUFFIXES:
        raise IfcImportError(f"{path}: mesh output must be one of {', '.join(MESH_SUFFIXES)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".glb":
        out = mesh.copy()
        out.apply_transform(VENUE_TO_GLTF)
        out.export(path, file_type="glb")
        return Frame(units="m", up_axis="y")
    mesh.export(path, file_type="ply")
    return Frame(units="m", up_axis="z")


def _open(path: Path) -> ifcopenshell.file:
    if not path.is_file():
        raise IfcImportError(f"{path}: IFC file not found")
    try:
        return ifcopenshell.open(str(path))
    except Exception as exc:  # the parser raises several types for broken files
        raise IfcImportError(f"{path}: cannot read as IFC: {exc}") from exc


def _physical_products(model: ifcopenshell.file) -> dict[str, str]:
    """GlobalId -> class of every product that has a representation and should be meshed."""
    return {
        str(p.GlobalId): str(_is_a(p))
        for p in model.by_type("IfcProduct")
        if p.Representation is not None and not any(_is_a(p, c) for c in NOT_MESHED)
    }


def _is_a(element: ifcopenshell.entity_instance, cls: str | None = None) -> str | bool:
    """``element.is_a()`` (its class) or ``is_a(cls)`` (subclass test), typed."""
    if cls is None:
        return str(element.is_a())  # type: ignore[no-untyped-call]
    return bool(element.is_a(cls))  # type: ignore[no-untyped-call]


def import_ifc(
    path: str | Path,
    mesh_out: str | Path,
    *,
    venue_id: str | None = None,
    venue_name: str | None = None,
    venue_dir: str | Path | None = None,
    id_source: IdSource = "name",
    timezone: str = "UTC",
) -> IfcImport:
    """Read the IFC file at ``path``; write its mesh to ``mesh_out`` (.glb or .ply).

    ``venue_id`` defaults to a slug of the project's name (else the file's
    stem), ``venue_name`` to the project's LongName or Name. The venue's
    ``mesh.file`` is ``mesh_out`` relative to ``venue_dir`` (the folder the
    venue file will be written to; default ``mesh_out``'s folder).
    ``id_source`` picks zone and sensor ids from names (slugs) or GlobalIds.
    """
    src = Path(path)
    model = _open(src)
    projects = model.by_type("IfcProject")
    project = projects[0] if projects else None
    try:
        zones, spaces = space_zones(model, id_source)
        if not zones:
            raise IfcImportError(f"{src}: the file has no IfcSpace with geometry to make zones of")
        sensors, skipped = sensor_defs(model, zones, id_source)
        parts = list(product_meshes(model))
        mesh = merge_meshes(parts)
    except IfcGeometryError as exc:
        raise IfcImportError(f"{src}: {exc}") from exc
    if not np.isfinite(mesh.vertices).all():
        raise IfcImportError(f"{src}: tessellation produced NaN or infinite coordinates")
    meshed = {p.global_id for p in parts if len(p.faces)}
    missing = sorted(
        f"{cls} {gid}" for gid, cls in _physical_products(model).items() if gid not in meshed
    )
    out = Path(mesh_out)
    frame = write_mesh(mesh, out)
    base = Path(venue_dir) if venue_dir is not None else out.parent
    project_name = str(getattr(project, "Name", None) or "")
    vid = venue_id or slug(project_name) or slug(src.stem) or "venue"
    name = venue_name or str(getattr(project, "LongName", None) or project_name or src.stem)
    venue = Venue(
        id=vid,
        name=name,
        timezone=timezone,
        frame=frame,
        mesh=MeshSpec(file=os.path.relpath(out.resolve(), base.resolve())),
        zones=zones,
        sensors=sensors,
        source=(base / f"{vid}.yaml").resolve(),
    )
    return IfcImport(
        venue=venue,
        mesh=mesh,
        mesh_path=out,
        schema=str(model.schema),
        spaces=spaces,
        skipped_sensors=skipped,
        meshed_products=len(meshed),
        products_without_mesh=missing,
    )


def venue_yaml(venue: Venue) -> str:
    """``venue`` as venue-file YAML text (defaults left out, key order kept)."""
    doc = venue.model_dump(mode="json", exclude_defaults=True, exclude={"source"})
    # The mesh spec's defaults are meaningful to a reader: keep file explicit.
    doc["mesh"] = venue.mesh.model_dump(mode="json", exclude_defaults=True)
    doc["frame"] = venue.frame.model_dump(mode="json")
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def write_venue_yaml(venue: Venue, path: str | Path) -> Path:
    """Write ``venue`` to ``path`` as a venue file; ``mesh.file`` stays relative to it."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(venue_yaml(venue), encoding="utf-8")
    return p
