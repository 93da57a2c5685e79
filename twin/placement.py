"""Placing a sensor in a venue: its zone from the point, and the venue file updated.

Engineers drop an unplaced (auto-registered) or imported sensor onto the
mesh; the viewer sends the point, this module finds the zone whose volume
holds it, validates the new venue and rewrites the venue file atomically.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from twin.geometry.polygons import zone_of_points
from twin.loader import VenueFileError, load_venue
from twin.venue import SensorDef, SensorKind, Venue

__all__ = ["PlacementError", "place_in_file", "placed_venue"]


class PlacementError(ValueError):
    """The placement cannot be made (no zone there, unknown kind, no venue file...)."""


def placed_venue(
    venue: Venue,
    sensor: str,
    position: tuple[float, float, float],
    *,
    zone: str | None = None,
    kind: SensorKind | None = None,
    unit: str | None = None,
) -> tuple[Venue, SensorDef]:
    """The venue with ``sensor`` at ``position`` (metres, Z up), and its definition.

    ``zone`` defaults to the zone whose volume holds the point. A sensor the
    venue does not define yet needs its ``kind``; a defined one keeps its kind,
    unit, thresholds and interval and only moves.
    """
    found = zone_of_points(venue.zones, [position], z_tolerance=0.5)[0]
    zone = zone or found
    if zone is None:
        raise PlacementError(f"the point {position} is in no zone of {venue.id!r}")
    if zone not in venue.zone_by_id:
        raise PlacementError(f"no zone {zone!r} in {venue.id!r}")
    old = venue.sensor_by_id.get(sensor)
    if old is not None:
        defn = old.model_copy(update={"zone": zone, "position": position})
    else:
        if kind is None:
            raise PlacementError(f"sensor {sensor!r} is new to {venue.id!r}: give its kind")
        defn = SensorDef(id=sensor, kind=kind, unit=unit, zone=zone, position=position)
    sensors = [s for s in venue.sensors if s.id != sensor] + [defn]
    try:
        new = Venue.model_validate(
            {**venue.model_dump(exclude={"source"}), "sensors": [s.model_dump() for s in sensors]}
            | {"source": venue.source}
        )
    except ValueError as exc:
        raise PlacementError(str(exc)) from exc
    return new, new.sensor_by_id[sensor]


def place_in_file(path: Path, defn: SensorDef) -> Venue:
    """Write ``defn``'s zone and position (or the whole new sensor) into the venue file.

    Only that sensor's entry changes; the file is replaced atomically and
    re-validated before it replaces the old one. YAML comments are not kept.
    """
    try:
        doc: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PlacementError(f"cannot read {path}: {exc}") from exc
    if not isinstance(doc, dict):
        raise PlacementError(f"{path}: not a venue file")
    entries = doc.setdefault("sensors", [])
    entry = next((e for e in entries if isinstance(e, dict) and e.get("id") == defn.id), None)
    if entry is None:
        entry = {"id": defn.id, "kind": defn.kind.value}
        if defn.unit is not None:
            entry["unit"] = defn.unit
        entries.append(entry)
    entry["zone"] = defn.zone
    entry["position"] = [round(float(c), 4) for c in defn.position]
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        try:
            venue = load_venue(tmp)
        except VenueFileError as exc:
            raise PlacementError(f"the placed venue would not be valid: {exc}") from exc
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return venue.model_copy(update={"source": path.resolve()})
