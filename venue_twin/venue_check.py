"""``venue-twin venue check``: everything ``serve`` relies on, checked before it runs.

1. the file parses and validates (schema, cross-references: pydantic);
2. floor polygons are simple (no self-intersection) and no two zones on the
   same floor overlap (shapely; their area would be counted twice);
3. the mesh opens (procedural or file) and its scale fits the zones (a mesh
   in millimetres read as metres is 1,000 times too big);
4. placement checks (:func:`twin.geometry.checks.check_venue`): sensors in
   their zones and near the mesh, gates on walls;
5. findings the importer kept in the file are shown again;
6. who judges each thermometer's and hygrometer's drift
   (:func:`twin.live_analytics.drift_coverage.drift_coverage`): neighbours
   of another environment (open air against an enclosed room) are a
   warning where they are half its neighbours or more (they can set the
   median), since the weather's change between them reads as drift; a
   sensor judged by its own history only, or not at all, is a note.

Problems (1, 2 self-intersection, 3) make the check fail; overlaps,
placement, drift judged across environments and kept findings are warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely  # type: ignore[import-untyped,unused-ignore]
import trimesh
from rich.console import Console

from twin.analytics.anomaly.neighbour_drift import MIN_NEIGHBOURS
from twin.geometry.checks import check_venue
from twin.geometry.mesh_import import MeshImportError, venue_mesh
from twin.geometry.zone_checks import overlap_findings, polygon_findings
from twin.live_analytics.drift_coverage import DriftCoverage, drift_coverage
from twin.loader import VenueFileError
from twin.venue import Venue
from venue_twin.venue_refs import resolve_venue

__all__ = ["CheckReport", "check_venue_file", "print_check"]

# The mesh's extent and the zones' extent may differ by this factor before
# the scale is doubted (a site mesh with terrain is larger than its rooms).
_SCALE_FACTOR = 20.0


@dataclass
class CheckReport:
    """What ``venue check`` found; ``errors`` make it fail."""

    venue: Venue | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    floor_area_m2: float = 0.0
    mesh_triangles: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _floor_area(venue: Venue) -> float:
    """Floor area with overlaps counted once: the union of each storey's (or level's) floors."""
    groups: dict[str, list[shapely.Polygon]] = {}
    for z in venue.zones:
        key = venue.storey_of_zone.get(z.id, f"level:{round(z.level, 1)}")
        poly = shapely.Polygon(z.floor)
        groups.setdefault(key, []).append(poly if poly.is_valid else poly.buffer(0))
    # On a 0.1 mm grid: float noise along shared walls must not upset GEOS.
    return float(sum(shapely.union_all(p, grid_size=1e-4).area for p in groups.values()))


def _mesh_scale(venue: Venue, mesh: trimesh.Trimesh) -> str | None:
    pts = np.array([p for z in venue.zones for p in z.floor], dtype=np.float64)
    zone_size = float(np.ptp(pts, axis=0).max())
    mesh_size = float(np.ptp(mesh.vertices[:, :2], axis=0).max()) if len(mesh.vertices) else 0.0
    if zone_size <= 0 or mesh_size <= 0:
        return "the mesh or the zones have no extent"
    ratio = mesh_size / zone_size
    if ratio > _SCALE_FACTOR or ratio < 1 / _SCALE_FACTOR:
        return (
            f"the mesh spans {mesh_size:.3g} m but the zones {zone_size:.3g} m: "
            "check frame.units and mesh.scale"
        )
    lo, hi = mesh.bounds
    centre = pts.mean(axis=0)
    if not (lo[0] - zone_size <= centre[0] <= hi[0] + zone_size) or not (
        lo[1] - zone_size <= centre[1] <= hi[1] + zone_size
    ):
        return "the zones lie outside the mesh: check frame.up_axis and the coordinates"
    return None


def check_venue_file(ref: str) -> CheckReport:
    """Run every check on the venue file (or ``sample:NAME``) ``ref``."""
    report = CheckReport()
    try:
        venue = resolve_venue(ref)
    except VenueFileError as exc:
        report.errors.append(str(exc))
        return report
    report.venue = venue
    for f in polygon_findings(venue.zones):
        report.errors.append(f.message)
    for f in overlap_findings(venue.zones):
        report.warnings.append(f.message)
    report.floor_area_m2 = _floor_area(venue)
    mesh: trimesh.Trimesh | None = None
    try:
        mesh = venue_mesh(venue)
    except (MeshImportError, OSError, ValueError) as exc:
        report.errors.append(f"mesh: {exc}")
    if mesh is not None:
        report.mesh_triangles = len(mesh.faces)
        problem = _mesh_scale(venue, mesh)
        if problem is not None:
            report.errors.append(f"mesh: {problem}")
    for placement in check_venue(venue, mesh):
        report.warnings.append(f"{placement.kind}: {placement.message}")
    for kept in venue.findings:
        report.notes.append(f"{kept.kind}: {kept.message}")
    for c in drift_coverage(venue):
        _drift_finding(c, report)
    return report


def _environment(outdoor: bool) -> str:
    return "outdoor" if outdoor else "enclosed"


def _drift_finding(c: DriftCoverage, report: CheckReport) -> None:
    """A warning or note on who judges ``c.sensor``'s drift, if not like neighbours."""
    env = _environment(c.outdoor)
    # At least half the neighbours of the other environment can set their median.
    if c.other_environment and 2 * len(c.other_environment) >= len(c.neighbours):
        # Like neighbours outnumbering the others set the median (and two in its
        # zone judge it alone).
        like = len(c.neighbours) - len(c.other_environment)
        more = max(MIN_NEIGHBOURS - like, len(c.other_environment) + 1 - like)
        report.warnings.append(
            f"drift_judge: {c.sensor} ({env}) is judged against {c.kind} sensors in "
            f"{_environment(not c.outdoor)} zones ({', '.join(c.other_environment)}): their "
            "air and its own part with the weather from day to day, which reads as drift; "
            f"{more} more {env} {c.kind} sensor{'s' if more > 1 else ''}, or "
            f"{MIN_NEIGHBOURS} in its zone, would judge it against its own environment"
        )
    elif c.judge == "own_history":
        report.notes.append(
            f"drift_judge: {c.sensor} has fewer than {MIN_NEIGHBOURS} neighbours of its kind: "
            "its drift is judged by its own history only, which cannot tell a drift from "
            "its room's slow change"
        )
    elif c.judge == "none":
        report.notes.append(
            f"drift_judge: {c.sensor} ({env}) is not judged for drift: its kind's other "
            f"sensors are all {_environment(not c.outdoor)}"
        )


def print_check(report: CheckReport, console: Console) -> None:
    v = report.venue
    for e in report.errors:
        console.print(f"[red]error[/red] {e}")
    for w in report.warnings:
        console.print(f"[yellow]warning[/yellow] {w}")
    for n in report.notes:
        console.print(f"[cyan]kept finding[/cyan] {n}")
    if v is None:
        console.print("[red]invalid venue file[/red]")
        return
    mesh = f"{report.mesh_triangles} mesh triangles" if report.mesh_triangles is not None else ""
    verdict = "[green]valid[/green]" if report.ok else "[red]not servable[/red]"
    console.print(
        f"{verdict}: {v.name} ({v.id}): {len(v.zones)} zones ({report.floor_area_m2:.0f} m2, "
        f"overlaps counted once) on {len(v.storeys)} storeys, {len(v.gates)} gates, "
        f"{len(v.sensors)} sensors, {len(v.artefacts)} artefacts; {mesh}; "
        f"{len(report.warnings)} warnings"
    )
