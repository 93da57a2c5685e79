"""A viewer wired to in-memory stores and a fake command publisher, for the viewer tests.

No tests here: the rig the ``test_viewer_*`` modules share.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import websockets
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from ingest.contract import Command
from ingest.store.memory import MemoryStore
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import AlarmManager
from twin.commands import CommandTracker
from twin.loader import load_sample
from twin.service import TwinService
from twin.venue import Venue
from viewer.analytics_view import AnalyticsView
from viewer.app import ViewerContext, create_app
from viewer.auth import Authenticator
from viewer.hub import Hub
from viewer.replay_sessions import ReplaySessions
from viewer.roles import Role
from viewer.tokens import TokenSigner
from viewer.users import UsersFile

__all__ = [
    "PASSWORDS",
    "FakePublisher",
    "Rig",
    "V",
    "app_of",
    "login_token",
    "make_rig",
    "subscribed_ws",
]

V = "museum-wing"
PASSWORDS = {
    "ada": ("viewer", "viewer-pass-1"),
    "olga": ("operator", "operator-pass-1"),
    "enzo": ("engineer", "engineer-pass-1"),
    "root": ("admin", "admin-pass-123"),
}


class FakePublisher:
    def __init__(self) -> None:
        self.sent: list[Command] = []

    async def publish(self, command: Command) -> None:
        self.sent.append(command)


@dataclass
class Rig:
    ctx: ViewerContext
    twin: TwinService
    store: MemoryStore
    alarm_store: MemoryAlarmStore
    alarms: AlarmManager
    commands: CommandTracker
    publisher: FakePublisher
    hub: Hub
    replays: ReplaySessions
    analytics: AnalyticsView

    async def open(self) -> None:
        """Open the memory stores (from async code, where make_rig cannot)."""
        await self.store.open()
        await self.alarm_store.open()


def make_rig(
    tmp: Path,
    *,
    auth: bool = True,
    max_sessions: int = 8,
    allowed_origins: list[str] | None = None,
    venue: Venue | None = None,
    client_queue: int = 64,
    clock: Callable[[], float] = time.time,
    recheck_s: float = 2.0,
) -> Rig:
    users = UsersFile(tmp / "users.yaml")
    for name, (role, password) in PASSWORDS.items():
        users.add(name, Role(role), password)
    authn = (
        Authenticator(users, TokenSigner(b"0123456789abcdef-test"), token_ttl_s=60.0, clock=clock)
        if auth
        else Authenticator(None, None)
    )
    venue = venue or load_sample(V)
    twin = TwinService([venue])
    store = MemoryStore()
    alarm_store = MemoryAlarmStore()
    alarms = AlarmManager(alarm_store)
    publisher = FakePublisher()
    commands = CommandTracker(alarm_store, publisher)
    analytics = AnalyticsView([venue])
    hub = Hub(
        twin,
        alarms=alarms,
        commands=commands,
        analytics=analytics,
        tick_hz=20,
        client_queue=client_queue,
        recheck_s=recheck_s,
    )
    replays = ReplaySessions(store, twin.venues, hub, max_sessions=max_sessions)
    ctx = ViewerContext(
        twin=twin,
        store=store,
        hub=hub,
        health=lambda: {"mqtt_connected": True},
        auth=authn,
        alarms=alarms,
        alarm_store=alarm_store,
        commands=commands,
        command_store=alarm_store,
        analytics=analytics,
        replays=replays,
        metrics_registry=CollectorRegistry(),
        allowed_origins=allowed_origins or [],
    )
    rig = Rig(ctx, twin, store, alarm_store, alarms, commands, publisher, hub, replays, analytics)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        # Opening the memory stores only sets a flag: no event loop is bound here.
        asyncio.run(rig.open())
    return rig


def app_of(rig: Rig) -> FastAPI:
    return create_app(rig.ctx)


async def login_token(port: int, name: str) -> str:
    """A token for one of the rig's users from a real server on ``port``."""

    def login() -> str:
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/auth/login",
            data=json.dumps({"username": name, "password": PASSWORDS[name][1]}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as res:
            token: str = json.load(res)["token"]
        return token

    return await asyncio.to_thread(login)


async def subscribed_ws(port: int, token: str, venue: str, **kw: Any) -> Any:
    """A WebSocket client authenticated and subscribed to ``venue``, past its snapshot."""
    ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws", compression=None, **kw)
    await ws.send(json.dumps({"type": "auth", "token": token}))
    assert json.loads(await ws.recv())["type"] == "hello"
    await ws.send(json.dumps({"type": "subscribe", "venue": venue}))
    assert json.loads(await ws.recv())["type"] == "snapshot"
    return ws
