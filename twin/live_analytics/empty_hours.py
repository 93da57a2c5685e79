"""A venue's known-empty hours (closing time) in its own time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from twin.analytics.crowd import InvalidInput

__all__ = ["EmptyHours"]


class EmptyHours:
    """``(start, end)`` local hours during which every zone is known empty.

    A window such as ``(18, 8)`` runs over midnight.
    """

    def __init__(self, venue_id: str, hours: tuple[float, float], timezone: str) -> None:
        start, end = hours
        if not (0.0 <= start <= 24.0 and 0.0 <= end <= 24.0 and start != end):
            raise InvalidInput(f"venue {venue_id!r}: bad empty_hours {hours}")
        try:
            self._tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidInput(
                f"venue {venue_id!r}: empty_hours need a known time zone, not {timezone!r}"
            ) from exc
        self._start, self._end = start, end

    def contains(self, ts: float) -> bool:
        """Whether the device time ``ts`` (epoch s) falls in the empty hours."""
        local = datetime.fromtimestamp(ts, self._tz)
        hour = local.hour + local.minute / 60.0 + local.second / 3600.0
        start, end = self._start, self._end
        return start <= hour < end if start <= end else hour >= start or hour < end
