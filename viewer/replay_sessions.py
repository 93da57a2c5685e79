"""Replay sessions of the viewer: each plays stored readings through its own twin.

A session is a :class:`~twin.replay.ReplaySession` driven by a task, with a
:class:`~viewer.channels.ReplayChannel` on the hub so WebSocket clients can
watch it. The live twin is never touched. At most ``max_sessions`` run at once;
a session ends after ``idle_s`` without a watching client or a REST call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ingest.store.base import Store
from twin.replay import ReplayError, ReplaySession
from twin.venue import Venue
from viewer.channels import ReplayChannel
from viewer.hub import Hub

__all__ = [
    "MAX_SPEED",
    "ReplayLimitReached",
    "ReplaySessions",
    "UnknownReplay",
    "ViewerReplay",
]

log = logging.getLogger(__name__)

MAX_SPEED = 10_000.0


class UnknownReplay(KeyError):
    def __str__(self) -> str:
        return f"no replay session {self.args[0]!r}"


class ReplayLimitReached(Exception):
    """Too many replay sessions at once."""


@dataclass(eq=False)
class ViewerReplay:
    id: str
    session: ReplaySession
    task: asyncio.Task[None]
    owner: str
    last_active: float = field(default_factory=time.monotonic)

    def body(self) -> dict[str, Any]:
        s = self.session
        return {
            "id": self.id,
            "venue": s.venue.id,
            "start": s.start,
            "end": s.end,
            "t": s.position,
            "speed": s.clock.speed,
            "playing": s.clock.playing and not s.finished,
        }


class ReplaySessions:
    """The running replay sessions; :meth:`run` reaps idle ones."""

    def __init__(
        self,
        store: Store,
        venues: Mapping[str, Venue],
        hub: Hub,
        *,
        max_sessions: int = 8,
        idle_s: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._venues = venues
        self._hub = hub
        self._max = max_sessions
        self._idle = idle_s
        self._clock = clock
        self._sessions: dict[str, ViewerReplay] = {}
        self._lock = asyncio.Lock()

    def __len__(self) -> int:
        return len(self._sessions)

    def get(self, session_id: str) -> ViewerReplay:
        found = self._sessions.get(session_id)
        if found is None:
            raise UnknownReplay(session_id)
        found.last_active = self._clock()
        return found

    async def create(
        self, venue_id: str, start: float, end: float, speed: float, owner: str
    ) -> ViewerReplay:
        """Start a paused session at ``start`` with its state built."""
        venue = self._venues.get(venue_id)
        if venue is None:
            raise KeyError(venue_id)
        _check_speed(speed)
        async with self._lock:
            if len(self._sessions) >= self._max:
                raise ReplayLimitReached(
                    f"at most {self._max} replay sessions at once; delete one first"
                )
            session = ReplaySession(self._store, venue, start, end, speed=speed)
            sid = uuid.uuid4().hex
            await session.preload()
            task = asyncio.create_task(session.run(), name=f"replay-{sid}")
            replay = ViewerReplay(sid, session, task, owner, self._clock())
            channel = ReplayChannel(venue_id, lambda: session.state, replay.body)
            session.add_listener(channel.on_changes)
            self._hub.add_channel((venue_id, sid), channel)
            self._sessions[sid] = replay
        log.info("replay %s of %s started by %s", sid, venue_id, owner)
        return replay

    async def control(
        self, session_id: str, action: str, *, t: float | None = None, speed: float | None = None
    ) -> ViewerReplay:
        replay = self.get(session_id)
        s = replay.session
        if action == "play":
            s.play()
        elif action == "pause":
            s.pause()
        elif action == "seek":
            if t is None:
                raise ReplayError("'seek' needs 't'")
            await s.seek(t)
        elif action == "speed":
            if speed is None:
                raise ReplayError("'speed' needs 'speed'")
            _check_speed(speed)
            s.set_speed(speed)
        else:
            raise ReplayError(f"unknown action {action!r}")
        return replay

    async def delete(self, session_id: str, reason: str = "the session was deleted") -> None:
        replay = self._sessions.pop(session_id, None)
        if replay is None:
            raise UnknownReplay(session_id)
        self._hub.remove_channel((replay.session.venue.id, session_id), reason)
        await replay.session.close()
        replay.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await replay.task

    def reap(self) -> list[str]:
        """Ids of sessions idle for ``idle_s`` (watched sessions are never idle)."""
        now = self._clock()
        idle = []
        for sid, r in self._sessions.items():
            if self._hub.subscribers((r.session.venue.id, sid)):
                r.last_active = now
            elif now - r.last_active >= self._idle:
                idle.append(sid)
        return idle

    async def run(self, interval_s: float = 10.0) -> None:
        """Reap idle sessions until cancelled, then close them all."""
        try:
            while True:
                await asyncio.sleep(interval_s)
                for sid in self.reap():
                    log.info("replay %s ended: no client for %.0f s", sid, self._idle)
                    await self.delete(sid, "no client for too long")
        finally:
            for sid in list(self._sessions):
                with contextlib.suppress(Exception):
                    await self.delete(sid, "the server is stopping")


def _check_speed(speed: float) -> None:
    if not (0 < speed <= MAX_SPEED) or math.isnan(speed):
        raise ReplayError(f"speed must be in (0, {MAX_SPEED:g}], got {speed}")
