"""The HTTP server under the viewer: uvicorn, hardened for the open network.

uvicorn closes idle keep-alive connections but never times out a request
whose headers arrive a byte at a time (slow loris): enough such connections
would hold every file descriptor the process has. :class:`GuardedH11Protocol`
gives each request a deadline for its headers. WebSocket messages are capped
far below uvicorn's 16 MiB default, since a client only ever sends small
control frames (see ``docs/websocket.md``).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import h11
import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = [
    "HEADER_TIMEOUT_S",
    "WS_MAX_MESSAGE_BYTES",
    "GuardedH11Protocol",
    "serve_http",
    "server_config",
]

HEADER_TIMEOUT_S = 10.0
WS_MAX_MESSAGE_BYTES = 64 * 1024


class GuardedH11Protocol(H11Protocol):
    """h11 with a deadline for each request's headers (connection closed when it passes)."""

    header_timeout_s = HEADER_TIMEOUT_S
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._deadline is not None and self.conn.their_state is not h11.IDLE:
            # Headers complete (or the connection upgraded to a WebSocket).
            self._deadline.cancel()
            self._deadline = None

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()  # a keep-alive connection waits for its next request's headers

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        if not self.transport.is_closing():
            self._deadline = self.loop.call_later(self.header_timeout_s, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def server_config(app: FastAPI, host: str, port: int, **overrides: Any) -> uvicorn.Config:
    """uvicorn settings for the viewer: hardened protocol, no access log."""
    options: dict[str, Any] = {
        "http": GuardedH11Protocol,
        "ws_max_size": WS_MAX_MESSAGE_BYTES,
        "ws_per_message_deflate": False,  # frames are small and sent to many: CPU matters more
        "ws_ping_interval": 20,
        "log_level": "warning",
        # Request lines would be the only place a URL-borne secret could leak
        # (tokens travel in headers and the first WebSocket frame).
        "access_log": False,
    }
    options.update(overrides)
    return uvicorn.Config(app, host=host, port=port, **options)


class _QuietServer(uvicorn.Server):
    """uvicorn without its own signal handling: the CLI owns Ctrl-C."""

    @contextlib.contextmanager
    def capture_signals(self) -> Any:
        yield


async def serve_http(app: FastAPI, host: str, port: int, stop: asyncio.Event) -> None:
    """Serve ``app`` until ``stop`` is set."""
    server = _QuietServer(server_config(app, host, port))
    task = asyncio.create_task(server.serve(), name="http")
    stopper = asyncio.create_task(stop.wait(), name="http-stop")
    done, _ = await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    server.should_exit = True
    stopper.cancel()
    await task
    if task in done and not stop.is_set():
        raise RuntimeError(f"the web server on {host}:{port} stopped (is the port in use?)")
