"""Login throttling: attempts per account and per client address, and scrypt slots.

Each password check costs one scrypt (16 MiB, tens of milliseconds), so
unthrottled guessing both finds weak passwords and exhausts memory. Three
limits, each answered with **429** and ``Retry-After``:

- an account with ``per_account`` failed logins in the window takes no more
  until the oldest falls out of it (a success clears the count);
- a client address with ``per_address`` failed logins in the window (one
  address trying many accounts) likewise;
- at most ``max_hashing`` checks run at once, off the event loop, and at most
  ``max_waiting`` more wait for a slot: a burst beyond that is refused at once
  instead of queueing without bound.

Failures are counted when known, so a burst can overshoot a limit by at most
the ``max_hashing + max_waiting`` attempts in flight. Both counters remember
at most ``max_tracked`` keys (least recently used forgotten first), so a flood of
made-up names or addresses stays bounded too.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

__all__ = ["LoginLimiter", "LoginPolicy", "TooManyAttempts"]


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    per_account: int = 5
    per_address: int = 30
    window_s: float = 300.0
    max_hashing: int = 2
    max_waiting: int = 16
    max_tracked: int = 10_000


class TooManyAttempts(Exception):
    """Refused before any password was checked; try again after ``retry_after_s``."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = max(1, math.ceil(retry_after_s))


class _Window:
    """Recent event times per key, for at most ``max_keys`` keys."""

    def __init__(self, limit: int, window_s: float, max_keys: int) -> None:
        self._limit, self._window, self._max_keys = limit, window_s, max_keys
        self._events: OrderedDict[str, deque[float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._events)

    def wait_s(self, key: str, now: float) -> float:
        """Seconds until ``key`` may try again; 0 if it may now."""
        events = self._events.get(key)
        if events is None:
            return 0.0
        while events and events[0] <= now - self._window:
            events.popleft()
        if len(events) < self._limit:
            return 0.0
        return events[0] + self._window - now

    def record(self, key: str, now: float) -> None:
        events = self._events.get(key)
        if events is None:
            events = self._events[key] = deque(maxlen=self._limit)
            while len(self._events) > self._max_keys:
                self._events.popitem(last=False)
        else:
            self._events.move_to_end(key)
        events.append(now)

    def clear(self, key: str) -> None:
        self._events.pop(key, None)


class LoginLimiter:
    def __init__(
        self, policy: LoginPolicy | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.policy = p = policy or LoginPolicy()
        self._clock = clock
        self._accounts = _Window(p.per_account, p.window_s, p.max_tracked)
        self._addresses = _Window(p.per_address, p.window_s, p.max_tracked)
        self._slots: asyncio.Semaphore | None = None
        self._slots_loop: asyncio.AbstractEventLoop | None = None
        self._waiting = 0

    @property
    def tracked(self) -> int:
        """Keys remembered (accounts + addresses): bounded by ``2 * max_tracked``."""
        return len(self._accounts) + len(self._addresses)

    def admit(self, account: str, address: str | None) -> None:
        """Raise :class:`TooManyAttempts` if this account or address must wait."""
        now = self._clock()
        wait = self._accounts.wait_s(account, now)
        if wait > 0:
            raise TooManyAttempts("too many failed logins for this user; try again later", wait)
        if address is not None:
            wait = self._addresses.wait_s(address, now)
            if wait > 0:
                raise TooManyAttempts(
                    "too many failed logins from this address; try again later", wait
                )

    def failed(self, account: str, address: str | None) -> None:
        now = self._clock()
        self._accounts.record(account, now)
        if address is not None:
            self._addresses.record(address, now)

    def succeeded(self, account: str) -> None:
        self._accounts.clear(account)

    @asynccontextmanager
    async def hashing_slot(self) -> AsyncIterator[None]:
        """One of ``max_hashing`` slots; refuses at once when ``max_waiting`` already wait."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots_loop is not loop:
            # A semaphore belongs to one event loop (tests run several in turn).
            self._slots, self._slots_loop = asyncio.Semaphore(self.policy.max_hashing), loop
            self._waiting = 0
        slots = self._slots
        if slots.locked() and self._waiting >= self.policy.max_waiting:
            raise TooManyAttempts("the server is busy checking passwords; try again", 1.0)
        self._waiting += 1
        try:
            await slots.acquire()
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            slots.release()
