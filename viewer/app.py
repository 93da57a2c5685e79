"""The viewer's FastAPI application: REST, WebSocket and the browser app.

The viewer owns no model: it translates the twin's state, the alarms, the
commands and the store's history into HTTP answers and WebSocket frames, and
enforces who may see and do what (see ``docs/rest.md`` and ``docs/security.md``).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from ingest.store.base import StoreError
from twin.alarms import AlarmStoreError
from viewer.auth import RoleGuard
from viewer.context import ViewerContext, default_static_dir
from viewer.device_health import device_health_router
from viewer.errors import install_validation_handler
from viewer.openapi_doc import install_openapi
from viewer.request_guard import RequestGuard
from viewer.routes_alarms import alarms_router
from viewer.routes_auth import auth_router
from viewer.routes_commands import commands_router
from viewer.routes_placement import placement_router
from viewer.routes_replay import replay_router
from viewer.routes_reports import reports_router
from viewer.routes_system import health_router, mount_metrics, mount_static
from viewer.routes_venues import venues_router
from viewer.routes_ws import ws_router

__all__ = ["ViewerContext", "create_app", "default_static_dir"]


def create_app(ctx: ViewerContext) -> FastAPI:
    app = FastAPI(
        title="venue-twin",
        version="0.1.0",
        summary="Live digital twin of museums and scenic sites.",
    )
    guard = RoleGuard(ctx.auth)
    app.include_router(health_router(ctx))
    app.include_router(auth_router(guard))
    app.include_router(venues_router(ctx, guard))
    app.include_router(alarms_router(ctx, guard))
    app.include_router(commands_router(ctx, guard))
    app.include_router(replay_router(ctx, guard))
    app.include_router(placement_router(ctx, guard))
    app.include_router(device_health_router(ctx, guard))
    app.include_router(reports_router(ctx, guard))
    app.include_router(ws_router(ctx))
    if ctx.metrics_registry is not None:
        mount_metrics(app, ctx.metrics_registry, ctx.auth)
    mount_static(app, ctx)
    install_validation_handler(app)
    install_openapi(app, metrics=ctx.metrics_registry is not None)
    # Before any route reads a body: capped per route (413), strict JSON (422).
    app.add_middleware(RequestGuard)
    if ctx.allowed_origins:
        # Off unless configured: the browser app is served from this origin.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=ctx.allowed_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )

    @app.exception_handler(StoreError)
    async def store_error(_r: Request, exc: StoreError) -> JSONResponse:
        return JSONResponse({"detail": f"store unavailable: {exc}"}, status_code=503)

    @app.exception_handler(AlarmStoreError)
    async def alarm_store_error(_r: Request, exc: AlarmStoreError) -> JSONResponse:
        return JSONResponse({"detail": f"alarm store unavailable: {exc}"}, status_code=503)

    return app
