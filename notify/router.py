"""Routing: which alarm events become which notices, when (pure logic, no I/O).

Deduplication follows the alarm's lifecycle: per alarm and route one notice
when it is raised, one when it escalates (still raised and unacknowledged
``escalate_after_min`` after the notice), one when it clears; repeats of an
open alarm (its count going up) send nothing. A condition that comes back after
its "cleared" notice is raised again. Quiet hours hold back notices below their
``min_severity``: into the route's digest when it has one, otherwise they are
only written into the alarm's history. Digest routes collect their notices and
send one message per venue a day at ``digest_at`` (venue time).
"""

from __future__ import annotations

import collections
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from notify.config import NotifyConfig, RouteConfig
from notify.message import Event, Notice
from twin.alarms import Action, Alarm, AlarmEvent, AlarmState

__all__ = ["Held", "Router", "VenueInfo"]

MAX_TRACKED = 100_000  # alarms remembered per router (oldest forgotten first)
MAX_DIGEST = 500  # alarms per route and venue in one digest


@dataclass(frozen=True, slots=True)
class VenueInfo:
    name: str
    tz: str
    zone_of: dict[str, str]  # sensor -> zone


@dataclass(frozen=True, slots=True)
class Held:
    """A notice not sent now, and why (for the alarm's history)."""

    alarm_id: str
    note: str


Outbox = list[tuple[str, Notice]]


class Router:
    def __init__(self, config: NotifyConfig, venues: dict[str, VenueInfo]) -> None:
        self._cfg = config
        self._venues = venues
        # (alarm id, route index) -> last event sent; LRU-bounded.
        self._sent: collections.OrderedDict[tuple[str, int], Event] = collections.OrderedDict()
        self._escalate: dict[tuple[str, int], float] = {}
        self._latest: dict[str, Alarm] = {}
        self._digest: dict[tuple[int, str], dict[str, Alarm]] = {}
        self._digest_day: dict[tuple[int, str], dt.date] = {}
        self.digest_overflow = 0

    # -- events --------------------------------------------------------------

    def on_event(self, event: AlarmEvent, now: float) -> tuple[Outbox, list[Held]]:
        alarm, record = event.alarm, event.transition
        if record is None:
            return [], []  # a repeat of an open alarm: deduplicated
        action = record.action
        out: Outbox = []
        held: list[Held] = []
        if action in (Action.RAISE, Action.RERAISE):
            self._latest[alarm.alarm_id] = alarm
            for i, route in self._routes_for(alarm):
                if action is Action.RERAISE and self._sent.get((alarm.alarm_id, i)) not in (
                    Event.CLEARED,
                    None,
                ):
                    continue
                self._send(i, route, Event.RAISED, alarm, now, route.channels, out, held)
                if route.escalate_after_min is not None:
                    self._escalate[(alarm.alarm_id, i)] = now + 60.0 * route.escalate_after_min
        elif action is Action.CLEAR:
            for i, route in self._routes_for(alarm):
                self._escalate.pop((alarm.alarm_id, i), None)
                sent = self._sent.get((alarm.alarm_id, i))
                if route.notify_cleared and sent in (Event.RAISED, Event.ESCALATED):
                    self._send(i, route, Event.CLEARED, alarm, now, route.channels, out, held)
        elif action in (Action.ACKNOWLEDGE, Action.SHELVE):
            for key in [k for k in self._escalate if k[0] == alarm.alarm_id]:
                del self._escalate[key]
        if alarm.state is AlarmState.CLEARED:
            self._forget(alarm.alarm_id)
        elif alarm.alarm_id in self._latest:
            self._latest[alarm.alarm_id] = alarm
        return out, held

    # -- time ----------------------------------------------------------------

    def tick(self, now: float) -> tuple[Outbox, list[Held]]:
        """Escalations that are due and digests whose time has come."""
        out: Outbox = []
        held: list[Held] = []
        for key, due in list(self._escalate.items()):
            if due > now:
                continue
            del self._escalate[key]
            alarm = self._latest.get(key[0])
            if alarm is None or alarm.state is not AlarmState.RAISED:
                continue
            route = self._cfg.routes[key[1]]
            targets = route.escalate_to or route.channels
            self._send(key[1], route, Event.ESCALATED, alarm, now, targets, out, held)
        for (i, venue), items in list(self._digest.items()):
            info = self._venues.get(venue)
            local = _local(now, info.tz if info else "UTC")
            if local.time() < self._cfg.digest_time:
                continue
            if self._digest_day.get((i, venue)) == local.date() or not items:
                continue
            self._digest_day[(i, venue)] = local.date()
            alarms = tuple(sorted(items.values(), key=lambda a: a.raised_at))
            items.clear()
            notice = Notice(Event.DIGEST, alarms, *self._where(venue), now)
            out.extend((c, notice) for c in self._cfg.routes[i].channels)
        return out, held

    # -- internals -----------------------------------------------------------

    def _routes_for(self, alarm: Alarm) -> list[tuple[int, RouteConfig]]:
        zone = self._zone(alarm)
        return [
            (i, r)
            for i, r in enumerate(self._cfg.routes)
            if r.matches(alarm.venue, zone, alarm.kind, alarm.severity)
        ]

    def _zone(self, alarm: Alarm) -> str | None:
        if alarm.source.startswith("zone:"):
            return alarm.source.split(":", 1)[1]
        info = self._venues.get(alarm.venue)
        return info.zone_of.get(alarm.source) if info else None

    def _where(self, venue: str) -> tuple[str, str]:
        info = self._venues.get(venue)
        return (info.name, info.tz) if info else (venue, "UTC")

    def _send(
        self,
        i: int,
        route: RouteConfig,
        event: Event,
        alarm: Alarm,
        now: float,
        channels: list[str],
        out: Outbox,
        held: list[Held],
    ) -> None:
        key = (alarm.alarm_id, i)
        self._sent[key] = event
        self._sent.move_to_end(key)
        while len(self._sent) > MAX_TRACKED:
            self._sent.popitem(last=False)
        name, tz = self._where(alarm.venue)
        quiet = route.quiet_hours
        is_quiet = (
            quiet is not None
            and alarm.severity.rank < quiet.min_severity.rank
            and quiet.covers(_local(now, tz).time())
        )
        if route.digest or is_quiet:
            if route.digest:
                self._add_to_digest(i, alarm)
                note = f"{event.value}: held for the daily digest"
            else:
                note = f"{event.value}: not sent (quiet hours)"
            if is_quiet and route.digest:
                note += " (quiet hours)"
            held.append(Held(alarm.alarm_id, note))
            return
        link = (
            f"{self._cfg.base_url.rstrip('/')}/#alarm={alarm.alarm_id}"
            if self._cfg.base_url
            else None
        )
        notice = Notice(event, (alarm,), name, tz, now, link=link)
        out.extend((c, notice) for c in channels)

    def _add_to_digest(self, i: int, alarm: Alarm) -> None:
        items = self._digest.setdefault((i, alarm.venue), {})
        if alarm.alarm_id not in items and len(items) >= MAX_DIGEST:
            self.digest_overflow += 1
            return
        items[alarm.alarm_id] = alarm

    def _forget(self, alarm_id: str) -> None:
        self._latest.pop(alarm_id, None)
        for i in range(len(self._cfg.routes)):
            self._sent.pop((alarm_id, i), None)
            self._escalate.pop((alarm_id, i), None)


def _local(now: float, tz: str) -> dt.datetime:
    try:
        zone: dt.tzinfo = ZoneInfo(tz)
    except (KeyError, ValueError):
        zone = dt.UTC
    return dt.datetime.fromtimestamp(now, zone)
