"""Answers 503 on state endpoints until a mirror has the twin's first snapshot.

Before that, a mirror viewer's state would be blank, not the twin's: a
browser or a load balancer must see "not ready", not an empty venue.
History, replay, the mesh and the browser app read the store or files and
stay open.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["WAITING", "MirrorGate"]

WAITING = "waiting for the twin's state"
_VENUE_STATE = ("state", "analytics")
_ALL_VENUES = ("/api/alarms", "/api/commands")


class MirrorGate:
    """ASGI middleware; ``ready(venue)`` tells whether that venue's snapshot arrived."""

    def __init__(self, app: ASGIApp, ready: Callable[[str], bool], venues: list[str]) -> None:
        self._app = app
        self._ready = ready
        self._venues = venues

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._open(scope["path"]):
            response = JSONResponse({"detail": WAITING}, 503, headers={"Retry-After": "1"})
            await response(scope, receive, send)
            return
        await self._app(scope, receive, send)

    def _open(self, path: str) -> bool:
        if path.startswith(_ALL_VENUES):
            return all(self._ready(v) for v in self._venues)
        parts = path.strip("/").split("/")
        # /api/venues/{venue}/state and /api/venues/{venue}/analytics
        if len(parts) == 4 and parts[:2] == ["api", "venues"] and parts[3] in _VENUE_STATE:
            return parts[2] not in self._venues or self._ready(parts[2])
        return True
