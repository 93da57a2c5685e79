"""One shape for every 422: ``{"detail": [{"loc", "msg", "type"}]}``, never the input.

FastAPI's own handler echoes each rejected ``input``: a 13 MB body came back
as a 97 MB answer, and a NaN in it could not be written at all (500). This
handler keeps what tells a client what to fix (where, what, which kind) and
clips it, so an answer stays small whatever was sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope

__all__ = ["MAX_ERRORS", "allowed_methods", "install_validation_handler", "invalid"]

MAX_ERRORS = 20
_MAX_TEXT = 200
_MAX_LOC = 64
_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def invalid(loc: Sequence[str | int], msg: str) -> RequestValidationError:
    """A 422 in the common shape, for checks a model cannot express (``end > start``)."""
    return RequestValidationError([{"loc": tuple(loc), "msg": msg, "type": "value_error"}])


def _clip(text: object, limit: int) -> str:
    s = str(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _loc_part(part: object) -> str | int:
    return part if isinstance(part, int) else _clip(part, _MAX_LOC)


def detail_of(errors: Sequence[Any]) -> list[dict[str, Any]]:
    out = []
    for e in list(errors)[:MAX_ERRORS]:
        out.append(
            {
                "loc": [_loc_part(p) for p in e.get("loc", ())],
                "msg": _clip(e.get("msg", "invalid"), _MAX_TEXT),
                "type": _clip(e.get("type", "value_error"), _MAX_LOC),
            }
        )
    return out


def install_validation_handler(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def unprocessable(_r: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": detail_of(exc.errors())}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            # Starlette names only the first route's methods; a path served by
            # several routes (GET and DELETE of a session) allows them all.
            allowed = allowed_methods(app, request.scope)
            return JSONResponse(
                {"detail": "Method Not Allowed"}, 405, {"Allow": ", ".join(allowed)}
            )
        return await http_exception_handler(request, exc)


def allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    """The methods some route serves at this request's path (routers nest, so ask each)."""
    allowed = []
    for method in _METHODS:
        probe = {**scope, "method": method}
        if any(route.matches(probe)[0] is Match.FULL for route in app.router.routes):
            allowed.append(method)
    return allowed
