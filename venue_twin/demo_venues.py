"""Venues for ``venue-twin demo``: IFC files imported on the fly, empty venues given sensors.

A demo should come alive whatever it is given. ``--venue office.ifc``
imports the building (with the suggested sensor layout) into the demo's data
folder and runs it; a venue file without any sensor gets the suggested
layout too, in a copy next to the demo's data, so the simulator has
something to publish and the twin something to show. Both are said aloud.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from twin.loader import VenueFileError
from twin.suggest_sensors import with_suggested
from twin.venue_writer import write_venue_yaml
from venue_twin.runner import UsageError
from venue_twin.venue_refs import resolve_venue

__all__ = ["IFC_SUFFIXES", "prepare_demo_venues"]

IFC_SUFFIXES = (".ifc",)


def _import(ref: str, folder: Path, console: Console) -> str:
    try:
        from twin.bim.importer import IfcImportError, import_ifc
        from venue_twin.ifc_report import print_import
    except ImportError as exc:
        raise UsageError(
            f"IFC files need the 'bim' extra: pip install 'venue-twin[bim]' ({exc})"
        ) from exc
    src = Path(ref)
    out = folder / "venues" / src.stem
    console.print(f"importing {src} (IFC) with a suggested sensor layout...")
    try:
        result = import_ifc(src, out / f"{src.stem}.glb", venue_dir=out, suggest=True)
    except IfcImportError as exc:
        raise UsageError(f"cannot import {src}: {exc}") from exc
    print_import(result, console)
    return str(write_venue_yaml(result.venue, out / f"{result.venue.id}.yaml"))


def _with_sensors(ref: str, folder: Path, console: Console) -> str:
    """``ref`` itself, or a copy with suggested sensors when it has none."""
    try:
        venue = resolve_venue(ref)
    except VenueFileError:
        return ref  # the platform reports it with the line and field
    if venue.sensors:
        return ref
    live = with_suggested(venue)
    if live.mesh.file is not None and venue.source is not None:
        mesh = (venue.source.parent / live.mesh.file).resolve()
        live = live.model_copy(update={"mesh": live.mesh.model_copy(update={"file": str(mesh)})})
    path = folder / "venues" / f"{venue.id}-suggested.yaml"
    write_venue_yaml(live, path)
    console.print(
        f"venue {venue.id} has no sensors: running it with {len(live.sensors)} suggested "
        f"sensors ({path})"
    )
    return str(path)


def prepare_demo_venues(refs: list[str], folder: Path, console: Console) -> list[str]:
    """The venue references the demo serves, IFC files imported and empty venues equipped."""
    out = []
    for ref in refs:
        if Path(ref).suffix.lower() in IFC_SUFFIXES:
            out.append(_import(ref, folder, console))
        else:
            out.append(_with_sensors(ref, folder, console))
    return out
