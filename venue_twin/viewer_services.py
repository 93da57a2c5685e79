"""The viewer's hub and replay sessions, sized by the settings: the platform's and the mirror's."""

from __future__ import annotations

from ingest.store.base import Store
from twin.service import TwinService
from venue_twin.settings import Settings
from viewer.hub import Hub
from viewer.replay_sessions import ReplaySessions
from viewer.sources import AlarmSource, AnalyticsSource, CommandSource

__all__ = ["hub_and_replays"]


def hub_and_replays(
    s: Settings,
    twin: TwinService,
    store: Store,
    *,
    alarms: AlarmSource,
    commands: CommandSource,
    analytics: AnalyticsSource,
) -> tuple[Hub, ReplaySessions]:
    """The WebSocket hub over ``twin`` and the replay sessions that read ``store`` into it."""
    hub = Hub(twin, alarms=alarms, commands=commands, analytics=analytics, tick_hz=s.ws_tick_hz)
    replays = ReplaySessions(
        store, twin.venues, hub, max_sessions=s.replay_max_sessions, idle_s=s.replay_idle_s
    )
    return hub, replays
