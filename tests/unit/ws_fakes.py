"""A WebSocket stand-in for hub unit tests: it subscribes once, then only receives."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.websockets import WebSocketState


class SubscribingSocket:
    """Sends one subscribe frame to the hub, then stays silent; records what it is sent.

    Subclasses override :meth:`send_text` to model slow, stuck or failing networks.
    """

    application_state = WebSocketState.CONNECTED

    def __init__(self, subscribe: dict[str, Any]) -> None:
        self.sent: list[str] = []
        self._inbox = [json.dumps(subscribe)]

    async def receive_text(self) -> str:
        if self._inbox:
            return self._inbox.pop()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def send_text(self, text: str) -> None:
        self.sent.append(text)
