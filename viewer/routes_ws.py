"""The /ws endpoint: Origin check, first-frame authentication, then the hub.

Browsers send cookies and open WebSockets to any origin, so a page elsewhere
must not be able to open ours (cross-site WebSocket hijacking): a request with
an ``Origin`` must come from this server's own origin or an allowed one.
Clients that send no ``Origin`` (scripts, not browsers) pass this check and
still need a token.
"""

import asyncio
from collections.abc import Sequence
from typing import Any

import msgspec
from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from viewer import frames
from viewer.auth import AuthError, Session
from viewer.context import ViewerContext
from viewer.hub import CLOSE_UNAUTHORIZED

__all__ = ["CLOSE_FORBIDDEN_ORIGIN", "CLOSE_UNAUTHORIZED", "origin_allowed", "ws_router"]

CLOSE_FORBIDDEN_ORIGIN = 4403
AUTH_TIMEOUT_S = 10.0


def origin_allowed(
    origin: str | None, host: str | None, scheme: str, allowed: Sequence[str]
) -> bool:
    if origin is None:
        return True
    origin = origin.rstrip("/")
    if origin in allowed or "*" in allowed:
        return True
    http = "https" if scheme in ("wss", "https") else "http"
    return host is not None and origin == f"{http}://{host}"


def ws_router(ctx: ViewerContext, *, auth_timeout_s: float = AUTH_TIMEOUT_S) -> APIRouter:
    r = APIRouter()

    @r.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        headers = websocket.headers
        if not origin_allowed(
            headers.get("origin"), headers.get("host"), websocket.url.scheme, ctx.allowed_origins
        ):
            # Refused before the handshake: the browser sees HTTP 403.
            await websocket.close(code=CLOSE_FORBIDDEN_ORIGIN)
            return
        await websocket.accept()
        got = await _authenticate(websocket, ctx, auth_timeout_s)
        if got is None:
            return
        session, token = got
        if not ctx.auth.enabled:
            await ctx.hub.serve(websocket, session.principal)
            return
        # Re-proved while open: expiry, a removed user, a new password or role close it.
        await ctx.hub.serve(
            websocket,
            session.principal,
            recheck=lambda: ctx.auth.verify(token),
            expires_at=session.expires_at,
        )

    return r


async def _authenticate(
    ws: WebSocket, ctx: ViewerContext, timeout_s: float
) -> tuple[Session, str | None] | None:
    if not ctx.auth.enabled:
        return ctx.auth.session(None), None
    try:
        text = await asyncio.wait_for(ws.receive_text(), timeout_s)
    except TimeoutError:
        await _refuse(ws, ctx, "no auth frame within the time allowed")
        return None
    except WebSocketDisconnect:
        return None
    except KeyError:  # a binary frame has no text
        text = ""
    msg: Any = None
    if len(text) <= 4096:
        try:
            msg = msgspec.json.decode(text)
        except (msgspec.DecodeError, RecursionError):
            msg = None
    if not isinstance(msg, dict) or msg.get("type") != "auth":
        await _refuse(ws, ctx, 'the first frame must be {"type": "auth", "token": "..."}')
        return None
    token = msg.get("token")
    token = token if isinstance(token, str) else None
    try:
        return ctx.auth.session(token), token
    except AuthError as exc:
        await _refuse(ws, ctx, str(exc))
        return None


async def _refuse(ws: WebSocket, ctx: ViewerContext, message: str) -> None:
    ctx.hub.stats.auth_failures += 1
    try:
        await ws.send_text(frames.encode(frames.error_frame("unauthorized", message)))
        await ws.close(code=CLOSE_UNAUTHORIZED, reason="unauthorized")
    except (WebSocketDisconnect, RuntimeError):
        pass
