"""Connection state of a store and the background task that restores it.

:class:`Reconnector` knows nothing of PostgreSQL: it runs an ``attempt``
coroutine (connect, and on the first success migrate) that raises
:class:`StoreUnavailable` or :class:`StoreMisconfigured`, keeps the state
callers ask about, and while the store is down retries in the background with
:class:`Backoff`. It logs once when an outage starts and once when it ends,
not per attempt. Callers may also try at once (:meth:`ensure`): a store call
during an outage probes the server instead of failing until the next
background attempt, so it answers as soon as the database is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from ingest.store.base import StoreError, StoreMisconfigured, StoreUnavailable
from ingest.store.postgres.backoff import Backoff

__all__ = ["Attempt", "Reconnector"]

log = logging.getLogger(__name__)

Attempt = Callable[[], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]


class Reconnector:
    """Connected/down state plus a background reconnect loop; see the module docstring."""

    def __init__(
        self,
        attempt: Attempt,
        *,
        where: str,
        backoff: Backoff | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        name: str = "venue-twin-store-reconnect",
    ) -> None:
        self._attempt = attempt
        self.where = where
        self._backoff = backoff or Backoff()
        self._sleep = sleep
        self._clock = clock
        self._name = name
        self._connected = False
        self._down_since: float | None = None
        self.last_error: StoreError | None = None
        self.misconfigured: StoreMisconfigured | None = None
        self.outages = 0  # outages seen (for the health API and tests)
        self._logged_misconfig: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._lock: asyncio.Lock | None = None
        self._changed = asyncio.Event()

    # --- state -------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def reconnecting(self) -> bool:
        return self._task is not None and not self._task.done()

    def down_for(self) -> float:
        """Seconds since the current outage began (0 while connected)."""
        return 0.0 if self._down_since is None else self._clock() - self._down_since

    def describe(self) -> str:
        """Why calls fail now, for their StoreUnavailable."""
        reason = f": {self.last_error}" if self.last_error is not None else ""
        return f"PostgreSQL at {self.where} not connected (reconnecting){reason}"

    # --- transitions -------------------------------------------------------
    async def start(self) -> None:
        """First connection: one attempt now; on an outage keep trying in the background.

        Raises what the attempt raised (:class:`StoreUnavailable`,
        :class:`StoreMisconfigured`); after :class:`StoreUnavailable` the
        background loop is already running, :meth:`stop` ends it.
        """
        try:
            await self._try_once()
        except StoreUnavailable as exc:
            self._went_down(exc, at_start=True)
            raise

    async def ensure(self) -> None:
        """Return if connected; else try once now (raising what the attempt raised)."""
        if self._connected:
            return
        await self._try_once()

    def mark_down(self, exc: BaseException) -> None:
        """A call found the connection broken: go down and reconnect in the background."""
        if not self._connected:
            return
        error = exc if isinstance(exc, StoreError) else StoreUnavailable(str(exc))
        self._went_down(error, at_start=False)

    async def wait_connected(self, timeout: float | None = None) -> bool:
        """True once connected, False after ``timeout``; raises while misconfigured."""
        deadline = None if timeout is None else self._clock() + timeout
        while not self._connected:
            if self.misconfigured is not None:
                raise self.misconfigured
            changed = self._changed
            remaining = None if deadline is None else deadline - self._clock()
            if remaining is not None and remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)
        return True

    async def stop(self) -> None:
        """Cancel the background loop and forget the state (the store is closing)."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._connected = False
        self._down_since = None
        self.misconfigured = None
        self._backoff.reset()
        self._notify()

    # --- internals ---------------------------------------------------------
    async def _try_once(self) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()  # created on the running loop
        async with self._lock:
            if self._connected:
                return  # another caller (or the loop) got there while we waited
            try:
                await self._attempt()
            except StoreMisconfigured as exc:
                self.last_error = self.misconfigured = exc
                self._notify()
                raise
            except StoreError as exc:
                self.last_error = exc
                raise
            self._came_up()

    def _went_down(self, exc: StoreError, *, at_start: bool) -> None:
        was_up = self._connected
        self._connected = False
        self.last_error = exc
        if was_up or self._down_since is None:
            self._down_since = self._clock()
            self.outages += 1
            if at_start:
                log.warning("%s at start-up; connecting in the background", exc)
            else:
                log.warning("%s; reconnecting in the background", exc)
        if not self.reconnecting:
            self._backoff.reset()
            self._task = asyncio.create_task(self._run(), name=self._name)
        self._notify()

    def _came_up(self) -> None:
        if self._down_since is not None:
            log.warning(
                "PostgreSQL at %s reachable again after %.1f s", self.where, self.down_for()
            )
        self._connected = True
        self._down_since = None
        self.last_error = self.misconfigured = None
        self._logged_misconfig = None
        self._backoff.reset()
        self._notify()

    async def _run(self) -> None:
        """Retry until connected; never dies of an attempt's exception."""
        while not self._connected:
            await self._sleep(self._backoff.next_delay())
            try:
                await self._try_once()
            except StoreMisconfigured as exc:
                # Keep trying (someone may fix the server), but say it once per message.
                if str(exc) != self._logged_misconfig:
                    self._logged_misconfig = str(exc)
                    log.error("%s; still retrying every %.0f s at most", exc, self._backoff.max_s)
            except StoreUnavailable as exc:
                log.debug("reconnect attempt %d failed: %s", self._backoff.attempts, exc)
            except Exception:
                log.exception("reconnect attempt to PostgreSQL at %s failed", self.where)

    def _notify(self) -> None:
        # Wake every waiter once; later waiters wait on a fresh event.
        self._changed.set()
        self._changed = asyncio.Event()
