"""BIM import: an IFC file becomes a venue (zones, storeys, gates, sensors) and its mesh.

Needs the ``bim`` extra (ifcopenshell, shapely). IFC2X3, IFC4 and IFC4X3;
what differs between them is in :mod:`twin.bim.schema`. What comes in:

* the mesh: every product's body (walls, slabs, doors, furniture...) except
  spaces, openings and virtual elements, tessellated once in world
  coordinates, metres, Z up (one pass of ifcopenshell's geometry iterator,
  which also gives the spaces', doors' and stairs' bodies), merged into one
  mesh and written as GLB (Y up, as glTF requires; the venue's
  ``frame.up_axis`` says so) or PLY (Z up);
* a zone per ``IfcSpace`` with its outline's area and the file's own
  (:mod:`twin.bim.spaces`, :mod:`twin.bim.areas`);
* storeys with name, elevation and zones (:mod:`twin.bim.storeys`);
* gates for doors (:mod:`twin.bim.doors`) and for stairs and lifts
  (:mod:`twin.bim.circulation`);
* a sensor per IFC sensor of a kind the twin knows (:mod:`twin.bim.entities`),
  and on request a suggested layout (:mod:`twin.suggest_sensors`).

Everything dropped or doubtful on the way is a :class:`~twin.venue.Finding`
kept in the venue file, or listed in the :class:`IfcImport` report; nothing
is dropped or guessed silently.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import ifcopenshell
import ifcopenshell.util.unit
import numpy as np
import trimesh

from twin.bim import schema
from twin.bim.circulation import connectivity_findings, opening_gates, vertical_gates
from twin.bim.doors import DoorSides, door_gates, door_sides
from twin.bim.entities import IdSource, SkippedSensor, sensor_defs, slug
from twin.bim.geometry import IfcGeometryError, ProductMesh, merge_meshes, product_meshes
from twin.bim.spaces import SpaceReport, space_zones
from twin.bim.storeys import storeys
from twin.geometry.export import VENUE_TO_GLTF
from twin.geometry.zone_checks import overlap_findings, zone_findings
from twin.suggest_sensors import with_suggested
from twin.venue import Finding, Frame, MeshSpec, Venue

__all__ = [
    "MESH_SUFFIXES",
    "IfcImport",
    "IfcImportError",
    "import_ifc",
    "write_mesh",
]

MESH_SUFFIXES = (".glb", ".ply")


class IfcImportError(ValueError):
    """An IFC file that cannot become a venue; the message says why (not which file)."""


@dataclass(frozen=True, slots=True)
class IfcImport:
    """The imported venue, its mesh, and what the import changed or left out."""

    venue: Venue
    mesh: trimesh.Trimesh
    mesh_path: Path
    schema: str
    spaces: list[SpaceReport]
    doors: list[DoorSides]
    skipped_sensors: list[SkippedSensor]
    meshed_products: int
    without_mesh: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall-clock seconds per phase, in order (where the time goes)."""

    @property
    def findings(self) -> list[Finding]:
        return list(self.venue.findings)


def write_mesh(mesh: trimesh.Trimesh, path: Path) -> Frame:
    """Write ``mesh`` (twin frame) to ``path``; returns the frame to read it back with."""
    suffix = path.suffix.lower()
    if suffix not in MESH_SUFFIXES:
        raise IfcImportError(f"mesh output {path.name} must be one of {', '.join(MESH_SUFFIXES)}")
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
        raise IfcImportError("IFC file not found")
    try:
        return ifcopenshell.open(str(path))
    except Exception as exc:  # the parser raises several types for broken files
        # The parser's message may name the path: the caller names it once.
        detail = str(exc).replace(str(path), "the file").strip() or type(exc).__name__
        raise IfcImportError(f"cannot read as IFC: {detail}") from exc


