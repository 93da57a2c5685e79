"""The analytics service: readings in, typed results out, rules and alarms acted on.

:meth:`AnalyticsService.on_decoded` is an ingest listener (hook it next to
``TwinService.on_decoded``). On an event loop it collects readings and runs the
synchronous analytics over them once per ``batch_s`` on one worker thread
(:mod:`twin.live_analytics.batcher`), so a heavy step never stalls ingest or the
viewer; without a loop it runs them at once. Results are published as
:class:`AnalyticsUpdate` to listeners; the alarms and commands the results call
for go through one bounded queue to :meth:`run`, which applies them in order
(the alarm store and the broker are async and may be slow).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from ingest.contract import Reading, TrackFrame
from ingest.decode import DecodeResult
from twin.alarms import AlarmError, AlarmManager, Severity
from twin.alarms.texts import AlarmText, format_number, render
from twin.analytics.crowd import CapacityLevel
from twin.commands import CommandError, CommandTracker
from twin.live_analytics.batcher import AnalysisBatcher
from twin.live_analytics.config import AnalyticsConfig
from twin.live_analytics.results import AnalyticsUpdate, SensorAnomaly, ZoneCrowd
from twin.live_analytics.venue_analytics import VenueAnalytics
from twin.rules import CommandSpec, MetricValue, Rule, RuleCleared, RuleFired
from twin.venue import Venue

__all__ = ["AnalyticsListener", "AnalyticsService", "capacity_text"]

log = logging.getLogger(__name__)

AnalyticsListener = Callable[[str, AnalyticsUpdate], None]
# One venue's analysed batch: its update and the rule actions it triggered.
_Result = tuple[str, AnalyticsUpdate, list[RuleFired | RuleCleared]]
# One venue's watchdog tick: new dropouts, expired anomaly kinds, rule actions,
# and the partial crowd step of a venue whose readings stopped (else None).
_TickResult = tuple[
    list[SensorAnomaly], list[str], list[RuleFired | RuleCleared], AnalyticsUpdate | None
]

_CAPACITY_SEVERITY = {
    CapacityLevel.WARNING: Severity.WARNING,
    CapacityLevel.FULL: Severity.CRITICAL,
}


@dataclass(frozen=True, slots=True)
class _Raise:
    venue: str
    source: str
    kind: str
    severity: Severity
    text: AlarmText
    value: float | None
    ts: float


@dataclass(frozen=True, slots=True)
class _Clear:
    venue: str
    source: str
    kind: str
    ts: float


@dataclass(frozen=True, slots=True)
class _Send:
    venue: str
    spec: CommandSpec
    origin: str


_Action = _Raise | _Clear | _Send


class AnalyticsService:
    """Live analytics of every venue, acting through the alarm manager and command tracker."""

    def __init__(
        self,
        venues: Iterable[Venue],
        alarms: AlarmManager,
        commands: CommandTracker | None = None,
        *,
        config: AnalyticsConfig | None = None,
        clock: Callable[[], float] = time.time,
        batch_s: float = 0.1,
        max_pending: int = 50_000,
        venue_clock: Callable[[str], float] | None = None,
    ) -> None:
        self.config = config or AnalyticsConfig()
        # Per venue (the twin's data clock): silence is judged in the data's time.
        self._venue_clock = venue_clock
        self.venues = {v.id: VenueAnalytics(v, self.config) for v in venues}
        self._alarms = alarms
        self._commands = commands
        self._clock = clock
        self._listeners: list[AnalyticsListener] = []
        self._queue: asyncio.Queue[_Action] = asyncio.Queue(self.config.queue_size)
        self._batcher = AnalysisBatcher(
            self._analyse, self._act, batch_s=batch_s, max_pending=max_pending
        )
        self._capacity: dict[tuple[str, str], CapacityLevel] = {}
        # Wall-clock time each venue's readings last arrived (idle -> partial step).
        self._arrived: dict[str, float] = {}
        self.dropped_actions = 0

    def _timezone(self, venue: str) -> str:
        va = self.venues.get(venue)
        return va.venue.timezone if va is not None else "UTC"

    def add_listener(self, listener: AnalyticsListener) -> None:
        self._listeners.append(listener)

    @property
    def pending_actions(self) -> int:
        return self._queue.qsize()

    # -- input -------------------------------------------------------------

    def on_decoded(self, result: DecodeResult) -> None:
        """Ingest listener: one decoded message's readings, analysed within ``batch_s``."""
        if result.tracks:
            # Positions travel with the readings, in order; they are never stored.
            self._batcher.add([*result.readings, *result.tracks])
        elif result.readings:
            self._batcher.add(result.readings)

    @property
    def shed_readings(self) -> int:
        """Readings the analytics skipped because they fell too far behind."""
        return self._batcher.shed

    def process(self, readings: Sequence[Reading | TrackFrame]) -> list[AnalyticsUpdate]:
        """Run readings through their venues' analytics now; returns the updates published."""
        return self._act(self._analyse(readings))

    def _analyse(self, readings: Sequence[Reading | TrackFrame]) -> list[_Result]:
        """The analytics themselves (on the analysis thread when on a loop)."""
        by_venue: dict[str, list[Reading | TrackFrame]] = {}
        for r in readings:
            by_venue.setdefault(r.venue, []).append(r)
        out = []
        arrived = self._clock()
        for venue_id, rs in by_venue.items():
            va = self.venues.get(venue_id)
            if va is not None:
                self._arrived[venue_id] = arrived
                update, actions = va.process(rs)
                out.append((venue_id, update, actions))
        return out

    def _act(self, results: list[_Result]) -> list[AnalyticsUpdate]:
        """Alarms, commands and listeners for analysed results (on the event loop)."""
        updates = []
        for venue_id, update, actions in results:
            self._anomaly_actions(venue_id, update.anomalies)
            for step in update.crowd_steps:
                self._capacity_actions(venue_id, step)
            self._rule_actions(venue_id, actions)
            if update:
                updates.append(update)
                self._publish(venue_id, update)
        return updates

    def finish(self) -> list[AnalyticsUpdate]:
        """End of a run or a replay: publish every venue's partial crowd step.

        Each venue closes its step at its newest reading's (device) time. Call
        it where the analytics state is not in use (no loop, or after
        :meth:`close` stopped the analysis thread); :meth:`close` calls it.
        """
        updates = []
        for venue_id, va in self.venues.items():
            update = va.finish()
            if update:
                updates.append(update)
                self._finished(venue_id, update)
        return updates

    def _finished(self, venue_id: str, update: AnalyticsUpdate) -> None:
        self._capacity_actions(venue_id, update.crowd)
        self._publish(venue_id, update)

    async def close(self) -> list[AnalyticsUpdate]:
        """Shutdown: analyse what is waiting, publish the partial crowd steps, apply actions.

        Call it after ingest stopped and before the alarm store closes, so the
        last step's results reach listeners (live view, WebSocket, the state
        feed) and its alarms are stored.
        """
        await self._batcher.flush()
        updates = await self._batcher.call(self._finish_all)
        for venue_id, update in updates:
            self._finished(venue_id, update)
        await self.drain()
        self._batcher.close()
        return [u for _, u in updates]

    def _finish_all(self) -> list[tuple[str, AnalyticsUpdate]]:
        out = []
        for venue_id, va in self.venues.items():
            update = va.finish()
            if update:
                out.append((venue_id, update))
        return out

    def tick(self, now: float | None = None) -> None:
        """Watchdogs: silent sensors, anomaly expiry, rule hold times."""
        self._tick_act(self._tick_analyse(now))

    def _venue_now(self, venue_id: str, now: float | None) -> float:
        if now is not None:
            return now
        if self._venue_clock is not None:
            return self._venue_clock(venue_id)
        return self._clock()

    def _tick_analyse(self, now: float | None) -> list[tuple[str, float, _TickResult]]:
        out = []
        wall = self._clock()
        idle_s = self.config.crowd_finish_idle_s
        for venue_id, va in self.venues.items():
            at = self._venue_now(venue_id, now)
            silent, expired, actions = va.tick(at)
            # Readings stopped (a replay or recording ended, a gateway paused):
            # the partial step is published now rather than when data resume.
            last = self._arrived.get(venue_id)
            last_step = None
            if last is not None and wall - last >= idle_s and va.crowd_pending:
                last_step = va.finish() or None
            out.append((venue_id, at, (silent, expired, actions, last_step)))
        return out

    def _tick_act(self, results: list[tuple[str, float, _TickResult]]) -> None:
        for venue_id, at, (silent, expired, actions, last_step) in results:
            if last_step is not None:
                self._finished(venue_id, last_step)
            self._anomaly_actions(venue_id, silent)
            for item in expired:
                sensor, kind = item.split("/", 1)
                self._put(_Clear(venue_id, sensor, f"anomaly.{kind}", at))
            self._rule_actions(venue_id, actions)

    # -- acting --------------------------------------------------------------

    async def drain(self) -> int:
        """Analyse collected readings, apply every queued action; returns how many actions."""
        await self._batcher.flush()
        n = 0
        while not self._queue.empty():
            await self._apply(self._queue.get_nowait())
            n += 1
        return n

    async def run(self, tick_interval_s: float = 1.0) -> None:
        """Apply actions as they come and tick the watchdogs, until cancelled.

        Cancelling it leaves the analysis thread running: batches queued there
        would otherwise be cancelled and their readings lost to the last step.
        :meth:`close` flushes them and then shuts the thread down.
        """
        next_tick = time.monotonic() + tick_interval_s
        while True:
            timeout = max(0.0, next_tick - time.monotonic())
            try:
                # Not wait_for: on 3.11 it drops a cancel that meets an arriving
                # action (gh-86296), and the shutdown then waits for ever.
                async with asyncio.timeout(timeout):
                    action = await self._queue.get()
            except TimeoutError:
                # On the analysis thread: the watchdogs touch the analytics' state.
                self._tick_act(await self._batcher.call(partial(self._tick_analyse, None)))
                next_tick = time.monotonic() + tick_interval_s
                continue
            await self._apply(action)

    async def _apply(self, action: _Action) -> None:
        try:
            if isinstance(action, _Raise):
                await self._alarms.raise_alarm(
                    action.venue,
                    action.source,
                    action.kind,
                    action.severity,
                    render(action.text, "en", self._timezone(action.venue)),
                    value=action.value,
                    ts=action.ts,
                    text=action.text,
                )
            elif isinstance(action, _Clear):
                await self._alarms.clear(action.venue, action.source, action.kind, ts=action.ts)
            elif self._commands is not None:
                spec = action.spec
                await self._commands.request(
                    action.venue,
                    spec.target,
                    spec.action,
                    spec.params,
                    origin=action.origin,
                    require_confirmation=spec.require_confirmation,
                    confirmation_ttl_s=spec.confirmation_ttl_s,
                )
            else:
                log.warning(
                    "rule %s wants a command but no command tracker is wired", action.origin
                )
        except (AlarmError, CommandError):
            log.exception("analytics action failed: %r", action)

    def _put(self, action: _Action) -> None:
        try:
            self._queue.put_nowait(action)
        except asyncio.QueueFull:
            self.dropped_actions += 1
            log.warning("analytics action queue full; dropped %r", action)

    def _anomaly_actions(self, venue: str, anomalies: Iterable[SensorAnomaly]) -> None:
        if not self.config.anomaly_alarms:
            return
        sev = self.config.anomaly_severity
        for a in anomalies:
            for d in a.detections:
                self._put(
                    _Raise(
                        venue,
                        d.sensor,
                        f"anomaly.{d.kind.value}",
                        sev.get(d.kind, Severity.WARNING),
                        d.text or AlarmText("rule", {"text": d.explanation}),
                        d.value,
                        d.ts,
                    )
                )

    def _capacity_actions(self, venue: str, crowd: Iterable[ZoneCrowd]) -> None:
        if not self.config.capacity_alarms:
            return
        for c in crowd:
            if c.capacity_level is None or c.capacity_ratio is None:
                continue
            key = (venue, c.zone)
            before = self._capacity.get(key, CapacityLevel.NORMAL)
            level = c.capacity_level
            if level is CapacityLevel.NORMAL and before is not CapacityLevel.NORMAL:
                if c.capacity_ratio >= self.config.capacity_clear_ratio:
                    continue  # hysteresis: stay in warning until clearly below
                self._put(_Clear(venue, f"zone:{c.zone}", "capacity", c.ts))
            elif level is not CapacityLevel.NORMAL and level is not before:
                msg = capacity_text(c)
                self._put(
                    _Raise(
                        venue,
                        f"zone:{c.zone}",
                        "capacity",
                        _CAPACITY_SEVERITY[level],
                        msg,
                        c.capacity_ratio,
                        c.ts,
                    )
                )
            self._capacity[key] = level

    def _rule_actions(self, venue: str, actions: Iterable[RuleFired | RuleCleared]) -> None:
        for act in actions:
            rule = act.rule
            source = f"{rule.scope.value}:{act.subject}"
            kind = f"rule.{rule.id}"
            origin = f"rule:{rule.id}:{act.subject}"
            if isinstance(act, RuleFired):
                if rule.alarm is not None:
                    msg = _message(rule, venue, act.subject, act.value)
                    self._put(
                        _Raise(
                            venue, source, kind, rule.alarm.severity, msg, _float(act.value), act.ts
                        )
                    )
                if rule.command is not None:
                    self._put(_Send(venue, rule.command, origin))
            else:
                if rule.alarm is not None:
                    self._put(_Clear(venue, source, kind, act.ts))
                if rule.on_clear is not None:
                    self._put(_Send(venue, rule.on_clear, origin))

    def _publish(self, venue: str, update: AnalyticsUpdate) -> None:
        for listener in self._listeners:
            try:
                listener(venue, update)
            except Exception:  # one broken consumer must not stop the analytics
                log.exception("analytics listener failed")


