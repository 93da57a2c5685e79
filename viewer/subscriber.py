"""One WebSocket client of the hub: what it watches, its outbox, and how its frames go out.

A frame offered to an idle client (nothing queued, no send under way) is
written at once in the hub's own step (:func:`viewer.eager.start`): a socket
that takes the bytes needs no task step. A send that suspends (the socket's
buffer is full) is finished by the client's sender task (:meth:`run_sender`),
and until it is, new frames wait in the bounded outbox, in order. The sender
also says why and closes the socket when the hub revokes the client.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.websockets import WebSocket, WebSocketState

from viewer import frames
from viewer.channels import ChannelKey
from viewer.eager import Rest, start
from viewer.outbox import Outbox
from viewer.roles import Principal

__all__ = ["CLOSE_UNAUTHORIZED", "HubStats", "Subscriber"]

# The token no longer grants the stream (also refused at the first frame).
CLOSE_UNAUTHORIZED = 4401


@dataclass
class HubStats:
    clients: int = 0
    frames_sent: int = 0
    resyncs: int = 0
    bad_frames: int = 0
    auth_failures: int = 0
    revoked: int = 0


@dataclass(eq=False)
class Subscriber:
    ws: WebSocket
    principal: Principal
    outbox: Outbox
    stats: HubStats  # the hub's: frames written are counted there
    key: ChannelKey | None = None
    last_sent: float = field(default_factory=time.monotonic)
    # Re-proves the client's token (raises AuthError); None: nothing to check.
    recheck: Callable[[], Principal] | None = None
    expires_at: float = math.inf
    closing: str | None = None  # why the server is closing it
    fmt: str = "v1"  # snapshot and delta format the client asked for (see viewer/compact.py)
    broken: bool = False  # a send failed: the socket is gone
    _rest: Rest | None = None  # a send that suspended, for the sender to finish

    def idle(self) -> bool:
        """Nothing queued and no send under way: a frame can go out at once."""
        return self._rest is None and not self.outbox and self.closing is None and not self.broken

    def send_now(self, text: str) -> None:
        """Write ``text`` (the client must be :meth:`idle`); marks it broken if that fails."""
        if self.ws.application_state is not WebSocketState.CONNECTED:
            return
        try:
            rest = start(self.ws.send_text(text))
        except Exception:  # a closed socket: the client's receive loop sees it go
            self.broken = True
            self.outbox.kick()  # its sender ends
            return
        self.stats.frames_sent += 1
        if rest is not None:
            self._rest = rest
            self.outbox.kick()

    async def run_sender(self) -> None:
        """Finish suspended sends, write queued frames in order, close when revoked."""
        ws, outbox = self.ws, self.outbox
        try:
            while not self.broken:
                if self._rest is not None:
                    await self._rest
                    self._rest = None
                if not outbox:
                    await outbox.wait()  # a frame queued, or a send to finish
                    continue
                text = outbox.pop()
                if ws.application_state is not WebSocketState.CONNECTED:
                    return
                if self.closing is not None:
                    await self._close(self.closing)
                    return
                self.send_now(text)
        finally:
            if self._rest is not None:  # cancelled mid-send: the connection is going
                self._rest.close()
                self._rest = None

    async def _close(self, reason: str) -> None:
        await self.ws.send_text(frames.encode(frames.error_frame("unauthorized", reason)))
        # A close reason is at most 123 bytes (RFC 6455).
        await self.ws.close(CLOSE_UNAUTHORIZED, reason.encode()[:120].decode(errors="ignore"))
