"""Wiring of ``venue-twin viewer``: a viewer that mirrors the twin from the broker.

It runs no ingest, analytics, alarms or commands: the twin (``venue-twin
serve``) publishes its state on ``venues/{venue}/twin/...`` and this process
serves it with the same REST + WebSocket API and browser app. History,
alarm and command history and replay read the shared store; nothing here
writes readings.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import time
from typing import Any

from fastapi import FastAPI

from ingest.contract import Topics
from ingest.mqtt_settings import MqttSettings
from ingest.store import open_store
from twin.alarm_stores import open_alarm_store
from twin.service import TwinService
from venue_twin.auth_setup import build_authenticator
from venue_twin.service_group import ServiceGroup
from venue_twin.settings import Settings
from venue_twin.venue_refs import resolve_venue
from venue_twin.viewer_services import hub_and_replays
from venue_twin.wiring import Progress
from viewer.app import ViewerContext, create_app
from viewer.hub import Hub
from viewer.mirror import Mirror
from viewer.mirror_client import MirrorClient
from viewer.mirror_gate import MirrorGate
from viewer.mirror_views import MirrorAlarms, MirrorAnalytics, MirrorCommands

__all__ = ["MirrorPlatform", "default_mirror_client_id"]

# A twin that published nothing for this many snapshot periods is taken as down.
_SILENT_PERIODS = 3.0


def default_mirror_client_id() -> str:
    """``venue-twin-viewer-{host}-{pid}``: distinct per process, valid as a topic level."""
    host = re.sub(r"[^A-Za-z0-9_.-]", "-", socket.gethostname())[:40]
    return f"venue-twin-viewer-{host}-{os.getpid()}"


class MirrorPlatform(ServiceGroup):
    """The mirror viewer's services; ``app`` is ready after ``__aenter__``."""

    def __init__(
        self,
        settings: Settings,
        *,
        mqtt: MqttSettings | None = None,
        progress: Progress = lambda _msg: None,
    ) -> None:
        super().__init__()
        self.settings = settings
        client_id = settings.mirror_client_id or default_mirror_client_id()
        self.mqtt = mqtt or settings.mqtt.to_client(client_id)
        self._progress = progress
        self.venues = [resolve_venue(ref) for ref in settings.venues]
        self.twin = TwinService(self.venues)
        self.auth = build_authenticator(settings.auth)
        self.client = MirrorClient(
            self.mqtt,
            Topics(settings.topic_prefix),
            [v.id for v in self.venues],
            client_id=client_id,
            action_timeout_s=settings.mirror_action_timeout_s,
            twin_silence_s=_SILENT_PERIODS * settings.state_snapshot_s,
        )
        url = settings.store_url.get_secret_value()
        # Built here, opened in __aenter__; read for history, replay and alarm history.
        self.store = open_store(url)
        self.alarm_store = open_alarm_store(url)
        self.alarms = MirrorAlarms(self.client, self.alarm_store)
        self.commands = MirrorCommands(self.client, self.alarm_store)
        self.analytics = MirrorAnalytics(self.venues)
        self.mirror = Mirror(
            self.twin,
            self.alarms,
            self.commands,
            self.analytics,
            resync=self.client.request_resync,
        )
        self.client.mirror = self.mirror
        self.hub: Hub | None = None
        self.app: FastAPI | None = None

    async def __aenter__(self) -> MirrorPlatform:
        s = self.settings
        try:
            store, alarm_store = self.store, self.alarm_store
            await store.open()
            self._stack.push_async_callback(store.close)
            await alarm_store.open()
            self._stack.push_async_callback(alarm_store.close)
            self._progress("store ready (history, replay)")

            hub, replays = hub_and_replays(
                s,
                self.twin,
                store,
                alarms=self.alarms,
                commands=self.commands,
                analytics=self.analytics,
            )
            self.hub = hub
            await self._stack.enter_async_context(self.client)
            self._progress(
                f"mirroring venues/+/twin/ on mqtt://{self.mqtt.host}:{self.mqtt.port} "
                f"as {self.client.client_id}"
            )
            self._spawn(hub.run(), "viewer-hub")
            self._spawn(replays.run(), "replay-reaper")
            app = create_app(
                ViewerContext(
                    twin=self.twin,
                    store=store,
                    hub=hub,
                    health=self.health,
                    auth=self.auth,
                    alarms=self.alarms,
                    alarm_store=alarm_store,
                    commands=self.commands,
                    command_store=alarm_store,
                    analytics=self.analytics,
                    replays=replays,
                    allowed_origins=list(s.allowed_origins),
                )
            )
            app.add_middleware(
                MirrorGate, ready=self.mirror.ready, venues=[v.id for v in self.venues]
            )
            self.app = app
        except BaseException:
            await self.__aexit__(None, None, None)
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._stack.aclose()

    def health(self) -> dict[str, Any]:
        return {
            "mode": "mirror",
            "mqtt_connected": self.client.connected.is_set(),
            "mqtt_client_id": self.client.client_id,
            "venues": [v.id for v in self.venues],
            "mirror": self.mirror.status(time.time()),
            "mirror_client": vars(self.client.stats),
        }
