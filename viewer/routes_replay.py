"""Replay sessions (engineer): create, read, control, delete."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException

from twin.replay import ReplayError
from viewer.auth import RoleGuard
from viewer.context import ViewerContext
from viewer.errors import invalid
from viewer.replay_sessions import ReplayLimitReached, ReplaySessions, UnknownReplay
from viewer.roles import Principal, Role
from viewer.schemas import ReplayControlIn, ReplayIn, ReplayOut
from viewer.venue_lookup import venue_or_404

__all__ = ["replay_router"]

_ERRORS: dict[int | str, dict[str, Any]] = {404: {"description": "No such session."}}


def replay_router(ctx: ViewerContext, guard: RoleGuard) -> APIRouter:
    r = APIRouter(prefix="/api/replay", tags=["replay"])
    Engineer = Annotated[Principal, Depends(guard.require(Role.ENGINEER))]
    engineer = Depends(guard.require(Role.ENGINEER))

    def sessions() -> ReplaySessions:
        if ctx.replays is None:
            raise HTTPException(503, "replay is not available on this server")
        return ctx.replays

    @r.post(
        "",
        status_code=201,
        response_model=ReplayOut,
        responses={
            404: {"description": "No such venue."},
            429: {"description": "Too many sessions at once."},
        },
    )
    async def create(body: ReplayIn, who: Engineer) -> dict[str, Any]:
        """Start a paused replay of one venue's stored readings in its own twin."""
        s = sessions()
        venue_or_404(ctx, body.venue)
        if not body.end > body.start:
            raise invalid(("body", "end"), "'end' must be after 'start'")
        try:
            replay = await s.create(body.venue, body.start, body.end, body.speed, who.username)
        except ReplayLimitReached as exc:
            raise HTTPException(429, str(exc)) from exc
        except ReplayError as exc:
            raise invalid(("body",), str(exc)) from exc
        return replay.body()

    @r.get("/{session_id}", response_model=ReplayOut, dependencies=[engineer], responses=_ERRORS)
    async def read(session_id: str) -> dict[str, Any]:
        """A session's window, position, speed and whether it plays."""
        try:
            return sessions().get(session_id).body()
        except UnknownReplay as exc:
            raise HTTPException(404, str(exc)) from exc

    @r.post(
        "/{session_id}/control",
        response_model=ReplayOut,
        dependencies=[engineer],
        responses=_ERRORS,
    )
    async def control(session_id: str, body: ReplayControlIn) -> dict[str, Any]:
        """play, pause, seek (``t``) or change ``speed``."""
        try:
            replay = await sessions().control(session_id, body.action, t=body.t, speed=body.speed)
        except UnknownReplay as exc:
            raise HTTPException(404, str(exc)) from exc
        except ReplayError as exc:
            raise invalid(("body",), str(exc)) from exc
        return replay.body()

    @r.delete("/{session_id}", status_code=204, dependencies=[engineer], responses=_ERRORS)
    async def delete(session_id: str) -> None:
        """End a session; its WebSocket watchers get a ``replay_ended`` error."""
        try:
            await sessions().delete(session_id)
        except UnknownReplay as exc:
            raise HTTPException(404, str(exc)) from exc

    return r
