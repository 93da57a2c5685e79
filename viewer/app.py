"""The viewer's FastAPI application: REST, WebSocket and the browser app.

The viewer owns no model: it translates the twin's state and the store's
history into HTTP answers and WebSocket frames.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request, WebSocket
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry, make_asgi_app

from ingest.store.base import Store, StoreError
from twin.export import ExportError, GlbCache
from twin.service import TwinService
from viewer import frames
from viewer.hub import Hub

__all__ = ["ViewerContext", "create_app"]

MAX_HISTORY_POINTS = 10_000


@dataclass
class ViewerContext:
    twin: TwinService
    store: Store
    hub: Hub
    health: Callable[[], dict[str, Any]]
    metrics_registry: CollectorRegistry | None = None
    static_dir: Path | None = None
    glb_cache: GlbCache = field(default_factory=GlbCache)


def default_static_dir() -> Path:
    return Path(str(resources.files("viewer") / "static"))


_MISSING_APP = """<!doctype html><title>venue-twin</title>
<p>The browser app is not built. Run <code>npm --prefix viewer/web ci &amp;&amp;
npm --prefix viewer/web run build</code>, then reload.
The API is at <a href="/docs">/docs</a>.</p>"""


def create_app(ctx: ViewerContext) -> FastAPI:
    app = FastAPI(
        title="venue-twin",
        version="0.1.0",
        summary="Live digital twin of museums and scenic sites.",
    )
    static = ctx.static_dir or default_static_dir()

    def venue_or_404(venue: str) -> Any:
        v = ctx.twin.venues.get(venue)
        if v is None:
            raise HTTPException(404, f"no venue {venue!r}")
        return v

    @app.get("/api/health")
    async def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "time": time.time(),
            **ctx.health(),
            "websocket": vars(ctx.hub.stats),
        }

    @app.get("/api/venues")
    async def venues() -> list[dict[str, str]]:
        return [{"id": v.id, "name": v.name} for v in ctx.twin.venues.values()]

    @app.get("/api/venues/{venue}")
    async def venue_detail(venue: str) -> dict[str, Any]:
        v = venue_or_404(venue)
        body: dict[str, Any] = v.model_dump(mode="json")
        for z, zb in zip(v.zones, body["zones"], strict=True):
            zb["area_m2"] = z.area_m2
        for s, sb in zip(v.sensors, body["sensors"], strict=True):
            sb["unit"] = s.resolved_unit
        return body

    @app.get("/api/venues/{venue}/state")
    async def venue_state(venue: str) -> dict[str, Any]:
        venue_or_404(venue)
        return frames.snapshot_body(ctx.twin.states[venue], time.time())

    @app.api_route("/api/venues/{venue}/mesh.glb", methods=["GET", "HEAD"])
    async def mesh(
        venue: str,
        request: Request,
        lod: Annotated[int, Query(ge=0, le=3, description="Level of detail, 0 = full.")] = 0,
    ) -> Response:
        v = venue_or_404(venue)
        try:
            glb = await asyncio.to_thread(ctx.glb_cache.get, v, lod)
        except ExportError as exc:
            raise HTTPException(500, f"cannot export the venue mesh: {exc}") from exc
        etag = glb.etag
        headers = {"ETag": etag, "Cache-Control": "public, max-age=60, must-revalidate"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(glb.data, media_type="model/gltf-binary", headers=headers)

    @app.get("/api/venues/{venue}/sensors/{sensor}/history")
    async def history(
        venue: str,
        sensor: str,
        start: Annotated[float, Query(description="Epoch seconds, inclusive.")],
        end: Annotated[float, Query(description="Epoch seconds, exclusive.")],
        bucket: Annotated[
            float | None, Query(gt=0, description="Bucket width in seconds; raw if absent.")
        ] = None,
    ) -> dict[str, Any]:
        v = venue_or_404(venue)
        sdef = v.sensor_by_id.get(sensor)
        if sdef is None:
            raise HTTPException(404, f"no sensor {sensor!r} in {venue!r}")
        if end <= start:
            raise HTTPException(422, "'end' must be after 'start'")
        body: dict[str, Any] = {"sensor": sensor, "unit": sdef.resolved_unit, "bucket_s": bucket}
        try:
            if bucket is None:
                rows = await ctx.store.raw(venue, sensor, start, end, limit=MAX_HISTORY_POINTS)
                body["points"] = [{"ts": r.ts, "value": r.value} for r in rows]
            else:
                if (end - start) / bucket > MAX_HISTORY_POINTS:
                    raise HTTPException(
                        422, f"at most {MAX_HISTORY_POINTS} buckets; widen 'bucket'"
                    )
                bs = await ctx.store.downsampled(venue, sensor, start, end, bucket)
                body["buckets"] = [
                    {"ts": b.start, "min": b.min, "max": b.max, "mean": b.mean, "count": b.count}
                    for b in bs
                ]
        except StoreError as exc:
            raise HTTPException(503, f"history is unavailable: {exc}") from exc
        return body

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await ctx.hub.serve(websocket)

    index = static / "index.html"

    @app.get("/", include_in_schema=False)
    async def root() -> Response:
        if index.is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return HTMLResponse(_MISSING_APP)

    if ctx.metrics_registry is not None:
        app.mount("/metrics", make_asgi_app(registry=ctx.metrics_registry), name="metrics")

    if static.is_dir():
        app.mount("/static", StaticFiles(directory=static), name="static")

    @app.exception_handler(StoreError)
    async def store_error(_r: Request, exc: StoreError) -> JSONResponse:
        return JSONResponse({"detail": f"store unavailable: {exc}"}, status_code=503)

    return app
