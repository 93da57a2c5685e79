"""Write a venue as a venue file (YAML): what importers and the demo produce."""

from __future__ import annotations

from pathlib import Path

import yaml

from twin.venue import Venue

__all__ = ["venue_yaml", "write_venue_yaml"]


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
