"""Ordered write-behind for the alarm and command history.

Alarms and commands live in memory first, so operators see them while the
database is down; their store writes must not be lost meanwhile either. A
write that fails because the store is unavailable is kept, in order, and
retried on the next flush; later writes queue behind it, so an older version
never overwrites a newer one. A write the store refuses for good (bad data)
is dropped and counted, so it cannot block the ones behind it. The queue is
bounded: past ``max_pending`` the oldest writes go (each write carries the
whole latest record, so what is lost is old history lines, never the current
state), and are counted.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

__all__ = ["WriteBehind"]

log = logging.getLogger(__name__)

Write = Callable[[], Awaitable[None]]


class WriteBehind:
    """Runs store writes in order; keeps the ones the store could not take for :meth:`flush`."""

    def __init__(
        self,
        what: str,
        *,
        retry_on: tuple[type[Exception], ...],
        give_up_on: tuple[type[Exception], ...],
        max_pending: int = 10_000,
    ) -> None:
        self._what = what
        self._retry_on = retry_on
        self._give_up_on = give_up_on
        self._pending: deque[Write] = deque()
        self._max = max_pending
        self._lock = asyncio.Lock()
        self._down = False
        self.failed_attempts = 0
        self.dropped = 0  # given up: queue full, or refused by the store

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def submit(self, write: Write) -> None:
        """Write now if nothing waits, else queue behind what does."""
        if len(self._pending) >= self._max:
            self._pending.popleft()
            self._drop("queue full")
        self._pending.append(write)
        # A running flush picks this one up too; during an outage the periodic
        # flush retries, so callers (an operator's click) do not wait on it.
        if not self._lock.locked() and not self._down:
            await self.flush()

    async def flush(self) -> bool:
        """Write what waits, oldest first; True when nothing is left."""
        async with self._lock:
            while self._pending:
                try:
                    await self._pending[0]()
                except self._retry_on as exc:
                    self.failed_attempts += 1
                    if not self._down:
                        self._down = True
                        log.warning("%s store unavailable (%s): writes wait", self._what, exc)
                    return False
                except self._give_up_on as exc:
                    self._drop(str(exc))
                self._pending.popleft()
            if self._down:
                self._down = False
                log.warning("%s store available again: waiting writes stored", self._what)
            return True

    def _drop(self, why: str) -> None:
        self.dropped += 1
        log.error("%s store: a write was dropped (%s); %d so far", self._what, why, self.dropped)
