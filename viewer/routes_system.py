"""Health, Prometheus metrics (behind a token) and the browser app (open)."""

import time
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry, make_asgi_app
from starlette.types import ASGIApp, Receive, Scope, Send

from viewer.auth import Authenticator, AuthError, Credentials
from viewer.context import ViewerContext, default_static_dir
from viewer.roles import Role

__all__ = ["health_router", "mount_metrics", "mount_static"]

_MISSING_APP = """<!doctype html><title>venue-twin</title>
<p>The browser app is not built. Run <code>npm --prefix viewer/web ci &amp;&amp;
npm --prefix viewer/web run build</code>, then reload.
The API is at <a href="/docs">/docs</a>.</p>"""


def health_router(ctx: ViewerContext) -> APIRouter:
    r = APIRouter(tags=["system"])

    @r.get("/api/health")
    async def health(credentials: Credentials) -> dict[str, Any]:
        """``{"status": "ok"}`` for anyone; with a valid token also the details."""
        try:
            ctx.auth.verify(credentials.credentials if credentials else None)
        except AuthError:
            return {"status": "ok"}
        return {
            "status": "ok",
            "time": time.time(),
            **ctx.health(),
            "websocket": vars(ctx.hub.stats),
            "replay_sessions": len(ctx.replays) if ctx.replays is not None else 0,
        }

    return r


class _TokenGate:
    """An ASGI app behind a bearer token (for mounted apps outside FastAPI's routing)."""

    def __init__(self, app: ASGIApp, auth: Authenticator, role: Role) -> None:
        self._app, self._auth, self._role = app, auth, role

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD"):
            body = {"detail": "Method Not Allowed"}
            await JSONResponse(body, 405, {"Allow": "GET, HEAD"})(scope, receive, send)
            return
        if scope["type"] == "http":
            header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
            scheme, _, token = header.partition(" ")
            try:
                who = self._auth.verify(token if scheme.lower() == "bearer" else None)
            except AuthError as exc:
                body = {"detail": f"not authenticated: {exc}"}
                headers = {"WWW-Authenticate": "Bearer"}
                await JSONResponse(body, 401, headers)(scope, receive, send)
                return
            if not who.role.allows(self._role):
                body = {"detail": f"this needs the {self._role.value} role"}
                await JSONResponse(body, 403)(scope, receive, send)
                return
        await self._app(scope, receive, send)


def mount_metrics(app: FastAPI, registry: CollectorRegistry, auth: Authenticator) -> None:
    app.mount("/metrics", _TokenGate(make_asgi_app(registry=registry), auth, Role.VIEWER))


def mount_static(app: FastAPI, ctx: ViewerContext) -> None:
    static = ctx.static_dir or default_static_dir()
    index = static / "index.html"

    @app.get("/", include_in_schema=False)
    async def root() -> Response:
        if index.is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return HTMLResponse(_MISSING_APP)

    if static.is_dir():
        app.mount("/static", StaticFiles(directory=static), name="static")