class _Phases:
    """Wall-clock time per import phase."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._t = time.perf_counter()

    def done(self, phase: str) -> None:
        now = time.perf_counter()
        self.seconds[phase] = now - self._t
        self._t = now


# Never part of the venue mesh: room volumes, voids, virtual boundaries.
_NOT_SURFACES = ("IfcSpace", "IfcOpeningElement", "IfcVirtualElement")


def _is_a(element: ifcopenshell.entity_instance, cls: str) -> bool:
    return bool(element.is_a(cls))  # type: ignore[no-untyped-call,unused-ignore]


def _products_without_mesh(model: ifcopenshell.file, meshed: set[str]) -> Counter[str]:
    """Products with a representation the kernel gave no body (2-D, analytical), by class."""
    missing: Counter[str] = Counter()
    for p in model.by_type("IfcProduct"):
        if p.Representation is None or str(p.GlobalId) in meshed:
            continue
        if any(_is_a(p, c) for c in _NOT_SURFACES):
            continue
        missing[str(p.is_a())] += 1  # type: ignore[no-untyped-call,unused-ignore]
    return missing


def import_ifc(
    path: str | Path,
    mesh_out: str | Path,
    *,
    venue_id: str | None = None,
    venue_name: str | None = None,
    venue_dir: str | Path | None = None,
    id_source: IdSource = "name",
    timezone: str = "UTC",
    suggest: bool = False,
    threads: int | None = None,
) -> IfcImport:
    """Read the IFC file at ``path``; write its mesh to ``mesh_out`` (.glb or .ply).

    ``venue_id`` defaults to a slug of the building's name (else the site's,
    else the file's stem), ``venue_name`` to that name. The venue's
    ``mesh.file`` is ``mesh_out`` relative to ``venue_dir`` (the folder the
    venue file will be written to; default ``mesh_out``'s folder).
    ``id_source`` picks zone and sensor ids from names (slugs) or GlobalIds.
    ``suggest`` adds the default sensor layout (marked ``suggested``).
    ``threads`` for tessellation default to 1: with the hybrid kernel a
    second thread cost 75 % more CPU for little wall time on two cores, and
    more wall time on a busy machine (bench/ifc_import.py).
    """
    src = Path(path)
    clock = _Phases()
    model = _open(src)
    clock.done("parse")
    try:
        schema.family(model)
    except schema.UnsupportedSchema as exc:
        raise IfcImportError(str(exc)) from exc
    length_scale = ifcopenshell.util.unit.calculate_unit_scale(model)
    area_scale = ifcopenshell.util.unit.calculate_unit_scale(model, "AREAUNIT")
    n_threads = threads or 1
    bodies: dict[str, ProductMesh] = {}
    surfaces: list[ProductMesh] = []
    # One tessellation pass for everything: spaces become zones, the rest the
    # mesh; doors and stairs are looked up by GlobalId (no copies are made).
    voids = [c for c in _NOT_SURFACES if c != "IfcSpace"]
    for part in product_meshes(model, exclude=voids, threads=n_threads):
        bodies[part.global_id] = part
        if part.ifc_class != "IfcSpace":
            surfaces.append(part)
    clock.done("tessellate")
    zones, spaces, findings = space_zones(model, bodies, id_source=id_source, area_scale=area_scale)
    if not zones:
        raise IfcImportError("the file has no IfcSpace with geometry to make zones of")
    try:
        mesh = merge_meshes(surfaces)
    except IfcGeometryError as exc:
        raise IfcImportError(str(exc)) from exc
    if not np.isfinite(mesh.vertices).all():
        raise IfcImportError("tessellation produced NaN or infinite coordinates")
    clock.done("zones and mesh")
    storey_list, storey_findings = storeys(model, zones, spaces, length_scale)
    storey_of_zone = {z: st.id for st in storey_list for z in st.zones}
    zone_of_space = {sp.global_id: sp.zone_id for sp in spaces}
    doors = door_sides(model, zones, zone_of_space, bodies, length_scale)
    gates, door_findings = door_gates(doors)
    gates += vertical_gates(model, zones, storey_of_zone, bodies, [g.id for g in gates])
    joined = {frozenset((g.from_zone or "", g.to_zone or "")) for g in gates}
    gates += opening_gates(zones, joined, [g.id for g in gates])
    sensors, skipped = sensor_defs(model, zones, id_source)
    findings += (
        storey_findings
        + door_findings
        + zone_findings(zones)
        + overlap_findings(zones)
        + connectivity_findings(zones, gates)
    )
    clock.done("storeys, gates, sensors, findings")
    out = Path(mesh_out)
    frame = write_mesh(mesh, out)
    clock.done("write mesh")
    base = Path(venue_dir) if venue_dir is not None else out.parent
    place = schema.named_place(model)
    vid = venue_id or slug(place) or slug(src.stem) or "venue"
    venue = Venue(
        id=vid,
        name=venue_name or place or src.stem,
        timezone=timezone,
        frame=frame,
        mesh=MeshSpec(file=os.path.relpath(out.resolve(), base.resolve())),
        zones=zones,
        gates=gates,
        sensors=sensors,
        storeys=storey_list,
        findings=findings,
        source=(base / f"{vid}.yaml").resolve(),
    )
    if suggest:
        venue = with_suggested(venue)
    clock.done("venue")
    meshed = {p.global_id for p in surfaces if len(p.faces)}
    return IfcImport(
        venue=venue,
        mesh=mesh,
        mesh_path=out,
        schema=str(model.schema),
        spaces=spaces,
        doors=doors,
        skipped_sensors=skipped,
        meshed_products=len(meshed),
        without_mesh=_products_without_mesh(model, meshed | set(bodies)),
        seconds=clock.seconds,
    )
