"""Commands: list, confirm, reject."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from twin.commands import (
    CommandNotPending,
    CommandRecord,
    CommandState,
    UnknownCommand,
)
from viewer.auth import RoleGuard
from viewer.bodies import command_body
from viewer.context import ViewerContext
from viewer.operator_actions import act
from viewer.paging import SCAN_LIMIT, Limit, Offset, merged, page
from viewer.roles import Principal, Role
from viewer.schemas import CommandOut, CommandPage, NoteIn
from viewer.sources import CommandSource
from viewer.venue_lookup import check_venue

__all__ = ["commands_router"]

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such command."},
    409: {"description": "The command no longer waits for an operator."},
}


def commands_router(ctx: ViewerContext, guard: RoleGuard) -> APIRouter:
    r = APIRouter(prefix="/api/commands", tags=["commands"])
    viewer = Depends(guard.require(Role.VIEWER))
    Operator = Annotated[Principal, Depends(guard.require(Role.OPERATOR))]

    def tracker() -> CommandSource:
        if ctx.commands is None:
            raise HTTPException(503, "commands are not running on this server")
        return ctx.commands

    @r.get("", response_model=CommandPage, dependencies=[viewer])
    async def list_commands(
        limit: Limit = 100,
        offset: Offset = 0,
        venue: Annotated[str | None, Query(description="Only this venue's commands.")] = None,
        state: Annotated[
            CommandState | None, Query(description="Only commands in this state.")
        ] = None,
    ) -> dict[str, Any]:
        """Commands, newest first."""
        t = tracker()
        check_venue(ctx, venue)
        stored: list[CommandRecord] = []
        if ctx.command_store is not None:
            stored = await ctx.command_store.commands(venue, limit=SCAN_LIMIT)
        found = merged(stored, t.open_commands(venue), key=lambda c: c.command_id)
        chosen = [c for c in found if state is None or c.state is state]
        chosen.sort(key=lambda c: -c.created_at)
        return page([command_body(c) for c in chosen], limit, offset)

    @r.post("/{command_id}/confirm", response_model=CommandOut, responses=_ERRORS)
    async def confirm(command_id: str, who: Operator) -> dict[str, Any]:
        """Send a command that waits for an operator's confirmation."""
        return await _act(lambda: tracker().confirm(command_id, who.username))

    @r.post("/{command_id}/reject", response_model=CommandOut, responses=_ERRORS)
    async def reject(command_id: str, who: Operator, body: NoteIn | None = None) -> dict[str, Any]:
        """Refuse a command that waits for an operator's confirmation."""
        note = body.note if body is not None else ""
        return await _act(lambda: tracker().reject(command_id, who.username, note))

    return r


async def _act(op: Callable[[], Awaitable[CommandRecord]]) -> dict[str, Any]:
    return command_body(await act(op, missing=UnknownCommand, refused=CommandNotPending))
