"""Alarms: list, history, acknowledge, shelve, unshelve."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query

from twin.alarms import Alarm, IllegalTransition, UnknownAlarm
from viewer.auth import RoleGuard
from viewer.bodies import alarm_body, alarm_history_body
from viewer.context import ViewerContext
from viewer.operator_actions import act
from viewer.paging import SCAN_LIMIT, Limit, Offset, merged, page
from viewer.roles import Principal, Role
from viewer.schemas import AlarmHistory, AlarmOut, AlarmPage, NoteIn, ShelveIn
from viewer.sources import AlarmSource
from viewer.venue_lookup import check_venue

__all__ = ["alarms_router"]

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such alarm."},
    409: {"description": "The alarm's state does not allow this."},
}


def alarms_router(ctx: ViewerContext, guard: RoleGuard) -> APIRouter:
    r = APIRouter(prefix="/api/alarms", tags=["alarms"])
    viewer = Depends(guard.require(Role.VIEWER))
    Operator = Annotated[Principal, Depends(guard.require(Role.OPERATOR))]

    def manager() -> AlarmSource:
        if ctx.alarms is None:
            raise HTTPException(503, "alarms are not running on this server")
        return ctx.alarms

    @r.get("", response_model=AlarmPage, dependencies=[viewer])
    async def list_alarms(
        limit: Limit = 100,
        offset: Offset = 0,
        venue: Annotated[str | None, Query(description="Only this venue's alarms.")] = None,
        state: Annotated[
            Literal["open", "all"], Query(description="open: not cleared; all: with history.")
        ] = "open",
        order: Annotated[
            Literal["triage", "recent"],
            Query(
                description="triage: most severe first, newest first within a severity; "
                "recent: last changed first (an alarm log)."
            ),
        ] = "triage",
    ) -> dict[str, Any]:
        """Alarms in triage order, or most recently changed first."""
        m = manager()
        check_venue(ctx, venue)
        stored: list[Alarm] = []
        if state == "all" and ctx.alarm_store is not None:
            by: Literal["raised", "updated"] = "updated" if order == "recent" else "raised"
            stored = await ctx.alarm_store.alarms(venue, limit=SCAN_LIMIT, by=by)
        found = merged(stored, m.open_alarms(venue), key=lambda a: a.alarm_id)
        if order == "recent":
            ordered = sorted(found, key=lambda a: -a.updated_at)
        else:
            ordered = sorted(found, key=lambda a: (-a.severity.rank, -a.raised_at))
        return page([alarm_body(a) for a in ordered], limit, offset)

    @r.get(
        "/{alarm_id}/history",
        response_model=AlarmHistory,
        dependencies=[viewer],
        responses=_ERRORS,
    )
    async def history(alarm_id: str) -> dict[str, Any]:
        """Every state change of one alarm, oldest first."""
        m = manager()
        await _get(m, alarm_id)
        return {"items": [alarm_history_body(t) for t in await m.history(alarm_id)]}

    @r.post("/{alarm_id}/acknowledge", response_model=AlarmOut, responses=_ERRORS)
    async def acknowledge(
        alarm_id: str, who: Operator, body: NoteIn | None = None
    ) -> dict[str, Any]:
        """Acknowledge a raised (or cleared, unacknowledged) alarm."""
        note = body.note if body is not None else ""
        return await _act(lambda: manager().acknowledge(alarm_id, who.username, note))

    @r.post("/{alarm_id}/shelve", response_model=AlarmOut, responses=_ERRORS)
    async def shelve(alarm_id: str, who: Operator, body: ShelveIn) -> dict[str, Any]:
        """Hide an open alarm for ``duration_s`` seconds."""
        return await _act(
            lambda: manager().shelve(
                alarm_id, who.username, duration_s=body.duration_s, note=body.note
            )
        )

    @r.post("/{alarm_id}/unshelve", response_model=AlarmOut, responses=_ERRORS)
    async def unshelve(alarm_id: str, who: Operator) -> dict[str, Any]:
        """Take an alarm off the shelf before its time."""
        return await _act(lambda: manager().unshelve(alarm_id, who.username))

    return r


async def _get(m: AlarmSource, alarm_id: str) -> Alarm:
    try:
        return await m.get(alarm_id)
    except UnknownAlarm as exc:
        raise HTTPException(404, str(exc)) from exc


async def _act(op: Callable[[], Awaitable[Alarm]]) -> dict[str, Any]:
    return alarm_body(await act(op, missing=UnknownAlarm, refused=IllegalTransition))
