"""Delivery: one bounded queue and one worker per channel, retries, dead letters.

A channel that fails (a receiver down, a slow SMTP server) holds back only its
own queue; the others keep going. Each notice is tried up to
``RetryPolicy.attempts`` times with exponential backoff and jitter; one that
still fails, fails for a reason retrying cannot fix, or finds its channel's
queue full is dead-lettered: kept in a bounded in-memory list and, if
configured, appended to a JSON-lines file. Every outcome is reported to
``on_result`` (the notifier writes it into the alarm's history).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from notify.channels import Channel, DeliveryFailed
from notify.config import RetryPolicy
from notify.message import Notice

__all__ = ["DeadLetter", "Delivery", "DeliveryResult", "Dispatcher"]

log = logging.getLogger(__name__)

MAX_DEAD_LETTER_BYTES = 16 * 1024 * 1024  # the file is rotated once past this


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    channel: str
    notice: Notice
    status: str  # "delivered" | "retrying" | "dead-lettered"
    attempts: int
    detail: str = ""


@dataclass(frozen=True, slots=True)
class DeadLetter:
    ts: float
    channel: str
    event: str
    alarm_ids: list[str]
    delivery_id: str
    attempts: int
    reason: str


ResultListener = Callable[[DeliveryResult], Awaitable[None]]


@dataclass(slots=True)
class Delivery:
    notice: Notice
    enqueued_at: float


class Dispatcher:
    """Per-channel queues and workers; use as ``async with``."""

    def __init__(
        self,
        channels: list[Channel],
        retry: RetryPolicy,
        *,
        queue_size: int = 1000,
        dead_letter_file: Path | None = None,
        on_result: ResultListener | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._channels = {c.id: c for c in channels}
        self._retry = retry
        self._queues: dict[str, asyncio.Queue[Delivery]] = {
            c.id: asyncio.Queue(queue_size) for c in channels
        }
        self._dead_file = dead_letter_file
        self._on_result = on_result
        self._sleep = sleep
        self._tasks: list[asyncio.Task[None]] = []
        self.dead_letters: collections.deque[DeadLetter] = collections.deque(maxlen=1000)
        self.delivered = 0
        self.failed_attempts = 0

    async def __aenter__(self) -> Dispatcher:
        for cid in self._channels:
            self._tasks.append(asyncio.create_task(self._worker(cid), name=f"notify-{cid}"))
        return self

    async def __aexit__(self, *_: object) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for channel in self._channels.values():
            await channel.aclose()

    def pending(self) -> int:
        return sum(q.qsize() for q in self._queues.values())

    async def join(self) -> None:
        """Wait until every queued notice is delivered or dead-lettered (tests, shutdown)."""
        for q in self._queues.values():
            await q.join()

    async def submit(self, channel_id: str, notice: Notice) -> None:
        queue = self._queues[channel_id]
        try:
            queue.put_nowait(Delivery(notice, time.time()))
        except asyncio.QueueFull:
            await self._dead(channel_id, notice, 0, "queue full")

    async def _worker(self, channel_id: str) -> None:
        queue = self._queues[channel_id]
        while True:
            item = await queue.get()
            try:
                await self._deliver(channel_id, item.notice)
            except Exception:  # a bug in one notice must not stop the channel
                log.exception("notification to %s failed unexpectedly", channel_id)
            finally:
                queue.task_done()

    async def _deliver(self, channel_id: str, notice: Notice) -> None:
        channel = self._channels[channel_id]
        policy = self._retry
        for attempt in range(1, policy.attempts + 1):
            try:
                await channel.send(notice)
            except DeliveryFailed as exc:
                self.failed_attempts += 1
                if not exc.retryable or attempt == policy.attempts:
                    await self._dead(channel_id, notice, attempt, exc.reason)
                    return
                await self._report(
                    DeliveryResult(channel_id, notice, "retrying", attempt, exc.reason)
                )
                pause = policy.delay(attempt)
                pause *= 1.0 + policy.jitter * (2.0 * random.random() - 1.0)
                await self._sleep(pause)
                continue
            self.delivered += 1
            await self._report(DeliveryResult(channel_id, notice, "delivered", attempt))
            return

    async def _dead(self, channel_id: str, notice: Notice, attempts: int, reason: str) -> None:
        letter = DeadLetter(
            time.time(),
            channel_id,
            notice.event.value,
            [a.alarm_id for a in notice.alarms],
            notice.delivery_id,
            attempts,
            reason,
        )
        self.dead_letters.append(letter)
        log.warning(
            "notification %s to %s dead-lettered after %d attempt(s): %s",
            notice.delivery_id,
            channel_id,
            attempts,
            reason,
        )
        if self._dead_file is not None:
            try:
                await asyncio.to_thread(_append, self._dead_file, letter)
            except OSError as exc:
                log.error("cannot write dead letter to %s: %s", self._dead_file, exc)
        await self._report(DeliveryResult(channel_id, notice, "dead-lettered", attempts, reason))

    async def _report(self, result: DeliveryResult) -> None:
        if self._on_result is None:
            return
        try:
            await self._on_result(result)
        except Exception:  # the alarm store may be down; delivery goes on
            log.exception("recording a delivery result failed")


def _append(path: Path, letter: DeadLetter) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.stat().st_size > MAX_DEAD_LETTER_BYTES:
        path.replace(path.with_suffix(path.suffix + ".1"))
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(asdict(letter), ensure_ascii=False) + "\n")
