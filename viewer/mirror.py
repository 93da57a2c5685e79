"""A mirror of the twin's published state, kept in step by ``seq``.

:class:`Mirror` applies the twin's snapshots and deltas (already decoded) to a
real :class:`~twin.service.TwinService` and to the mirrored alarms, commands
and analytics, so the hub and the REST routes serve it as they serve the twin.
Deltas must follow each other (``seq`` + 1 within one ``epoch``); a gap or a
new epoch makes the venue stale until the next snapshot, and asks for one.
Pure apart from the ``resync`` callback: the MQTT side is in :mod:`viewer.mirror_client`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from twin.replica.codec import (
    DeltaMsg,
    SnapshotMsg,
    alarm_from_wire,
    command_from_wire,
    sensor_from_wire,
)
from twin.service import TwinService
from viewer.mirror_views import MirrorAlarms, MirrorAnalytics, MirrorCommands

__all__ = ["Mirror", "VenueSync"]

ResyncRequester = Callable[[str, str], None]  # (venue, reason)


@dataclass
class VenueSync:
    """Where one venue's mirror stands."""

    epoch: str | None = None
    seq: int = -1
    synced: bool = False
    snapshot_at: float | None = None  # the twin's published_at of the last snapshot
    received_at: float | None = None  # local time of the last message from the twin
    snapshots: int = 0
    deltas: int = 0
    gaps: int = 0
    last_resync_request: float = float("-inf")


class Mirror:
    def __init__(
        self,
        twin: TwinService,
        alarms: MirrorAlarms,
        commands: MirrorCommands,
        analytics: MirrorAnalytics,
        *,
        resync: ResyncRequester,
        resync_interval_s: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.twin = twin
        self.alarms = alarms
        self.commands = commands
        self.analytics = analytics
        self._resync = resync
        self._resync_interval = resync_interval_s
        self._clock = clock
        self.sync = {vid: VenueSync() for vid in twin.venues}

    def ready(self, venue: str) -> bool:
        """Whether a snapshot of ``venue`` has arrived (state endpoints answer 503 before)."""
        s = self.sync.get(venue)
        return s is not None and s.snapshots > 0

    def on_snapshot(self, msg: SnapshotMsg, *, retained: bool = False) -> bool:
        """Apply a full snapshot; False if it is older than what is applied.

        ``retained``: the broker's stored copy, delivered at (re)subscription.
        It may be up to the twin's snapshot period old, and the deltas published
        since went to no one, so it is served (better than nothing) but the venue
        is not synchronised until the twin answers a resync with a fresh one.
        """
        s = self.sync.get(msg.venue)
        if s is None:
            return False
        now = s.received_at = self._clock()
        if s.synced and msg.epoch == s.epoch and msg.seq < s.seq:
            return False  # e.g. a retained copy overtaken by the deltas that followed it
        venue = msg.venue
        self.twin.apply_mirrored(venue, [sensor_from_wire(k, w) for k, w in msg.sensors.items()])
        self.alarms.replace(venue, [alarm_from_wire(a) for a in msg.alarms])
        self.commands.replace(venue, [command_from_wire(c) for c in msg.commands])
        self.analytics.set_body(venue, msg.analytics)
        s.epoch, s.seq, s.synced = msg.epoch, msg.seq, not retained
        s.snapshot_at = msg.published_at
        s.snapshots += 1
        if retained:
            self._ask(venue, s, now, "retained snapshot")
        return True

    def on_delta(self, msg: DeltaMsg) -> bool:
        """Apply the next delta; False (and maybe a resync request) otherwise."""
        s = self.sync.get(msg.venue)
        if s is None:
            return False
        now = self._clock()
        s.received_at = now
        if not s.synced or msg.epoch != s.epoch:
            self._ask(msg.venue, s, now, "new epoch" if s.synced else "not synchronised")
            s.synced = False
            return False
        if msg.seq <= s.seq:
            return False  # QoS 1 delivered it twice
        if msg.seq != s.seq + 1:
            s.synced = False
            s.gaps += 1
            self._ask(msg.venue, s, now, f"gap: had {s.seq}, got {msg.seq}")
            return False
        venue = msg.venue
        if msg.sensors:
            self.twin.apply_mirrored(
                venue, [sensor_from_wire(k, w) for k, w in msg.sensors.items()]
            )
        for a in msg.alarms:
            self.alarms.update(alarm_from_wire(a))
        for c in msg.commands:
            self.commands.update(command_from_wire(c))
        if msg.analytics:
            self.analytics.apply_changes(venue, msg.analytics)
        s.seq = msg.seq
        s.deltas += 1
        return True

    def status(self, now: float) -> dict[str, Any]:
        """Per venue: seq, synchronised, age of the last snapshot (for /api/health)."""
        return {
            vid: {
                "seq": s.seq,
                "synced": s.synced,
                "snapshot_age_s": None if s.snapshot_at is None else max(0.0, now - s.snapshot_at),
                "gaps": s.gaps,
            }
            for vid, s in self.sync.items()
        }

    def silent_for(self, venue: str, now: float) -> float | None:
        """Seconds since the twin last published anything for ``venue`` (None: never)."""
        s = self.sync.get(venue)
        if s is None or s.received_at is None:
            return None
        return max(0.0, now - s.received_at)

    def _ask(self, venue: str, s: VenueSync, now: float, reason: str) -> None:
        # Many deltas may arrive before the snapshot: one request per interval is enough.
        if now - s.last_resync_request >= self._resync_interval:
            s.last_resync_request = now
            self._resync(venue, reason)
