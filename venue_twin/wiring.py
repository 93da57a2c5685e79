"""Service wiring: builds the store, ingest, twin and viewer from settings.

Nothing here connects at import time; :class:`Platform` opens everything in
``__aenter__`` and closes it in reverse order in ``__aexit__``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from ingest.adapters import AdapterDecoder
from ingest.contract import Topics
from ingest.decode import DecodeLimits, Decoder
from ingest.metrics import IngestMetrics
from ingest.mqtt_settings import MqttSettings
from ingest.service import IngestService
from ingest.store import open_store
from ingest.store.base import Store, StoreUnavailable
from ingest.store.spool import Spool
from ingest.store.writer import BatchWriter
from twin.alarm_stores import open_alarm_store
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import AlarmManager
from twin.commands import CommandSender, CommandTracker
from twin.live_analytics import AnalyticsConfig, AnalyticsService
from twin.loader import VenueFileError, load_sample, load_venue
from twin.replica import StatePublisher
from twin.service import TwinService
from twin.threshold_alarms import ThresholdAlarms
from twin.venue import SensorKind, Venue
from venue_twin.http_server import serve_http
from venue_twin.runner import UsageError
from venue_twin.settings import AuthConfig, Settings
from venue_twin.shutdown_watch import watch_shutdown
from venue_twin.wiring_adapters import adapter_specs, with_adapters
from viewer.analytics_view import AnalyticsView
from viewer.app import ViewerContext, create_app
from viewer.auth import Authenticator
from viewer.hub import Hub
from viewer.replay_sessions import ReplaySessions
from viewer.tokens import TokenError, TokenSigner, load_or_create_secret
from viewer.users import UsersError, UsersFile

__all__ = [
    "AuthSetupError",
    "Platform",
    "StartupCancelled",
    "build_authenticator",
    "resolve_venue",
    "serve_http",
]

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

# How often a platform waiting for its database at start-up says so.
_STORE_WAIT_REPORT_S = 5.0


def resolve_venue(ref: str) -> Venue:
    """``sample:NAME`` for a shipped venue, else a path to a venue file."""
    if ref.startswith("sample:"):
        return load_sample(ref.removeprefix("sample:"))
    return load_venue(Path(ref))


def command_venue(ref: str | None, settings: Settings) -> Venue:
    """The venue a command works on: ``--venue``, else the first configured one.

    A venue file that cannot be read is the user's to fix: a usage error.
    """
    try:
        return resolve_venue(ref or settings.venues[0])
    except VenueFileError as exc:
        raise UsageError(str(exc)) from exc


class AuthSetupError(ValueError):
    """The auth settings cannot work (no users file, unreadable secret...)."""


class StartupCancelled(Exception):
    """``stop`` was set while the platform was still starting (waiting for its database)."""


def build_authenticator(cfg: AuthConfig) -> Authenticator:
    """The authenticator the settings describe; checks the users file at once."""
    if not cfg.enabled:
        log.warning("authentication is disabled: anyone who reaches the viewer is an admin")
        return Authenticator(None, None)
    if cfg.users_file is None:
        raise AuthSetupError(
            "authentication is on but auth.users_file is not set; create users with "
            "`venue-twin user add NAME --role admin --users-file FILE` and set "
            "VENUE_TWIN_AUTH__USERS_FILE=FILE (or auth.enabled: false for a closed network)"
        )
    users = UsersFile(cfg.users_file)
    try:
        if not users.users():
            raise AuthSetupError(
                f"{cfg.users_file} has no users; add one with "
                f"`venue-twin user add NAME --role admin --users-file {cfg.users_file}`"
            )
        if cfg.secret is not None:
            secret = cfg.secret.get_secret_value().encode()
        elif cfg.secret_file is not None:
            secret = load_or_create_secret(cfg.secret_file)
        else:
            # Tokens then die with the process: fine, users log in again.
            log.warning("no auth.secret or auth.secret_file: tokens end at restart")
            secret = secrets.token_bytes(32)
        signer = TokenSigner(secret)
    except (UsersError, TokenError, OSError) as exc:
        raise AuthSetupError(str(exc)) from exc
    return Authenticator(users, signer, token_ttl_s=cfg.token_ttl_s)


class Platform:
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
        self._tasks: list[asyncio.Task[None]] = []
        self._stack = contextlib.AsyncExitStack()

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.append(asyncio.create_task(coro, name=name))

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
                await self._wait_for_store(store, url)
            seeded = 0
            if store.connected:
                self._progress(f"store ready ({_redact(url)})")
                seeded = await self._seed_twin(store)
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
            self._stack.push_async_callback(_flush_history, alarms, commands)
            analytics = self.analytics = AnalyticsService(
                self.venues,
                alarms,
                commands,
                config=AnalyticsConfig(empty_hours=s.empty_hours),
                venue_clock=self.twin.clock.now,
            )
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
            hub = self.hub = Hub(
                self.twin,
                alarms=alarms,
                commands=commands,
                analytics=self.analytics_view,
                tick_hz=s.ws_tick_hz,
            )
            replays = self.replays = ReplaySessions(
                store,
                self.twin.venues,
                hub,
                max_sessions=s.replay_max_sessions,
                idle_s=s.replay_idle_s,
            )
            rules = sum(len(v.rules) for v in self.venues)
            self._progress(
                f"analytics ready: {rules} rules, {open_alarms} open alarms and "
                f"{seeded} latest values restored"
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

            limits = DecodeLimits(
                max_payload_bytes=s.max_payload_bytes,
                max_future_s=s.max_future_s,
                max_age_s=s.max_age_s,
            )
            decoder = Decoder(
                topics,
                limits=limits,
                known_venue=self.twin.knows,
                known_sensor=self.twin.knows,
                policy=s.unknown_sensors,
                tracker_sensor=_trackers(self.venues),
            )
            ingest_decoder, adapter_filters = with_adapters(
                decoder, topics, adapter_specs(s.adapters, self.venues), self.twin.venues, limits
            )
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

    async def _wait_for_store(self, store: Store, url: str) -> None:
        """Wait for a database that is down at start-up, saying so every few seconds.

        Raises :class:`StartupCancelled` if ``stop`` is set meanwhile, and
        :class:`~ingest.store.base.StoreMisconfigured` if the database answers
        but refuses the settings.
        """
        from ingest.store.postgres import server_address  # psycopg: only when needed

        where, started = server_address(url), time.monotonic()
        while True:
            log.warning(
                "database at %s unreachable, retrying... (waiting %.0f s%s)",
                where,
                time.monotonic() - started,
                "; Ctrl-C to stop" if self._stop is not None else "",
            )
            waiter = asyncio.ensure_future(store.wait_connected(timeout=_STORE_WAIT_REPORT_S))
            waits: set[asyncio.Future[Any]] = {waiter}
            if self._stop is not None:
                waits.add(asyncio.ensure_future(self._stop.wait()))
            _, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for p in pending:
                p.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            if self._stop is not None and self._stop.is_set():
                raise StartupCancelled(f"stopped while waiting for the database at {where}")
            if waiter.result():
                return

    async def _seed_twin(self, store: Store) -> int:
        """The twin resumes from the last stored values, not from blank; returns how many."""
        seeded = 0
        try:
            for venue in self.venues:
                latest = await store.latest(venue.id)
                self.twin.apply_readings(latest)
                seeded += len(latest)
        except StoreUnavailable as exc:
            log.warning("the twin starts blank: its latest values could not be read (%s)", exc)
        return seeded

    def health(self) -> dict[str, Any]:
        connected = self.ingest is not None and self.ingest.connected.is_set()
        return {
            "mqtt_connected": connected,
            "store_connected": self.store is not None and self.store.connected,
            "venues": [v.id for v in self.venues],
            "ingest": self.metrics.snapshot(),
            # History writes waiting for the database, and any given up on.
            "history_writes": {
                name: {"waiting": tracker.writes.pending, "dropped": tracker.writes.dropped}
                for name, tracker in (("alarms", self.alarms), ("commands", self.commands))
                if tracker is not None
            },
        }


async def _flush_history(alarms: AlarmManager, commands: CommandTracker) -> None:
    for tracker in (alarms, commands):
        if not await tracker.writes.flush():
            log.error(
                "%d %s history writes could not be stored before shutdown",
                tracker.writes.pending,
                "alarm" if tracker is alarms else "command",
            )


def _trackers(venues: list[Venue]) -> Callable[[str, str], bool]:
    """Which sensors may send positions: the venues' ``people_tracker`` sensors."""
    ids = {(v.id, s.id) for v in venues for s in v.sensors if s.kind is SensorKind.PEOPLE_TRACKER}
    return lambda venue, sensor: (venue, sensor) in ids


def _redact(url: str) -> str:
    """A store URL without its password, for printing."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    cred, host = rest.rsplit("@", 1)
    user = cred.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
