"""Reports: ``GET /api/venues/{venue}/report`` as PDF or HTML (docs/reports.md)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response

from reports import ReportError, ReportUnavailable, Scope, make_report
from twin.analytics.conservation import ClimateClass
from viewer.auth import RoleGuard
from viewer.context import ViewerContext
from viewer.roles import Role
from viewer.venue_lookup import venue_or_404

__all__ = ["reports_router"]

MAX_PERIOD_S = 366 * 86_400.0
# 1970 to 2200: any time a report can mean, as finite epoch seconds.
Epoch = Annotated[float, Query(ge=0.0, le=7_258_118_400.0)]

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such venue, zone or artefact."},
    422: {"description": "The period is empty or longer than 366 days."},
    429: {"description": "A report is being made; try again shortly (Retry-After)."},
    503: {"description": "Reports are not installed on this server (the report extra)."},
}
_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def reports_router(ctx: ViewerContext, guard: RoleGuard) -> APIRouter:
    r = APIRouter(prefix="/api/venues", tags=["reports"])
    viewer = Depends(guard.require(Role.VIEWER))
    # Rendering takes seconds of CPU: one report at a time per server.
    busy = asyncio.Lock()

    @r.get(
        "/{venue}/report",
        dependencies=[viewer],
        responses={
            **_ERRORS,
            200: {"content": {t: {} for t in _TYPES.values()}, "description": "The report."},
        },
        response_class=Response,
    )
    async def report(
        venue: str,
        start: Epoch,
        end: Epoch,
        zone: str | None = None,
        artefact: str | None = None,
        lang: Literal["en", "zh-CN"] = "en",
        format: Literal["pdf", "html"] = "pdf",
        target: Literal["AA", "A1", "A2", "B", "C", "D"] = "A1",
    ) -> Response:
        """Conservation and operations report of the venue, one zone or one artefact."""
        v = venue_or_404(ctx, venue)
        if not 0 < end - start <= MAX_PERIOD_S:
            raise HTTPException(422, "the period must be longer than 0 and at most 366 days")
        if zone is not None and artefact is not None:
            raise HTTPException(422, "give a zone or an artefact, not both")
        if busy.locked():
            raise HTTPException(429, "a report is being made", headers={"Retry-After": "10"})
        async with busy:
            try:
                body = await make_report(
                    ctx.store,
                    ctx.alarm_store,
                    v,
                    start,
                    end,
                    scope=Scope(zone=zone, artefact=artefact),
                    lang=lang,
                    fmt=format,
                    target=ClimateClass(target),
                )
            except ReportError as exc:
                raise HTTPException(404, str(exc)) from None
            except ReportUnavailable as exc:
                raise HTTPException(503, str(exc)) from None
        name = f"{venue}-report.{format}"
        return Response(
            body,
            media_type=_TYPES[format],
            headers={"Content-Disposition": f'inline; filename="{name}"'},
        )

    return r
