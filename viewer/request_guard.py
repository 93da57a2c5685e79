"""Request bodies: a size cap per route, and strict JSON (no NaN, no Infinity).

An ASGI middleware in front of the routes. It reads a body only up to its
route's cap, so a 13 MB login no longer freezes the event loop, and answers
**413** without echoing a byte of it. A body that fits is parsed once with
Python's ``json`` made strict: ``NaN``, ``Infinity`` and numbers too large for
a float (``1e400``) are refused with **422**, as is malformed JSON, because
FastAPI would otherwise accept them and later fail to write them back (500).
The body is then handed on to the route unchanged.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "DEFAULT_BODY_CAP",
    "LOGIN_BODY_CAP",
    "BodyCap",
    "RequestGuard",
    "StrictJsonError",
    "strict_json",
]

# A user name (64) and a password (1024 characters), each character up to 12
# bytes as a JSON escape: every body the schema allows fits, a 13 MB one does not.
LOGIN_BODY_CAP = 16 * 1024
DEFAULT_BODY_CAP = 64 * 1024  # notes, replay windows, commands: small JSON
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class BodyCap:
    """Bodies of requests whose path starts with ``prefix`` hold at most ``limit`` bytes."""

    prefix: str
    limit: int


DEFAULT_CAPS = (BodyCap("/api/auth/login", LOGIN_BODY_CAP),)


class StrictJsonError(ValueError):
    """A body is not strict JSON; the message never repeats the body."""


def _no_constant(name: str) -> float:
    raise StrictJsonError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise StrictJsonError("a number is too large")
    return value


def strict_json(body: bytes) -> object:
    """``json.loads`` refusing NaN, Infinity, overflowing numbers and deep nesting."""
    try:
        return json.loads(body, parse_constant=_no_constant, parse_float=_finite)
    except StrictJsonError:
        raise
    except RecursionError as exc:
        raise StrictJsonError("JSON nested too deeply") from exc
    except UnicodeDecodeError as exc:
        raise StrictJsonError("the body is not UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise StrictJsonError(f"malformed JSON: {exc.msg} at byte {exc.pos}") from exc


def _error(status: int, loc: list[str], msg: str, kind: str) -> JSONResponse:
    return JSONResponse({"detail": [{"loc": loc, "msg": msg, "type": kind}]}, status)


class RequestGuard:
    """Cap and check JSON request bodies before any route sees them."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        caps: Sequence[BodyCap] = DEFAULT_CAPS,
        default_cap: int = DEFAULT_BODY_CAP,
    ) -> None:
        self.app = app
        self._caps = tuple(caps)
        self._default = default_cap

    def cap_for(self, path: str) -> int:
        for cap in self._caps:
            if path.startswith(cap.prefix):
                return cap.limit
        return self._default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        cap = self.cap_for(scope["path"])
        headers = dict(scope["headers"])
        too_large = _error(
            413, ["body"], f"the request body is larger than {cap} bytes", "body_too_large"
        )
        declared = headers.get(b"content-length", b"").decode("latin-1")
        if declared.isdigit() and int(declared) > cap:
            await too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > cap:
                await too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        ctype = headers.get(b"content-type", b"").decode("latin-1").lower()
        if body and (not ctype or "json" in ctype):
            try:
                strict_json(body)
            except StrictJsonError as exc:
                await _error(422, ["body"], str(exc), "json_invalid")(scope, receive, send)
                return
        await self.app(scope, _replay(body, receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
