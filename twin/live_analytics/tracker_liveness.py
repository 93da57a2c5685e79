"""Whether a people tracker is sending: offline after a few of its own frame intervals.

A tracker that stops sending (power, network, a reboot) must not read as "nobody
crossed": its crossing channels and its direct count become unknown instead
(docs/crowd.md, "A tracker goes offline"). Offline is judged from the tracker's
own frame rate, not a fixed timeout: the median gap between its last
``_GAPS`` messages (the venue file's ``interval_s`` until two have come), and
no message for ``OFFLINE_INTERVALS`` of those gaps, at least ``MIN_OFFLINE_S``
(readings reach the analytics in batches, so a fast tracker's last frame can
be a second or two behind the newest reading). Gaps longer than that are
outages and are not taken for the frame rate.

State per tracker: the last message time, when its present stretch of
messages began, and ``_GAPS`` gaps.
"""

from __future__ import annotations

import statistics
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["MIN_OFFLINE_S", "OFFLINE_INTERVALS", "TrackerLiveness"]

OFFLINE_INTERVALS = 3.0
MIN_OFFLINE_S = 5.0
_GAPS = 15


@dataclass(slots=True)
class _Seen:
    declared_s: float
    last: float | None = None
    since: float | None = None  # first message after the latest outage
    gaps: deque[float] = field(default_factory=lambda: deque(maxlen=_GAPS))


class TrackerLiveness:
    """Online / offline per tracker from the times of its messages (device time)."""

    def __init__(self, declared_interval_s: Mapping[str, float]) -> None:
        self._seen = {s: _Seen(max(float(iv), 1e-3)) for s, iv in declared_interval_s.items()}

    def interval_s(self, sensor: str) -> float:
        """The tracker's frame interval: median recent gap, else the declared one."""
        s = self._seen[sensor]
        return statistics.median(s.gaps) if s.gaps else s.declared_s

    def timeout_s(self, sensor: str) -> float:
        """Silence after which the tracker counts as offline."""
        return max(OFFLINE_INTERVALS * self.interval_s(sensor), MIN_OFFLINE_S)

    def seen(self, sensor: str, ts: float) -> bool:
        """A message at ``ts``; True when it ends an outage (or is the first)."""
        s = self._seen.get(sensor)
        if s is None:
            return False
        if s.last is None:
            s.last = s.since = ts
            return True
        if ts <= s.last:
            return False  # the count and positions of one frame, or a late message
        gap = ts - s.last
        back = gap > self.timeout_s(sensor)
        if back:
            s.since = ts
        else:
            s.gaps.append(gap)
        s.last = ts
        return back

    def online(self, sensor: str, now: float) -> bool:
        s = self._seen[sensor]
        return s.last is not None and now - s.last <= self.timeout_s(sensor)

    def covered(self, sensor: str, start: float, now: float) -> bool:
        """Online at ``now`` and sending since ``start`` (give or take one interval)."""
        s = self._seen[sensor]
        return (
            self.online(sensor, now)
            and s.since is not None
            and s.since <= start + self.interval_s(sensor)
        )
