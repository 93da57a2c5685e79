"""Service wiring: builds the store, ingest, twin and viewer from settings.

Nothing here connects at import time; :class:`Platform` opens everything in
``__aenter__`` and closes it in reverse order in ``__aexit__``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from ingest.adapters import AdapterDecoder
from ingest.contract import Topics
from ingest.metrics import IngestMetrics
from ingest.mqtt_settings import MqttSettings
from ingest.service import IngestService
from ingest.store import open_store
from ingest.store.base import Store
from ingest.store.spool import Spool
from ingest.store.writer import BatchWriter
from twin.alarm_stores import open_alarm_store
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import AlarmManager
from twin.commands import CommandSender, CommandTracker
from twin.live_analytics import AnalyticsConfig, AnalyticsService
from twin.replica import StatePublisher
from twin.service import TwinService
from twin.threshold_alarms import ThresholdAlarms
from venue_twin.auth_setup import build_authenticator
from venue_twin.history_writes import flush_history, history_write_counts
from venue_twin.http_server import serve_http
from venue_twin.service_group import ServiceGroup
from venue_twin.settings import Settings
from venue_twin.shutdown_watch import watch_shutdown
from venue_twin.store_startup import (
    StartupCancelled,
    redact,
    resume_drift,
    seed_twin,
    wait_for_store,
)
from venue_twin.venue_refs import resolve_venue
from venue_twin.viewer_services import hub_and_replays
from venue_twin.wiring_adapters import build_decoder
from viewer.analytics_view import AnalyticsView
from viewer.app import ViewerContext, create_app
from viewer.auth import Authenticator
from viewer.hub import Hub
from viewer.replay_sessions import ReplaySessions

__all__ = ["Platform", "Progress", "StartupCancelled", "serve_http"]

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


class Platform(ServiceGroup):
    """Store + ingest + twin + viewer app, wired from settings."""

    def __init__(
        self,
        settings: Settings,
        *,
        mqtt: MqttSettings | None = None,
        progress: Progress = lambda _msg: None,
        viewer: bool = True,
        stop: asyncio.Event | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        # Set by Ctrl-C/SIGTERM: ends a wait for the database at start-up.
        self._stop = stop
        self.mqtt = mqtt or settings.mqtt.to_client()
        self._progress = progress
        self.metrics = IngestMetrics()
        self.venues = [resolve_venue(ref) for ref in settings.venues]
        self.twin = TwinService(self.venues)
        # An ingest-only worker serves no HTTP, so it needs no users.
        self.auth = build_authenticator(settings.auth) if viewer else Authenticator(None, None)
        # An ingest-only worker (viewer=False) stores; analytics, alarms and the
        # viewer run in the process that sees each venue's whole stream.
        self._full = viewer
        self.analytics_view = AnalyticsView(self.venues)
        self.hub: Hub | None = None
        self.replays: ReplaySessions | None = None
        self.store: Store | None = None
        self.writer: BatchWriter | None = None
        self.ingest: IngestService | None = None
        self.app: FastAPI | None = None
        self.alarms: AlarmManager | None = None
        self.commands: CommandTracker | None = None
        self.analytics: AnalyticsService | None = None
        self.publisher: StatePublisher | None = None

    async def __aenter__(self) -> Platform:
        s = self.settings
        try:
            url = s.store_url.get_secret_value()
            store = open_store(url)
            self._stack.push_async_callback(store.close)
            # A database down at start is an outage like any other: the store
            # connects in the background. Refused credentials still raise here.
            await store.open(background=True)
            self.store = store
            self.metrics.watch_store(lambda: store.connected)
            if not store.connected and self._full:
                await wait_for_store(store, url, self._stop)
            seeded = 0
            if store.connected:
                self._progress(f"store ready ({redact(url)})")
                seeded = await seed_twin(self.twin, self.venues, store)
            else:
                # A worker has no analytics to resume: it ingests at once, and the
                # writer spools (or holds acks) until the database answers.
                from ingest.store.postgres import server_address

                self._progress(
                    f"ingest starts without the database at {server_address(url)}; "
                    "readings are spooled or held at the broker until it answers"
                )
            self.twin.sweep(time.time())

            # An ingest-only worker raises no alarms and sends no commands: it keeps
            # them in memory, so it needs no database to start.
            alarm_store = open_alarm_store(url) if self._full else MemoryAlarmStore()
            await alarm_store.open()
            self._stack.push_async_callback(alarm_store.close)
            alarms = self.alarms = AlarmManager(alarm_store)
            open_alarms = await alarms.load()
            topics = Topics(s.topic_prefix)
            sender = await self._stack.enter_async_context(CommandSender(self.mqtt, topics))
            commands = self.commands = CommandTracker(alarm_store, sender)
            await commands.load()
            # Runs before the alarm store closes (the stack unwinds in reverse):
            # history that waited for the database gets its last chance.
            self._stack.push_async_callback(flush_history, alarms, commands)
            analytics = self.analytics = AnalyticsService(
                self.venues,
                alarms,
                commands,
                config=AnalyticsConfig(empty_hours=s.empty_hours),
                venue_clock=self.twin.clock.now,
            )
            resumed = 0
            if store.connected:
                # The drift check's hours from before the restart (else two blind days).
                resumed = await resume_drift(analytics, self.venues, store, time.time())
            thresholds = ThresholdAlarms(self.venues, alarms, clock=self.twin.clock.now)
            if self._full:
                self.twin.add_listener(thresholds.on_changes)
                self._spawn(thresholds.run(), "threshold-alarms")
            if self._full and s.notify is not None:
                from notify import Notifier  # httpx: only when notifications are on

                notifier = Notifier(s.notify, self.venues, alarms)
                await self._stack.enter_async_context(notifier)
                self._spawn(notifier.run(), "notifier")
            analytics.add_listener(self.analytics_view.on_update)
            if self._full and s.publish_state:
                # Its own analytics view: take_changes() forgets, and the hub takes too.
                feed = AnalyticsView(self.venues)
                analytics.add_listener(feed.on_update)
                self.publisher = StatePublisher(
                    self.mqtt,
                    topics,
                    self.twin,
                    alarms=alarms,
                    commands=commands,
                    analytics=feed,
                    tick_s=1.0 / s.ws_tick_hz,
                    snapshot_s=s.state_snapshot_s,
                )
                await self._stack.enter_async_context(self.publisher)
                self._spawn(self.publisher.run(), "state-publisher")
            hub, replays = hub_and_replays(
                s, self.twin, store, alarms=alarms, commands=commands, analytics=self.analytics_view
            )
            self.hub, self.replays = hub, replays
            rules = sum(len(v.rules) for v in self.venues)
            self._progress(
                f"analytics ready: {rules} rules, {open_alarms} open alarms, "
                f"{seeded} latest values restored and {resumed} stored hours for the drift check"
            )

            spool = Spool(s.spool_dir, max_bytes=s.spool_max_bytes) if s.spool_dir else None
            writer = BatchWriter(
                store,
                metrics=self.metrics,
                max_batch=s.writer_max_batch,
                max_delay_s=s.writer_max_delay_s,
                max_pending=s.writer_max_pending,
                spool=spool,
            )
            self.writer = writer
            self._spawn(writer.run(), "store-writer")
            self._stack.push_async_callback(writer.close)

            ingest_decoder, adapter_filters = build_decoder(s, topics, self.twin, self.venues)
            ingest = IngestService(
                self.mqtt,
                topics,
                ingest_decoder,
                writer,
                store,
                self.metrics,
                qos=s.mqtt.qos,
                shared_group=s.mqtt.shared_group,
                extra_filters=adapter_filters,
            )
            ingest.add_listener(self.twin.on_decoded)
            if self._full:
                # Behind a shared subscription an ingest-only worker sees a share of
                # each venue: analytics belong where the whole stream arrives.
                ingest.add_listener(analytics.on_decoded)
                ingest.add_listener(commands.on_decoded)
            if self._full:
                # Unwinds right after ingest stops: the last partial crowd step
                # reaches the live view and the state feed, its alarms the store.
                self._stack.push_async_callback(self._finish_analytics)
            await self._stack.enter_async_context(ingest)
            await ingest.wait_connected(timeout=15.0)
            self.ingest = ingest
            self._progress(f"ingest subscribed on mqtt://{self.mqtt.host}:{self.mqtt.port}")

            self._spawn(self.twin.run_sweeper(), "twin-sweeper")
            if self._full:
                self._spawn(analytics.run(), "analytics")
                self._spawn(alarms.run(), "alarm-ticker")
                self._spawn(commands.run(), "command-ticker")
                self._spawn(hub.run(), "viewer-hub")
                self._spawn(replays.run(), "replay-reaper")
            self.app = create_app(
                ViewerContext(
                    twin=self.twin,
                    store=store,
                    hub=hub,
                    health=self.health,
                    auth=self.auth,
                    alarms=alarms,
                    alarm_store=alarm_store,
                    commands=commands,
                    command_store=alarm_store,
                    analytics=self.analytics_view,
                    replays=replays,
                    metrics_registry=self.metrics.registry,
                    allowed_origins=list(s.allowed_origins),
                    device_health=(
                        ingest_decoder.health_of
                        if isinstance(ingest_decoder, AdapterDecoder)
                        else None
                    ),
                )
            )
        except BaseException:
            await self.__aexit__(None, None, None)
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        async with watch_shutdown("platform shutdown"):
            others = [t for t in self._tasks if t.get_name() != "store-writer"]
            for t in others:
                t.cancel()
            # Let them finish their last alarm and command saves before the stores close.
            await asyncio.gather(*others, return_exceptions=True)
            # Closing the stack stops ingest first, then flushes the writer, then the store.
            await self._stack.aclose()
            for t in self._tasks:
                t.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _finish_analytics(self) -> None:
        if self.analytics is None:
            return
        try:
            await self.analytics.close()
            if self.publisher is not None:
                self.publisher.flush(time.time())
        except Exception:  # shutdown goes on: the stores still need closing
            log.exception("the last analytics step could not be published")

    def health(self) -> dict[str, Any]:
        connected = self.ingest is not None and self.ingest.connected.is_set()
        return {
            "mqtt_connected": connected,
            "store_connected": self.store is not None and self.store.connected,
            "venues": [v.id for v in self.venues],
            "ingest": self.metrics.snapshot(),
            "history_writes": history_write_counts(self.alarms, self.commands),
        }
