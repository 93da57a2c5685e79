"""Venues: model, live state, mesh, sensor history, analytics."""

import asyncio
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from ingest.store.base import StoreError
from twin.geometry.export import ExportError
from viewer import frames
from viewer.analytics_view import empty_analytics
from viewer.auth import RoleGuard
from viewer.bounds import MAX_BUCKET_S, MAX_TS, MIN_BUCKET_S, MIN_TS
from viewer.context import ViewerContext
from viewer.errors import invalid
from viewer.roles import Role
from viewer.schemas import Analytics
from viewer.venue_lookup import venue_or_404

__all__ = ["MAX_HISTORY_POINTS", "venues_router"]

MAX_HISTORY_POINTS = 10_000


def _time_query(description: str) -> Any:
    return Query(ge=MIN_TS, le=MAX_TS, allow_inf_nan=False, description=description)


def venues_router(ctx: ViewerContext, guard: RoleGuard) -> APIRouter:
    r = APIRouter(
        prefix="/api/venues",
        tags=["venues"],
        dependencies=[Depends(guard.require(Role.VIEWER))],
    )

    @r.get("")
    async def venues() -> list[dict[str, str]]:
        """Every venue of this server."""
        return [{"id": v.id, "name": v.name} for v in ctx.twin.venues.values()]

    @r.get("/{venue}")
    async def venue_detail(venue: str) -> dict[str, Any]:
        """The venue model: zones (with area), sensors (with unit), gates, artefacts."""
        v = venue_or_404(ctx, venue)
        body: dict[str, Any] = v.model_dump(mode="json")
        for z, zb in zip(v.zones, body["zones"], strict=True):
            zb["area_m2"] = z.area_m2
            zb["usable_area_m2"] = z.usable_area_m2
            zb["usable_area_source"] = z.usable_area_source
        for s, sb in zip(v.sensors, body["sensors"], strict=True):
            sb["unit"] = s.resolved_unit
        return body

    @r.get("/{venue}/state")
    async def venue_state(venue: str) -> dict[str, Any]:
        """Every sensor's latest value and status, every zone's aggregates."""
        venue_or_404(ctx, venue)
        return frames.snapshot_body(ctx.twin.states[venue], time.time())

    @r.get("/{venue}/analytics", response_model=Analytics)
    async def analytics(venue: str) -> dict[str, Any]:
        """Latest crowd, climate and light-dose results per zone and artefact; recent anomalies."""
        v = venue_or_404(ctx, venue)
        body = ctx.analytics.body(venue) if ctx.analytics is not None else None
        return body or empty_analytics(v)

    @r.get("/{venue}/mesh.glb", operation_id="venue_mesh")
    @r.head("/{venue}/mesh.glb", operation_id="venue_mesh_head")
    async def mesh(
        venue: str,
        request: Request,
        lod: Annotated[
            int | None,
            Query(
                ge=0,
                le=3,
                description="Level of detail, 0 = full; absent: the finest within "
                "500,000 triangles (the level chosen is in the X-Mesh-Lod header).",
            ),
        ] = None,
    ) -> Response:
        """The venue mesh as binary glTF."""
        v = venue_or_404(ctx, venue)
        try:
            if lod is None:
                lod = await asyncio.to_thread(ctx.glb_cache.auto_lod, v)
            glb = await asyncio.to_thread(ctx.glb_cache.get, v, lod)
        except ExportError as exc:
            raise HTTPException(500, f"cannot export the venue mesh: {exc}") from exc
        etag = glb.etag
        headers = {
            "ETag": etag,
            "Cache-Control": "private, max-age=60, must-revalidate",
            "X-Mesh-Lod": str(lod),
        }
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(glb.data, media_type="model/gltf-binary", headers=headers)

    @r.get("/{venue}/sensors/{sensor}/history")
    async def history(
        venue: str,
        sensor: str,
        start: Annotated[float, _time_query("Epoch seconds, inclusive.")],
        end: Annotated[float, _time_query("Epoch seconds, exclusive.")],
        bucket: Annotated[
            float | None,
            Query(
                ge=MIN_BUCKET_S,
                le=MAX_BUCKET_S,
                allow_inf_nan=False,
                description="Bucket width in seconds (at least 1 ms); raw if absent.",
            ),
        ] = None,
    ) -> dict[str, Any]:
        """One sensor's stored readings, raw (at most 10,000) or in buckets."""
        v = venue_or_404(ctx, venue)
        sdef = v.sensor_by_id.get(sensor)
        if sdef is None:
            raise HTTPException(404, f"no sensor {sensor!r} in {venue!r}")
        if end <= start:
            raise invalid(("query", "end"), "'end' must be after 'start'")
        body: dict[str, Any] = {"sensor": sensor, "unit": sdef.resolved_unit, "bucket_s": bucket}
        try:
            if bucket is None:
                rows = await ctx.store.raw(venue, sensor, start, end, limit=MAX_HISTORY_POINTS)
                body["points"] = [{"ts": r.ts, "value": r.value} for r in rows]
            else:
                if (end - start) / bucket > MAX_HISTORY_POINTS:
                    raise invalid(
                        ("query", "bucket"), f"at most {MAX_HISTORY_POINTS} buckets; widen 'bucket'"
                    )
                bs = await ctx.store.downsampled(venue, sensor, start, end, bucket)
                body["buckets"] = [
                    {"ts": b.start, "min": b.min, "max": b.max, "mean": b.mean, "count": b.count}
                    for b in bs
                ]
        except StoreError as exc:
            raise HTTPException(503, f"history is unavailable: {exc}") from exc
        return body

    return r
