"""Venue-model tools: BIM import and scan change detection (optional extras)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from twin.loader import VenueFileError
from venue_twin.extras_hint import extra_import_error
from venue_twin.runner import UsageError
from venue_twin.wiring import resolve_venue

__all__ = ["add_parsers"]


def add_parsers(sub: Any) -> None:
    ifc = sub.add_parser(
        "import-ifc",
        help="turn an IFC (BIM) file into a venue file and mesh  [extra: bim]",
        description=(
            "Read an IFC file: the building's geometry becomes the venue mesh, IfcSpace "
            "entities become zones and IfcSensor entities sensors. Writes DIR/<venue>.yaml."
        ),
        epilog="example: venue-twin import-ifc east-wing.ifc --out venues/ --mesh glb",
    )
    ifc.add_argument("file", type=Path, help="IFC file (IFC2X3 or IFC4)")
    ifc.add_argument("--out", type=Path, required=True, help="folder for the venue file and mesh")
    ifc.add_argument("--mesh", choices=["glb", "ply"], default="glb", help="mesh format")
    ifc.add_argument("--ids", choices=["name", "guid"], default="name", help="zone/sensor ids from")
    ifc.add_argument("--venue-id", help="venue id (default: from the IFC project)")
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
        from twin.ifc_import import IfcImportError, import_ifc, write_venue_yaml
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
        )
    except IfcImportError as exc:
        console.print(f"[red]cannot import[/red] {args.file}: {exc}")
        return 1
    path = write_venue_yaml(result.venue, args.out / f"{result.venue.id}.yaml")
    v = result.venue
    console.print(
        f"[green]imported[/green] {v.name} ({result.schema}): {len(v.zones)} zones, "
        f"{len(v.sensors)} sensors, {result.meshed_products} products meshed -> {path}"
    )
    for sp in result.spaces:
        net = f"{sp.net_floor_area_m2:.1f}" if sp.net_floor_area_m2 is not None else "-"
        console.print(
            f"  zone {sp.zone_id} ({sp.name}): {sp.polygon_area_m2:.1f} m2 from the outline, "
            f"{net} m2 net floor area in the IFC"
        )
    for sk in result.skipped_sensors:
        console.print(f"  [yellow]skipped sensor[/yellow] {sk}")
    for name in result.products_without_mesh:
        console.print(f"  [yellow]no geometry[/yellow] {name}")
    return 0


def _scan_change(args: argparse.Namespace, console: Console) -> int:
    try:
        from twin.mesh_import import venue_mesh
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
