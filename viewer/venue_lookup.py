"""The one way a route looks up a venue by its id: an unknown id is a 404.

Every route that takes a venue (in the path, a query filter or a body)
answers an unknown one alike, so a client can tell "no such venue" from an
empty list or a server fault.
"""

from __future__ import annotations

from fastapi import HTTPException

from twin.venue import Venue
from viewer.context import ViewerContext

__all__ = ["check_venue", "venue_or_404"]


def venue_or_404(ctx: ViewerContext, venue: str) -> Venue:
    """The venue ``venue`` of this twin, or a 404 naming it."""
    v = ctx.twin.venues.get(venue)
    if v is None:
        raise HTTPException(404, f"no venue {venue!r}")
    return v


def check_venue(ctx: ViewerContext, venue: str | None) -> None:
    """A list filtered by a venue the twin does not serve is a 404, not an empty page."""
    if venue is not None:
        venue_or_404(ctx, venue)
