"""The single batching writer between ingest and the store (Home Assistant recorder style).

Producers ``await writer.put(readings, done)``; one task drains a bounded queue
in batches (on ``max_batch`` readings or ``max_delay_s`` age) and calls each
``done`` only once its readings are committed to the store or fsynced to the
disk spool, so the MQTT side acknowledges nothing that could still be lost.
Batches are delivered one at a time in arrival order, so ``done`` callbacks run
in ``put`` order (MQTT wants PUBACKs in the order the PUBLISHes came).

Failure handling:
- :class:`StoreUnavailable`: the store is marked down for a jittered,
  exponentially growing delay; meanwhile batches go to the spool (if any and
  not full). The spool drains back, oldest first, once the store answers.
  The first failure of an outage is logged as a warning, later ones at debug.
- Spool full or absent while the store is down: the batch is held and retried,
  the queue fills, and ``put`` blocks (backpressure instead of unbounded memory).
- :class:`InvalidReadings` (the database refuses the values themselves): the
  batch is bisected and only readings refused on their own are dropped,
  logged and counted as rejected (``store_refused``).
- Any other exception: logged, counted, handled like an outage (spool, then
  retry after backoff); the loop never dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType

from ingest.contract import Reading
from ingest.metrics import IngestMetrics
from ingest.store.base import Store, StoreError, StoreUnavailable
from ingest.store.errors import InvalidReadings
from ingest.store.spool import Spool, SpoolError, SpoolFull, SpoolRecord

__all__ = ["BatchWriter", "WriterClosed"]

log = logging.getLogger(__name__)

Done = Callable[[], None]


class WriterClosed(StoreError):
    """``put`` was called on a writer that is closing or closed."""


@dataclass(slots=True)
class _Item:
    readings: Sequence[Reading]
    done: Done | None
    arrived: float


@dataclass(slots=True)
class _Batch:
    readings: list[Reading] = field(default_factory=list)
    dones: list[Done] = field(default_factory=list)


class BatchWriter:
    """Bounded queue + one writer task; see the module docstring."""

    def __init__(
        self,
        store: Store,
        metrics: IngestMetrics,
        *,
        spool: Spool | None = None,
        max_pending: int = 200_000,
        max_batch: int = 5_000,
        max_delay_s: float = 0.05,
        backoff_initial_s: float = 0.1,
        backoff_max_s: float = 5.0,
        rng: random.Random | None = None,
    ) -> None:
        if max_pending < 1 or max_batch < 1 or max_delay_s < 0:
            raise ValueError("max_pending and max_batch must be >= 1, max_delay_s >= 0")
        self._store = store
        self._metrics = metrics
        self._spool = spool
        self.max_pending = max_pending
        self.max_batch = max_batch
        self.max_delay_s = max_delay_s
        self._backoff_initial = backoff_initial_s
        self._backoff_max = backoff_max_s
        self._rng = rng or random.Random()
        self._items: deque[_Item] = deque()
        self._queued = 0  # readings in _items
        self._pending = 0  # readings accepted and not yet acknowledged (queued + in flight)
        self._cond = asyncio.Condition()
        self._closing = False
        self._deadline: float | None = None
        self._failures = 0
        self._store_down_until = 0.0
        self._drain_failed_while_closing = False
        self._task: asyncio.Task[None] | None = None
        self._stopped = asyncio.Event()
        self._running = False
        if spool is not None:
            metrics.spool_depth.set(spool.readings)

    # --- introspection -----------------------------------------------------
    @property
    def pending(self) -> int:
        """Readings accepted by ``put`` and not yet committed or spooled."""
        return self._pending

    @property
    def store_available(self) -> bool:
        return time.monotonic() >= self._store_down_until

    # --- producer side -----------------------------------------------------
    async def put(self, readings: Sequence[Reading], done: Done | None = None) -> None:
        """Queue readings; waits while the queue is full. ``done`` runs after commit."""
        if self._closing:
            raise WriterClosed("writer is closing")
        n = len(readings)
        if n == 0:
            if done is not None:
                self._call(done)
            return
        async with self._cond:
            # A batch larger than max_pending is still admitted once the queue is empty.
            await self._cond.wait_for(
                lambda: self._closing or self._pending == 0 or self._pending + n <= self.max_pending
            )
            if self._closing:
                raise WriterClosed("writer closed while waiting for room")
            self._items.append(_Item(readings, done, time.monotonic()))
            self._queued += n
            self._pending += n
            self._metrics.queue_depth.set(self._pending)
            self._cond.notify_all()

    # --- lifecycle ---------------------------------------------------------
    def start(self) -> asyncio.Task[None]:
        """Run the writer loop as a named task."""
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name="venue-twin-batch-writer")
        return self._task

    async def __aenter__(self) -> BatchWriter:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self, grace_s: float | None = None) -> None:
        """Flush the queue (to the store, or the spool while it is down) and stop.

        With ``grace_s``, gives up after that many seconds; readings not yet
        committed or spooled then stay unacknowledged (their ``done`` never runs).
        """
        self._closing = True
        if grace_s is not None:
            self._deadline = time.monotonic() + grace_s
        async with self._cond:
            self._cond.notify_all()
        if self._running or self._task is not None:
            await self._stopped.wait()
        elif self._items or (self._spool is not None and self._spool.readings):
            await self.run()  # nobody started the loop: flush inline

    # --- the loop ----------------------------------------------------------
    async def run(self) -> None:
        """Drain the queue until :meth:`close`; exceptions are logged, never fatal."""
        if self._running:
            return  # one loop per writer
        self._running = True
        self._stopped.clear()
        try:
            while not self._finished():
                try:
                    await self._step()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("batch writer step failed; retrying")
                    self._metrics.store_errors.inc()
                    await asyncio.sleep(self._note_failure())
        finally:
            self._running = False
            self._stopped.set()

    def _finished(self) -> bool:
        if not self._closing:
            return False
        if self._deadline is not None and time.monotonic() >= self._deadline:
            return True
        # Leave spooled readings for the next start only once the store has
        # refused them again after close() was called.
        spool_idle = (
            self._spool is None or self._spool.readings == 0 or self._drain_failed_while_closing
        )
        return not self._items and spool_idle

    async def _step(self) -> None:
        if self._spool is not None and self._spool.readings and self.store_available:
            await self._drain_spool_once()
            if not self._items:
                return
        batch = await self._take_batch()
        if batch is not None:
            await self._deliver(batch)

    def _wait_timeout(self) -> float | None:
        if self._spool is not None and self._spool.readings:
            return max(0.0, self._store_down_until - time.monotonic())
        return None

    async def _take_batch(self) -> _Batch | None:
        async with self._cond:
            timeout = self._wait_timeout()
            if not self._items and not self._closing:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._cond.wait_for(lambda: bool(self._items) or self._closing), timeout
                    )
            if not self._items:
                return None
            # Linger for a fuller batch, but never beyond max_delay_s after the oldest arrived.
            flush_at = self._items[0].arrived + self.max_delay_s
            while self._queued < self.max_batch and not self._closing:
                remaining = flush_at - time.monotonic()
                if remaining <= 0:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._cond.wait(), remaining)
            batch = _Batch()
            while self._items and (
                not batch.readings
                or len(batch.readings) + len(self._items[0].readings) <= self.max_batch
            ):
                item = self._items.popleft()
                self._queued -= len(item.readings)
                batch.readings.extend(item.readings)
                if item.done is not None:
                    batch.dones.append(item.done)
            return batch

    async def _deliver(self, batch: _Batch) -> None:
        """Commit or spool one batch, retrying until one of them works."""
        while True:
            if self.store_available and await self._try_store(batch.readings):
                break
            if self._spool is not None and await self._try_spool(batch.readings):
                break
            if self._closing and self._deadline is not None and time.monotonic() >= self._deadline:
                log.warning("writer closed with %d readings unacknowledged", len(batch.readings))
                return
            await asyncio.sleep(max(0.01, self._store_down_until - time.monotonic()))
        for done in batch.dones:
            self._call(done)
        async with self._cond:
            self._pending -= len(batch.readings)
            self._metrics.queue_depth.set(self._pending)
            self._cond.notify_all()

    async def _try_store(self, readings: Sequence[Reading]) -> bool:
        """One write attempt; False (store marked down for a backoff) if it failed."""
        try:
            await self._write(readings)
        except InvalidReadings as exc:
            self._metrics.store_errors.inc()
            return await self._write_isolating(readings, exc)
        except StoreUnavailable as exc:
            self._metrics.store_errors.inc()
            first = self._failures == 0
            delay = self._note_failure()
            # Once per outage: a long outage would otherwise log every few seconds.
            log.log(
                logging.WARNING if first else logging.DEBUG,
                "store unavailable (%s); %s, retrying in %.2f s (backoff up to %.0f s)",
                exc,
                "spooling" if self._spool is not None else "holding readings unacknowledged",
                delay,
                self._backoff_max,
            )
            return False
        except Exception:
            self._metrics.store_errors.inc()
            delay = self._note_failure()
            log.exception("store write failed unexpectedly; retrying in %.2f s", delay)
            return False
        return True

    async def _write(self, readings: Sequence[Reading]) -> None:
        started = time.perf_counter()
        new = await self._store.write_readings(readings)
        self._metrics.commit_latency.observe(time.perf_counter() - started)
        self._metrics.batch_size.observe(len(readings))
        self._metrics.readings_committed.inc(len(readings))
        self._metrics.readings_stored.inc(new)
        if self._failures:
            log.info("store writes succeed again after %d failed attempts", self._failures)
        self._failures = 0
        self._store_down_until = 0.0

    async def _write_isolating(self, readings: Sequence[Reading], exc: InvalidReadings) -> bool:
        """Bisect a batch the store refused as data; drop only readings it refuses alone.

        Retrying such a batch can never succeed, and holding it would stall
        every reading behind it. Returns False if the store became unavailable.
        """
        if len(readings) == 1:
            log.error("dropping a reading the store refuses (%s): %r", exc, readings[0])
            self._metrics.reject("store_refused")
            return True
        mid = len(readings) // 2
        for half in (readings[:mid], readings[mid:]):
            try:
                await self._write(half)
            except InvalidReadings as inner:
                if not await self._write_isolating(half, inner):
                    return False
            except Exception as other:
                self._metrics.store_errors.inc()
                delay = self._note_failure()
                log.warning("store write failed (%s); retrying in %.2f s", other, delay)
                return False  # the halves already written are replayed harmlessly
        return True

    async def _try_spool(self, readings: Sequence[Reading]) -> bool:
        spool = self._spool
        assert spool is not None
        try:
            await asyncio.to_thread(spool.append, readings)
        except SpoolFull as exc:
            # Nothing is lost: these readings stay unacknowledged, so the broker keeps them.
            log.error(
                "%s; holding %d readings unacknowledged until the store is back", exc, len(readings)
            )
            return False
        except SpoolError:
            log.exception("spool write failed; holding %d readings", len(readings))
            return False
        self._metrics.spool_depth.set(spool.readings)
        return True

    async def _drain_spool_once(self) -> None:
        spool = self._spool
        assert spool is not None
        record: SpoolRecord | None = await asyncio.to_thread(spool.peek)
        if record is None:
            self._metrics.spool_depth.set(spool.readings)
            return
        for start in range(0, len(record.readings), self.max_batch):
            if not await self._try_store(record.readings[start : start + self.max_batch]):
                # Still down: the whole record is replayed later (writes are idempotent).
                self._drain_failed_while_closing = self._closing
                return
        await asyncio.to_thread(spool.consume, record)
        self._metrics.spool_depth.set(spool.readings)

    def _note_failure(self) -> float:
        """Mark the store down for a jittered exponential delay; returns the delay."""
        base = min(self._backoff_max, self._backoff_initial * (2.0 ** min(self._failures, 30)))
        self._failures += 1
        delay = base * self._rng.uniform(0.5, 1.0)
        self._store_down_until = time.monotonic() + delay
        return delay

    @staticmethod
    def _call(done: Done) -> None:
        try:
            done()
        except Exception:
            log.exception("reading acknowledgement callback failed")
