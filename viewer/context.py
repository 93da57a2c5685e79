"""Everything the viewer's routes read from: the twin, stores, services and auth."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry

from ingest.adapters.base import DeviceHealth
from ingest.store.base import Store
from twin.alarms import AlarmStore
from twin.commands import CommandStore
from twin.geometry.export import GlbCache
from twin.service import TwinService
from viewer.auth import Authenticator
from viewer.hub import Hub
from viewer.replay_sessions import ReplaySessions
from viewer.sources import AlarmSource, AnalyticsSource, CommandSource

__all__ = ["ViewerContext", "default_static_dir"]


def default_static_dir() -> Path:
    return Path(str(resources.files("viewer") / "static"))


@dataclass
class ViewerContext:
    """The viewer owns no model: these are the services it translates to HTTP.

    Services left ``None`` answer 503 on their endpoints (e.g. a bare hub in a
    benchmark has no alarms).
    """

    twin: TwinService
    store: Store
    hub: Hub
    health: Callable[[], dict[str, Any]]
    auth: Authenticator
    alarms: AlarmSource | None = None
    alarm_store: AlarmStore | None = None
    commands: CommandSource | None = None
    command_store: CommandStore | None = None
    analytics: AnalyticsSource | None = None
    replays: ReplaySessions | None = None
    metrics_registry: CollectorRegistry | None = None
    static_dir: Path | None = None
    glb_cache: GlbCache = field(default_factory=GlbCache)
    allowed_origins: list[str] = field(default_factory=list)
    # Radio and battery facts payload adapters keep per sensor (venue -> sensor -> health).
    device_health: Callable[[str], Mapping[str, DeviceHealth]] | None = None
