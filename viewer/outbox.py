"""A WebSocket client's bounded queue of frames, and the wake-up of its sender.

The hub offers each tick's frames to every client's outbox and one sender
task per client writes them to its socket. At 1,000 clients and 10 ticks a
second that is 10,000 offers and takes a second, so each is kept to a deque
append and, only when the sender sleeps on an empty outbox, one future
resolved: ``asyncio.Queue`` did more per frame (its size, its unfinished-task
count, a ``join`` event cleared and its getter list walked on every put, a
loop lookup and a future on every get).

The outbox never holds more than ``limit`` frames. :meth:`offer` refuses a
frame when it is full, and the hub then replaces the backlog with one fresh
snapshot (:meth:`replace`), so a slow client costs bounded memory and never
holds others back.
"""

from __future__ import annotations

import asyncio
from collections import deque

__all__ = ["Outbox"]


class Outbox:
    """Frames (JSON text) waiting for one client's sender, at most ``limit`` of them."""

    __slots__ = ("_frames", "_limit", "_waiter")

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("an outbox holds at least one frame")
        self._frames: deque[str] = deque()
        self._limit = limit
        self._waiter: asyncio.Future[None] | None = None

    def __len__(self) -> int:
        return len(self._frames)

    def offer(self, text: str) -> bool:
        """Queue ``text``; False (and nothing queued) when the outbox is full."""
        frames = self._frames
        if len(frames) >= self._limit:
            return False
        frames.append(text)
        if self._waiter is not None:
            self._wake()
        return True

    def replace(self, text: str) -> None:
        """Drop every queued frame and queue ``text`` alone (a snapshot, or the close)."""
        self._frames.clear()
        self._frames.append(text)
        if self._waiter is not None:
            self._wake()

    def clear(self) -> None:
        self._frames.clear()

    def pop(self) -> str:
        """The oldest frame (the outbox must not be empty)."""
        return self._frames.popleft()

    async def wait(self) -> None:
        """Until a frame is queued or :meth:`kick` is called (at once if a frame is queued)."""
        if self._frames:
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiter = waiter
        try:
            await waiter
        finally:
            self._waiter = None

    def kick(self) -> None:
        """Wake the waiting sender even with nothing queued (it has other work)."""
        if self._waiter is not None:
            self._wake()

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
