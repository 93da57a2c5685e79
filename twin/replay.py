"""Replay from the store: a venue's history fed through a twin of its own.

A :class:`ReplaySession` reads one venue's readings from a
:class:`~ingest.store.base.Store` in time windows, and applies them in time
order to its *own* :class:`~twin.service.TwinService` (never the live one) on
a :class:`ReplayClock` that can play, pause, seek and change speed. Listeners
receive ``(venue_id, StateChanges)`` exactly as from the live twin, so the
viewer can stream a replay like live data. The state at replay position ``p``
reflects every reading with ``ts < p``.

Windows are read with :meth:`Store.range_all` (every sensor of the venue in
``(ts, sensor)`` order, paged on that key), and the state at a seek with one
:meth:`Store.latest_before` query, whatever the number of sensors.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
import math
import time
from collections.abc import Callable, Sequence

from ingest.contract import Reading
from ingest.store.base import Store
from twin.service import ChangeListener, TwinService
from twin.state import LiveState, StateChanges
from twin.venue import Venue

__all__ = ["ReplayClock", "ReplayError", "ReplaySession", "latest_before", "read_window"]

log = logging.getLogger(__name__)

# Readings per range_all() call: large enough that a 5 min window of 1,000
# sensors at 1 Hz is a few calls, small enough to bound one result set.
_PAGE = 50_000


class ReplayError(ValueError):
    """A replay asked for something impossible (bad window, speed or seek time)."""


class ReplayClock:
    """Replay time that advances with a wall clock at ``speed`` while playing.

    ``now`` is any monotonic wall-clock source (injectable for tests).
    ``speed`` may be ``math.inf``: the position then advances only as the
    session applies readings.
    """

    def __init__(
        self, position: float, speed: float = 1.0, *, now: Callable[[], float] = time.monotonic
    ) -> None:
        _check_speed(speed)
        self._now = now
        self._pos = position
        self._wall = now()
        self._speed = speed
        self.playing = False

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def position(self) -> float:
        if not self.playing or math.isinf(self._speed):
            return self._pos
        return self._pos + (self._now() - self._wall) * self._speed

    def play(self) -> None:
        if not self.playing:
            self._wall = self._now()
            self.playing = True

    def pause(self) -> None:
        self._rebase()
        self.playing = False

    def seek(self, position: float) -> None:
        self._pos, self._wall = position, self._now()

    def set_speed(self, speed: float) -> None:
        _check_speed(speed)
        self._rebase()
        self._speed = speed

    def _rebase(self) -> None:
        self._pos, self._wall = self.position, self._now()


def _check_speed(speed: float) -> None:
    if not speed > 0:
        raise ReplayError(f"replay speed must be positive (or inf), got {speed}")


async def read_window(
    store: Store,
    venue: str,
    sensors: Sequence[str] | None,
    start: float,
    end: float,
    *,
    page_size: int = _PAGE,
) -> list[Reading]:
    """Every reading with ``start <= ts < end`` in ``(ts, sensor)`` order.

    Of every sensor of the venue when ``sensors`` is ``None``, else only of
    those. Reads pages of :meth:`Store.range_all`, each one after the last
    ``(ts, sensor)`` seen, so no reading is read twice or skipped however many
    share a timestamp.
    """
    wanted = None if sensors is None else frozenset(sensors)
    out: list[Reading] = []
    lo, after = start, None
    while True:
        page = await store.range_all(venue, lo, end, page_size, after_sensor=after)
        out.extend(page if wanted is None else [r for r in page if r.sensor in wanted])
        if len(page) < page_size:
            return out
        lo, after = page[-1].ts, page[-1].sensor


async def latest_before(
    store: Store,
    venue: str,
    sensors: Sequence[str] | None,
    t: float,
    *,
    max_lookback_s: float = 86_400.0,
) -> list[Reading]:
    """The newest reading with ``ts < t`` of each sensor, by sensor, at most ``max_lookback_s`` old.

    Of every sensor of the venue when ``sensors`` is ``None``, else only of
    those; one :meth:`Store.latest_before` query either way. A reading older
    than the look-back is left out: a sensor silent that long shows no value,
    as it would live.
    """
    wanted = None if sensors is None else frozenset(sensors)
    oldest = t - max_lookback_s
    return [
        r
        for r in await store.latest_before(venue, t)
        if r.ts >= oldest and (wanted is None or r.sensor in wanted)
    ]


def _ts(r: Reading) -> float:
    return r.ts


class ReplaySession:
    """One venue's history from ``start`` to ``end`` replayed into its own twin.

    Drive it with ``asyncio.create_task(session.run())`` and :meth:`play`,
    :meth:`pause`, :meth:`seek` and :meth:`set_speed`; or step it directly with
    :meth:`advance_to`. ``speed=math.inf`` replays as fast as the store and the
    twin allow, in steps of ``step_s`` replay seconds so listeners still see a
    sequence of changes (one change set per step: the resolution a viewer
    gets of a fast replay; at 100x a 0.1 s viewer tick also spans 10 s).
    Readings are read ``chunk_s`` replay seconds at a time, the next window
    while the current one plays.
    """

    def __init__(
        self,
        store: Store,
        venue: Venue,
        start: float,
        end: float,
        *,
        speed: float = 1.0,
        chunk_s: float = 300.0,
        step_s: float = 10.0,
        tick_s: float = 0.1,
        sweep_every_s: float = 10.0,
        max_lookback_s: float = 86_400.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not end > start:
            raise ReplayError(f"replay window is empty: start {start} >= end {end}")
        if chunk_s <= 0 or step_s <= 0 or tick_s <= 0:
            raise ReplayError("chunk_s, step_s and tick_s must be positive")
        self.store = store
        self.venue = venue
        self.start, self.end = start, end
        self.chunk_s, self.step_s, self.tick_s = chunk_s, step_s, tick_s
        self.sweep_every_s = sweep_every_s
        self.max_lookback_s = max_lookback_s
        self.clock = ReplayClock(start, speed, now=clock)
        self.applied = 0  # readings applied since the session began
        self.finished = False
        self._listeners: list[ChangeListener] = []
        self._twin = self._new_twin()
        self._sensors: list[str] = [s.id for s in venue.sensors]
        self._position = start
        self._positioned = False
        self._buf: list[Reading] = []
        self._i = 0
        self._loaded_until = start
        self._prefetch: asyncio.Task[list[Reading]] | None = None
        self._last_sweep = -math.inf
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._closed = False

    # -- what listeners and callers see ----------------------------------

    @property
    def twin(self) -> TwinService:
        """The session's own twin (replaced on every seek)."""
        return self._twin

    @property
    def state(self) -> LiveState:
        return self._twin.states[self.venue.id]

    @property
    def position(self) -> float:
        """Replay time: every reading with ``ts`` before it has been applied."""
        return self._position

    def add_listener(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)

    # -- controls --------------------------------------------------------

    def play(self) -> None:
        self.clock.play()
        self._wake.set()

    def pause(self) -> None:
        self.clock.pause()
        self.clock.seek(self._position)  # resume exactly where the state is
        self._wake.set()

    def set_speed(self, speed: float) -> None:
        self.clock.set_speed(speed)
        self._wake.set()

    async def seek(self, t: float) -> None:
        """Jump to ``t``: the state becomes the latest value per sensor before ``t``.

        Listeners then receive one change set holding every sensor and zone.
        """
        if not self.start <= t <= self.end:
            raise ReplayError(f"seek time {t} is outside the replay window")
        async with self._lock:
            await self._rebuild(t)
        self._wake.set()

    async def preload(self) -> None:
        """Build the state at the current position and read the first window.

        Optional: :meth:`play` right after it starts without a stall.
        """
        async with self._lock:
            if not self._positioned:
                await self._rebuild(self._position)
            if self._prefetch is not None:
                await asyncio.wait({self._prefetch})

    async def advance_to(self, t: float) -> int:
        """Apply every reading before ``t`` (at most ``end``); returns how many."""
        async with self._lock:
            if not self._positioned:
                await self._rebuild(self._position)
            return await self._advance(min(t, self.end))

    async def run(self, *, until_end: bool = False) -> None:
        """Follow the clock until :meth:`close` (or, with ``until_end``, the end).

        At the end the session pauses and sets :attr:`finished`; a seek back
        and :meth:`play` carry on.
        """
        while not self._closed:
            if self._position >= self.end and not self.finished:
                self.finished = True
                self.clock.pause()
            if self.finished and until_end:
                return
            if not self.clock.playing or self.finished:
                self._wake.clear()
                await self._wake.wait()
                continue
            fast = math.isinf(self.clock.speed)
            target = self._position + self.step_s if fast else self.clock.position
            await self.advance_to(target)
            if fast:
                await asyncio.sleep(0)  # let listeners' consumers run between steps
            else:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.tick_s)

    async def close(self) -> None:
        """Stop :meth:`run` and drop the read-ahead."""
        self._closed = True
        self._wake.set()
        await self._cancel_prefetch()

    # -- internals -------------------------------------------------------

    def _new_twin(self) -> TwinService:
        twin = TwinService([self.venue])
        twin.add_listener(self._forward)
        return twin

    def _forward(self, venue_id: str, changes: StateChanges) -> None:
        for listener in self._listeners:
            try:
                listener(venue_id, changes)
            except Exception:  # one broken consumer must not stop the replay
                log.exception("replay listener failed")

    async def _rebuild(self, t: float) -> None:
        await self._cancel_prefetch()
        self._twin = self._new_twin()
        state = self.state
        # Every sensor with data, defined in the venue file or not (auto-registered).
        seeded = await latest_before(
            self.store, self.venue.id, None, t, max_lookback_s=self.max_lookback_s
        )
        self._sensors = list(dict.fromkeys([*self._sensors, *(r.sensor for r in seeded)]))
        state.apply(seeded)
        state.sweep(t)
        self._last_sweep = t
        self._position = self._loaded_until = t
        self._buf, self._i = [], 0
        # Start reading the first window now: play usually follows a seek.
        hi = min(t + self.chunk_s, self.end)
        self._prefetch = asyncio.create_task(self._read(t, hi), name="replay-prefetch")
        self._positioned = True
        self.finished = False
        self.clock.seek(t)
        self._forward(self.venue.id, StateChanges(tuple(state.sensors()), tuple(state.zones())))

    async def _advance(self, target: float) -> int:
        batch: list[Reading] = []
        while True:
            j = bisect.bisect_left(self._buf, target, lo=self._i, key=_ts)
            batch.extend(self._buf[self._i : j])
            self._i = j
            if self._loaded_until >= min(target, self.end):
                break
            self._buf, self._i = await self._next_window(), 0
        if target > self._position:
            self._position = target
        if batch:
            self.applied += len(batch)
            if len(batch) > len(self._sensors):
                # Only each sensor's newest reading can change the state: the
                # twin would skip the rest one by one, so skip them here.
                batch = list({r.sensor: r for r in batch}.values())
            self._twin.apply_readings(batch)
        if self._position - self._last_sweep >= self.sweep_every_s:
            self._twin.sweep(self._position)
            self._last_sweep = self._position
        return len(batch)

    async def _next_window(self) -> list[Reading]:
        lo = self._loaded_until
        hi = min(lo + self.chunk_s, self.end)
        task, self._prefetch = self._prefetch, None
        window = await task if task is not None else await self._read(lo, hi)
        self._loaded_until = hi
        if hi < self.end:
            nxt = min(hi + self.chunk_s, self.end)
            self._prefetch = asyncio.create_task(self._read(hi, nxt), name="replay-prefetch")
        return window

    async def _read(self, lo: float, hi: float) -> list[Reading]:
        return await read_window(self.store, self.venue.id, None, lo, hi)

    async def _cancel_prefetch(self) -> None:
        task, self._prefetch = self._prefetch, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
