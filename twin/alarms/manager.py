"""The alarm manager: raise, deduplicate, flood-suppress, acknowledge, clear, shelve.

Open alarms live in memory (one per (venue, source, kind) key) so a repeat is a
dictionary look-up; every change is written through to an :class:`AlarmStore`
with its history record and announced to listeners as an :class:`AlarmEvent`.
Operations are serialised by one lock, so two concurrent raises of one key
cannot make two alarms.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from twin.alarms import lifecycle
from twin.alarms.errors import (
    AlarmError,
    AlarmStoreError,
    AlarmStoreUnavailable,
    IllegalTransition,
    UnknownAlarm,
)
from twin.alarms.events import AlarmEvent, AlarmListener
from twin.alarms.model import Action, Alarm, AlarmKey, AlarmState, AlarmTransition, Severity
from twin.alarms.store import AlarmStore
from twin.alarms.texts import AlarmText, render
from twin.write_behind import WriteBehind

__all__ = ["FLOOD_KIND", "FLOOD_SOURCE", "AlarmManager", "FloodPolicy"]

log = logging.getLogger(__name__)

FLOOD_SOURCE = "venue"
FLOOD_KIND = "alarm_flood"


@dataclass(frozen=True, slots=True)
class FloodPolicy:
    """Per venue: more than ``max_new`` new alarms within ``window_s`` is a flood.

    ISA-18.2 calls more than 10 alarms in 10 minutes per operator a flood; the
    default here (20 per minute) only groups real bursts (a network outage taking
    a floor of sensors down), not a busy day. The flood alarm clears after
    ``window_s`` without suppressed alarms.
    """

    max_new: int = 20
    window_s: float = 60.0
    severity: Severity = Severity.CRITICAL

    def __post_init__(self) -> None:
        if self.max_new < 1 or not self.window_s > 0.0:
            raise AlarmError("flood policy needs max_new >= 1 and window_s > 0")


class _Flood:
    __slots__ = ("last_suppressed", "recent", "suppressed")

    def __init__(self, size: int) -> None:
        self.recent: collections.deque[float] = collections.deque(maxlen=size)
        self.suppressed = 0
        self.last_suppressed = -float("inf")


class AlarmManager:
    """Alarm lifecycle over a store. ``clock`` gives operator-action and expiry times."""

    def __init__(
        self,
        store: AlarmStore,
        *,
        flood: FloodPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._flood_policy = flood or FloodPolicy()
        self._clock = clock
        self._open: dict[str, Alarm] = {}
        self._by_key: dict[AlarmKey, str] = {}
        self._floods: dict[str, _Flood] = {}
        self._listeners: list[AlarmListener] = []
        self._lock = asyncio.Lock()
        # Alarms never wait for the database; their history catches up with it.
        self.writes = WriteBehind(
            "alarm", retry_on=(AlarmStoreUnavailable,), give_up_on=(AlarmStoreError,)
        )

    # -- set-up and reads ------------------------------------------------

    def add_listener(self, listener: AlarmListener) -> None:
        self._listeners.append(listener)

    async def load(self) -> int:
        """Take the open alarms from the store (after a restart); returns how many."""
        async with self._lock:
            for alarm in await self._store.open_alarms():
                self._open[alarm.alarm_id] = alarm
                self._by_key[alarm.key] = alarm.alarm_id
            return len(self._open)

    def open_alarms(self, venue: str | None = None) -> list[Alarm]:
        """Open alarms, most severe and newest first."""
        found = [a for a in self._open.values() if venue is None or a.venue == venue]
        return sorted(found, key=lambda a: (-a.severity.rank, -a.raised_at))

    def find(self, venue: str, source: str, kind: str) -> Alarm | None:
        alarm_id = self._by_key.get((venue, source, kind))
        return None if alarm_id is None else self._open[alarm_id]

    async def get(self, alarm_id: str) -> Alarm:
        alarm = self._open.get(alarm_id) or await self._store.get_alarm(alarm_id)
        if alarm is None:
            raise UnknownAlarm(alarm_id)
        return alarm

    async def history(self, alarm_id: str) -> list[AlarmTransition]:
        return await self._store.alarm_history(alarm_id)

    # -- the condition side (analytics, rules) ---------------------------

    async def raise_alarm(
        self,
        venue: str,
        source: str,
        kind: str,
        severity: Severity,
        message: str,
        *,
        value: float | None = None,
        ts: float | None = None,
        text: AlarmText | None = None,
    ) -> Alarm:
        """Report that a condition is present. A repeat of an open key updates it.

        ``message`` is the English text; ``text`` the same as a catalogue key
        and parameters (:mod:`twin.alarms.texts`) for other languages.
        """
        now = self._clock() if ts is None else ts
        async with self._lock:
            existing = self.find(venue, source, kind)
            if existing is not None:
                alarm, record = lifecycle.reraise(existing, now, value, message, text)
                if severity.rank > alarm.severity.rank:
                    alarm = _with_severity(alarm, severity)
                return await self._commit(alarm, record)
            if kind != FLOOD_KIND and self._flooding(venue, now):
                return await self._suppress(venue, source, kind, now)
            alarm = Alarm(
                alarm_id=uuid.uuid4().hex,
                venue=venue,
                source=source,
                kind=kind,
                severity=severity,
                state=AlarmState.RAISED,
                message=message,
                value=value,
                count=1,
                active=True,
                raised_at=now,
                updated_at=now,
                text=text,
            )
            record = AlarmTransition(
                alarm.alarm_id, now, Action.RAISE, None, AlarmState.RAISED, lifecycle.SYSTEM_USER
            )
            return await self._commit(alarm, record)

    async def clear(
        self, venue: str, source: str, kind: str, *, ts: float | None = None
    ) -> Alarm | None:
        """The condition is gone; returns the alarm, or None if none was active."""
        now = self._clock() if ts is None else ts
        async with self._lock:
            alarm = self.find(venue, source, kind)
            if alarm is None or not alarm.active:
                return None
            new, record = lifecycle.clear(alarm, now)
            return await self._commit(new, record)

    # -- the operator side -----------------------------------------------

    async def acknowledge(self, alarm_id: str, user: str, note: str = "") -> Alarm:
        async with self._lock:
            new, record = lifecycle.acknowledge(
                await self._current(alarm_id), self._clock(), user, note
            )
            return await self._commit(new, record)

    async def shelve(self, alarm_id: str, user: str, *, duration_s: float, note: str = "") -> Alarm:
        if not duration_s > 0.0:
            raise IllegalTransition(f"shelving needs a positive duration, got {duration_s}")
        async with self._lock:
            now = self._clock()
            new, record = lifecycle.shelve(
                await self._current(alarm_id), now, now + duration_s, user, note
            )
            return await self._commit(new, record)

    async def unshelve(self, alarm_id: str, user: str, note: str = "") -> Alarm:
        async with self._lock:
            new, record = lifecycle.unshelve(
                await self._current(alarm_id), self._clock(), user, note
            )
            if record is None:  # not shelved (any more): nothing to change
                return new
            return await self._commit(new, record)

    async def annotate(self, alarm_id: str, action: Action, user: str, note: str) -> None:
        """Add a history record that changes no state (such as a notification's delivery)."""
        async with self._lock:
            alarm = await self._current(alarm_id)
            record = AlarmTransition(
                alarm_id, self._clock(), action, alarm.state, alarm.state, user, note
            )
            store = self._store
            await self.writes.submit(lambda: store.save_alarm(alarm, record))

    async def tick(self) -> list[Alarm]:
        """Expire shelving and finished floods; returns the alarms that changed."""
        now = self._clock()
        changed: list[Alarm] = []
        await self.writes.flush()  # history that waited for the database
        async with self._lock:
            for alarm in list(self._open.values()):
                if (
                    alarm.state is AlarmState.SHELVED
                    and alarm.shelved_until is not None
                    and alarm.shelved_until <= now
                ):
                    new, record = lifecycle.unshelve(
                        alarm, now, lifecycle.SYSTEM_USER, "shelving expired"
                    )
                    changed.append(await self._commit(new, record))
            window = self._flood_policy.window_s
            for venue, flood in self._floods.items():
                flood_alarm = self.find(venue, FLOOD_SOURCE, FLOOD_KIND)
                if (
                    flood_alarm is not None
                    and flood_alarm.active
                    and now - flood.last_suppressed >= window
                ):
                    note = f"{flood.suppressed} suppressed"
                    new, record = lifecycle.clear(flood_alarm, now, note)
                    flood.suppressed = 0
                    changed.append(await self._commit(new, record))
        return changed

    async def run(self, interval_s: float = 1.0) -> None:
        """Call :meth:`tick` every ``interval_s`` until cancelled."""
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.tick()
            except AlarmError:
                log.exception("alarm tick failed")

    # -- internals -------------------------------------------------------

    async def _current(self, alarm_id: str) -> Alarm:
        alarm = self._open.get(alarm_id)
        if alarm is not None:
            return alarm
        stored = await self._store.get_alarm(alarm_id)
        if stored is None:
            raise UnknownAlarm(alarm_id)
        return stored

    def _flooding(self, venue: str, now: float) -> bool:
        policy = self._flood_policy
        flood = self._floods.get(venue)
        if flood is None:
            flood = self._floods[venue] = _Flood(policy.max_new)
        recent = flood.recent
        if len(recent) == policy.max_new and now - recent[0] < policy.window_s:
            return True
        recent.append(now)
        return False

    async def _suppress(self, venue: str, source: str, kind: str, now: float) -> Alarm:
        flood = self._floods[venue]
        flood.suppressed += 1
        flood.last_suppressed = now
        policy = self._flood_policy
        text = AlarmText(
            "alarm_flood",
            {
                "suppressed": flood.suppressed,
                "max_new": policy.max_new,
                "window_s": policy.window_s,
                "latest_kind": kind,
                "latest_source": source,
            },
        )
        message = render(text)
        existing = self.find(venue, FLOOD_SOURCE, FLOOD_KIND)
        if existing is not None:
            alarm, record = lifecycle.reraise(existing, now, float(flood.suppressed), message, text)
            return await self._commit(alarm, record)
        alarm = Alarm(
            uuid.uuid4().hex,
            venue,
            FLOOD_SOURCE,
            FLOOD_KIND,
            policy.severity,
            AlarmState.RAISED,
            message,
            float(flood.suppressed),
            1,
            True,
            now,
            now,
            text=text,
        )
        record = AlarmTransition(
            alarm.alarm_id, now, Action.RAISE, None, AlarmState.RAISED, lifecycle.SYSTEM_USER
        )
        return await self._commit(alarm, record)

    async def _commit(self, alarm: Alarm, record: AlarmTransition | None) -> Alarm:
        """Keep, store and announce one change; returns the alarm as committed."""
        alarm = dataclasses.replace(alarm, revision=alarm.revision + 1)
        # Memory first: an operator must see an alarm even while the database is down.
        if alarm.state.is_open:
            self._open[alarm.alarm_id] = alarm
            self._by_key[alarm.key] = alarm.alarm_id
        else:
            self._open.pop(alarm.alarm_id, None)
            if self._by_key.get(alarm.key) == alarm.alarm_id:
                del self._by_key[alarm.key]
        store = self._store
        await self.writes.submit(lambda: store.save_alarm(alarm, record))
        event = AlarmEvent(alarm, record)
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:  # one broken consumer must not stop the alarms
                log.exception("alarm listener failed")
        return alarm


def _with_severity(alarm: Alarm, severity: Severity) -> Alarm:
    return dataclasses.replace(alarm, severity=severity)
