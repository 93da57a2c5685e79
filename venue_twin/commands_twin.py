"""Venue-model tools: BIM import and scan change detection (optional extras)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from twin.loader import VenueFileError
from venue_twin.extras_hint import extra_import_error
from venue_twin.runner import UsageError
from venue_twin.venue_refs import resolve_venue

__all__ = ["add_parsers"]


def add_parsers(sub: Any) -> None:
    ifc = sub.add_parser(
        "import-ifc",
        help="turn an IFC (BIM) file into a venue file and mesh  [extra: bim]",
        description=(
            "Read an IFC file: the building's geometry becomes the venue mesh, spaces "
            "become zones on their storeys, doors, stairs and lifts become gates, and "
            "sensors become sensors. Prints the storeys, the zones whose area differs from "
            "the IFC's own and every finding; writes DIR/<venue>.yaml and the mesh."
        ),
        epilog=(
            "examples:\n"
            "  venue-twin import-ifc east-wing.ifc --out venues/ --mesh glb\n"
            "  venue-twin import-ifc office.ifc --out venues/ --suggest-sensors\n"
            "  venue-twin demo --venue office.ifc   # import and run in one step"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ifc.add_argument("file", type=Path, help="IFC file (IFC2X3, IFC4 or IFC4X3)")
    ifc.add_argument("--out", type=Path, required=True, help="folder for the venue file and mesh")
    ifc.add_argument("--mesh", choices=["glb", "ply"], default="glb", help="mesh format")
    ifc.add_argument("--ids", choices=["name", "guid"], default="name", help="zone/sensor ids from")
    ifc.add_argument(
        "--venue-id", help="venue id (default: the building's or site's name, else the file name)"
    )
    ifc.add_argument(
        "--suggest-sensors",
        action="store_true",
        help="add a default layout (climate per room, two-way counters at every gate, "
        "a camera in large halls), marked suggested",
    )
    ifc.set_defaults(handler=_import_ifc)

    scan = sub.add_parser(
        "scan-change",
        help="register a point-cloud scan to the venue mesh and map surface change  [extra: scan]",
        description=(
            "Register a PLY scan to the venue's mesh (FPFH + RANSAC, then ICP), report the "
            "fit, and compute per-vertex change in millimetres as a heat map."
        ),
        epilog=(
            "example: venue-twin scan-change relief-2026.ply --venue relief.yaml "
            "--voxel 0.01 --threshold-mm 1 --heatmap change.glb"
        ),
    )
    scan.add_argument("file", type=Path, help="the new scan (PLY)")
    scan.add_argument("--venue", required=True, help="venue file whose mesh is the reference")
    scan.add_argument("--voxel", type=float, help="registration voxel size in metres")
    scan.add_argument("--threshold-mm", type=float, default=1.0, help="smallest change counted")
    scan.add_argument("--units", default="m", help="units of the scan's coordinates (m, cm, mm)")
    scan.add_argument("--heatmap", type=Path, help="write the change heat map here (GLB)")
    scan.set_defaults(handler=_scan_change)


def _import_ifc(args: argparse.Namespace, console: Console) -> int:
    try:
        from twin.bim.importer import IfcImportError, import_ifc
        from twin.venue_writer import write_venue_yaml
        from venue_twin.ifc_report import print_import
    except ImportError as exc:
        raise UsageError(extra_import_error("IFC import", "bim", "ifcopenshell", exc)) from exc
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.venue_id or args.file.stem
    try:
        result = import_ifc(
            args.file,
            args.out / f"{stem}.{args.mesh}",
            venue_id=args.venue_id,
            venue_dir=args.out,
            id_source=args.ids,
            suggest=args.suggest_sensors,
        )
    except IfcImportError as exc:
        console.print(f"[red]cannot import[/red] {args.file}: {exc}")
        return 1
    path = write_venue_yaml(result.venue, args.out / f"{result.venue.id}.yaml")
    print_import(result, console)
    console.print(f"[green]imported[/green] -> {path}")
    return 0


def _scan_change(args: argparse.Namespace, console: Console) -> int:
    try:
        from twin.geometry.mesh_import import venue_mesh
        from twin.scans import RegistrationFailed, RegistrationParams, inspect_scan
    except ImportError as exc:
        raise UsageError(extra_import_error("scans", "scan", "open3d", exc)) from exc
    try:
        venue = resolve_venue(args.venue)
    except VenueFileError as exc:
        raise UsageError(str(exc)) from exc
    params = RegistrationParams(voxel_m=args.voxel) if args.voxel else None
    try:
        result = inspect_scan(
            args.file,
            venue_mesh(venue),
            params=params,
            threshold_mm=args.threshold_mm,
            heatmap_out=args.heatmap,
            scan_units=args.units,
        )
    except RegistrationFailed as exc:
        console.print(f"[red]registration failed[/red]: {exc}")
        return 1
    fit = result.registration
    console.print(f"fit: overlap {fit.fitness:.1%}, inlier RMSE {fit.inlier_rmse_m * 1000:.2f} mm")
    for key, value in result.summary.as_dict().items():
        console.print(f"  {key}: {value}")
    if result.heatmap is not None:
        console.print(f"heat map written to {result.heatmap}")
    return 0