def capacity_text(c: ZoneCrowd) -> AlarmText:
    """The LB/T 034-2014 carrying-capacity alarm text of a zone past its warning level."""
    level = c.capacity_level or CapacityLevel.WARNING
    return AlarmText(
        f"capacity.{level.value}",
        {
            "zone": c.zone,
            "occupancy": round(c.occupancy),
            "ratio_pct": 100 * (c.capacity_ratio or 0.0),
            "capacity": c.capacity if c.capacity is not None else float("nan"),
        },
    )


def _float(value: MetricValue) -> float | None:
    return float(value) if isinstance(value, float | int) else None


def _message(rule: Rule, venue: str, subject: str, value: MetricValue) -> AlarmText:
    assert rule.alarm is not None
    shown = (
        format_number(value)
        if isinstance(value, float)
        else ", ".join(sorted(value))
        if isinstance(value, frozenset)
        else str(value)
    )
    fields = {
        "rule": rule.id,
        "subject": subject,
        "value": shown,
        "metric": rule.when.metric.value,
        "venue": venue,
    }
    # The rule's own template is the operator's wording; its fields travel too,
    # with the venue file's translations as text.<language>.
    params: dict[str, str | float] = {**fields, "text": rule.alarm.message.format_map(fields)}
    for lang, template in rule.alarm.messages.items():
        params[f"text.{lang}"] = template.format_map(fields)
    return AlarmText("rule", params)
