"""Which venue a command or the platform means: ``sample:NAME`` or a venue file's path."""

from __future__ import annotations

from pathlib import Path

from twin.loader import VenueFileError, load_sample, load_venue
from twin.venue import Venue
from venue_twin.runner import UsageError
from venue_twin.settings import Settings

__all__ = ["command_venue", "resolve_venue"]


def resolve_venue(ref: str) -> Venue:
    """``sample:NAME`` for a shipped venue, else a path to a venue file."""
    if ref.startswith("sample:"):
        return load_sample(ref.removeprefix("sample:"))
    return load_venue(Path(ref))


def command_venue(ref: str | None, settings: Settings) -> Venue:
    """The venue a command works on: ``--venue``, else the first configured one.

    A venue file that cannot be read is the user's to fix: a usage error.
    """
    try:
        return resolve_venue(ref or settings.venues[0])
    except VenueFileError as exc:
        raise UsageError(str(exc)) from exc
