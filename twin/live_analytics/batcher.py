"""Readings collected on the event loop, analysed in batches on one worker thread.

Analytics are synchronous and some steps are heavy (a crowd step on a
420-zone venue is a few dense matrix products, about half a second). Run on
the event loop, every such step stalls ingest acknowledgements, the twin and
the WebSocket fan-out. So :class:`AnalysisBatcher` collects readings as they
are decoded, hands them over at most every ``batch_s`` to one worker thread
(numpy releases the GIL for the heavy parts), and calls ``act`` with the
result back on the event loop, where alarms, commands and listeners live.

One batch is analysed at a time, in arrival order, and all analysis (including
the watchdog ticks, see :meth:`call`) runs on that one thread, so analytics
state is never touched by two threads. Memory is bounded: if analysis falls
``max_pending`` readings behind, the oldest waiting readings are shed and
counted in ``shed`` (storage and the live twin are unaffected; only analytics
skip them).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import time
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from ingest.contract import Reading, TrackFrame

__all__ = ["AnalysisBatcher"]

log = logging.getLogger(__name__)

R = TypeVar("R")
# What the analytics consume: readings, and people trackers' frames among them.
Item = Reading | TrackFrame
T = TypeVar("T")

# At most one warning about shed readings per this many seconds.
_SHED_LOG_S = 30.0


class AnalysisBatcher(Generic[R]):
    """See the module docstring. Without a running event loop it analyses at once."""

    def __init__(
        self,
        analyse: Callable[[Sequence[Item]], R],
        act: Callable[[R], object],
        *,
        batch_s: float = 0.1,
        max_pending: int = 50_000,
    ) -> None:
        self._analyse = analyse
        self._act = act
        self.batch_s = batch_s
        self.max_pending = max_pending
        self._waiting: list[Item] = []
        self._handle: asyncio.TimerHandle | None = None
        self._busy: asyncio.Future[R] | None = None
        self._in_flight: list[Item] = []
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self.shed = 0
        self._shed_logged = 0.0

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def add(self, readings: Sequence[Item]) -> None:
        """Queue readings for the next batch (called on the event loop)."""
        self._waiting.extend(readings)
        if len(self._waiting) > self.max_pending:
            self._shed(len(self._waiting) - self.max_pending)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a script or a test): analyse now
            self._act(self._analyse(self._take()))
            return
        if self._handle is None and self._busy is None:
            self._handle = loop.call_later(self.batch_s, self._start)

    def _shed(self, n: int) -> None:
        del self._waiting[:n]
        self.shed += n
        now = time.monotonic()
        if now - self._shed_logged >= _SHED_LOG_S:
            self._shed_logged = now
            log.warning(
                "analytics are %d readings behind; skipped the oldest %d (%d so far)",
                self.max_pending,
                n,
                self.shed,
            )

    def _take(self) -> list[Item]:
        batch, self._waiting = self._waiting, []
        return batch

    def _pool(self) -> concurrent.futures.ThreadPoolExecutor:
        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="analytics"
            )
        return self._executor

    def _start(self) -> None:
        self._handle = None
        if self._busy is not None or not self._waiting:
            return
        loop = asyncio.get_running_loop()
        self._in_flight = self._take()
        self._busy = loop.run_in_executor(self._pool(), self._analyse, self._in_flight)
        self._busy.add_done_callback(self._finished)

    def _finished(self, fut: asyncio.Future[R]) -> None:
        self._busy = None
        batch, self._in_flight = self._in_flight, []
        if fut.cancelled():
            # Cancelled before it ran (the pool was shut down under it): the
            # readings go back to the front, for the next batch or the flush.
            self._waiting[:0] = batch
            return
        try:
            self._act(fut.result())
        except Exception:  # an analytics bug costs one batch, never the event loop
            log.exception("analytics failed on a batch")
        if self._waiting and self._handle is None:
            self._handle = asyncio.get_running_loop().call_later(self.batch_s, self._start)

    async def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the analysis thread, after the batch in progress."""
        return await asyncio.get_running_loop().run_in_executor(self._pool(), fn)

    async def flush(self) -> None:
        """Analyse everything waiting now and act on it (tests, shutdown)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        while self._busy is not None:
            await asyncio.wait([self._busy])
            await asyncio.sleep(0)  # let its done callback act
        if self._waiting:
            result = await self.call(functools.partial(self._analyse, self._take()))
            self._act(result)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
