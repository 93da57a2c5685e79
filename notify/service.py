"""The notifier: alarm events in, notices out, delivery written into each alarm's history.

An output adapter like the viewer: it listens to the alarm manager, owns no
model, and never blocks the alarms (events go through a bounded queue; one
that overflows is counted and logged).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable

import httpx

from notify.channels import Channel, build_channel
from notify.config import NotifyConfig
from notify.delivery import DeliveryResult, Dispatcher
from notify.message import Event, Notice
from notify.router import Held, Router, VenueInfo
from twin.alarms import Action, AlarmError, AlarmEvent, AlarmManager
from twin.venue import Venue

__all__ = ["NOTIFY_USER", "Notifier"]

log = logging.getLogger(__name__)

NOTIFY_USER = "notify"  # the user name of delivery records in alarm history


class Notifier:
    """Use as ``async with Notifier(...) as n:`` and run ``n.run()`` as a task."""

    def __init__(
        self,
        config: NotifyConfig,
        venues: Iterable[Venue],
        alarms: AlarmManager,
        *,
        clock: Callable[[], float] = time.time,
        max_events: int = 10_000,
    ) -> None:
        self.config = config
        info = {
            v.id: VenueInfo(v.name, v.timezone, {s.id: s.zone for s in v.sensors}) for v in venues
        }
        self.router = Router(config, info)
        self._alarms = alarms
        self._clock = clock
        self._events: asyncio.Queue[AlarmEvent] = asyncio.Queue(max_events)
        self._stack = contextlib.AsyncExitStack()
        self.dispatcher: Dispatcher | None = None
        self.dropped_events = 0

    async def __aenter__(self) -> Notifier:
        # Secrets are resolved here: a missing one stops start-up with its name.
        client = await self._stack.enter_async_context(
            httpx.AsyncClient(follow_redirects=False, trust_env=False)
        )
        channels: list[Channel] = [build_channel(c, client) for c in self.config.channels]
        self.dispatcher = await self._stack.enter_async_context(
            Dispatcher(
                channels,
                self.config.retry,
                queue_size=self.config.queue_size,
                dead_letter_file=self.config.dead_letter_file,
                on_result=self._record,
            )
        )
        self._alarms.add_listener(self.on_event)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    def on_event(self, event: AlarmEvent) -> None:
        """Alarm listener (synchronous, on the event loop): queue and return."""
        try:
            self._events.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped_events += 1
            log.warning("notification event queue full; dropped %s", event.alarm.alarm_id)

    async def run(self, tick_s: float = 15.0) -> None:
        """Route events as they come and check escalations and digests every ``tick_s``."""
        next_tick = time.monotonic() + tick_s
        while True:
            timeout = max(0.0, next_tick - time.monotonic())
            try:
                event = await asyncio.wait_for(self._events.get(), timeout)
            except TimeoutError:
                await self.tick()
                next_tick = time.monotonic() + tick_s
                continue
            await self._route(event)

    async def drain(self) -> None:
        """Route every queued event and wait for its deliveries (tests and shutdown)."""
        while not self._events.empty():
            await self._route(self._events.get_nowait())
        if self.dispatcher is not None:
            await self.dispatcher.join()

    async def tick(self) -> None:
        out, held = self.router.tick(self._clock())
        await self._dispatch(out, held)

    async def _route(self, event: AlarmEvent) -> None:
        out, held = self.router.on_event(event, self._clock())
        await self._dispatch(out, held)

    async def _dispatch(self, out: list[tuple[str, Notice]], held: list[Held]) -> None:
        assert self.dispatcher is not None
        for channel, notice in out:
            await self.dispatcher.submit(channel, notice)
        for h in held:
            await self._annotate(h.alarm_id, h.note)

    async def _record(self, result: DeliveryResult) -> None:
        n = result.notice
        what = f"{n.event.value} to {result.channel}: {result.status}"
        if result.attempts > 1 or result.status != "delivered":
            what += f" (attempt {result.attempts})"
        if result.detail:
            what += f": {result.detail}"
        targets = n.alarms if n.event is not Event.DIGEST else n.alarms[:50]
        for alarm in targets:
            await self._annotate(alarm.alarm_id, what)

    async def _annotate(self, alarm_id: str, note: str) -> None:
        try:
            await self._alarms.annotate(alarm_id, Action.NOTIFY, NOTIFY_USER, note)
        except AlarmError as exc:
            log.warning("cannot record delivery for alarm %s: %s", alarm_id, exc)
