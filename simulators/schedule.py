"""Opening hours and the day profile of visitor arrivals, in venue-local time."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from simulators.errors import ScheduleError

__all__ = ["DaySchedule", "LocalTime", "parse_hour", "shift_to_hour"]

_HM = r"(\d{1,2}):(\d{2})"  # one time of day, HH:MM
_HOURS = re.compile(rf"^\s*{_HM}\s*-\s*{_HM}\s*$")
_HOUR = re.compile(rf"^\s*{_HM}\s*$")


@dataclass(frozen=True)
class DaySchedule:
    """When the venue is open and how arrivals spread over the day.

    The arrival rate is a flat base plus a Gaussian bump at ``peak_h`` (a midday
    peak by default), scaled so that one open day brings ``daily_visitors`` on
    average. Admission stops ``last_admission_min`` before closing; at closing
    everyone still inside heads for the exit. A venue open 00:00-24:00 never
    closes: admission goes on through midnight.
    """

    opens_h: float = 9.0
    closes_h: float = 17.0
    peak_h: float | None = None
    peak_width_h: float = 1.5
    peak_gain: float = 2.0
    daily_visitors: float | None = None
    group_share: float = 0.25
    group_size: tuple[int, int] = (10, 30)
    last_admission_min: float = 45.0
    closed_weekdays: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if not 0.0 <= self.opens_h < self.closes_h <= 24.0:
            raise ScheduleError(f"opening hours {self.opens_h}-{self.closes_h} are not a day span")
        if not 0.0 <= self.group_share <= 1.0:
            raise ScheduleError("group_share must be within 0..1")
        lo, hi = self.group_size
        if not 2 <= lo <= hi:
            raise ScheduleError(f"group_size {self.group_size} must satisfy 2 <= low <= high")
        if self.daily_visitors is not None and self.daily_visitors < 0:
            raise ScheduleError("daily_visitors cannot be negative")

    @classmethod
    def parse(cls, hours: str, **kwargs: object) -> DaySchedule:
        """``"09:00-17:00"`` (``"00:00-24:00"`` for always open) plus field overrides."""
        m = _HOURS.match(hours)
        if m is None:
            raise ScheduleError(f"opening hours must look like 09:00-17:00, got {hours!r}")
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if m1 >= 60 or m2 >= 60:
            raise ScheduleError(f"bad minutes in {hours!r}")
        return cls(opens_h=h1 + m1 / 60.0, closes_h=h2 + m2 / 60.0, **kwargs)  # type: ignore[arg-type]

    @property
    def peak(self) -> float:
        """Hour of the arrival peak: given, or a little after the middle of the day."""
        if self.peak_h is not None:
            return self.peak_h
        return self.opens_h + 0.45 * (self.closes_h - self.opens_h)

    @property
    def always_open(self) -> bool:
        return self.opens_h == 0.0 and self.closes_h == 24.0

    @property
    def admission_ends_h(self) -> float:
        if self.always_open:  # no closing, so no last admission before midnight
            return self.closes_h
        return max(self.opens_h, self.closes_h - self.last_admission_min / 60.0)

    def is_open(self, local_hour: float, weekday: int = 0) -> bool:
        if weekday in self.closed_weekdays:
            return False
        return self.opens_h <= local_hour < self.closes_h

    def _shape(self, hour: np.ndarray | float) -> np.ndarray:
        h = np.asarray(hour, dtype=float)
        bump = np.exp(-0.5 * ((h - self.peak) / self.peak_width_h) ** 2)
        inside = (h >= self.opens_h) & (h < self.admission_ends_h)
        return np.where(inside, 1.0 + self.peak_gain * bump, 0.0)

    @cached_property
    def _day_integral_h(self) -> float:
        """Integral of the shape over a day, in hours (so rate = daily * shape / this / 3600)."""
        n = 2880
        grid = (np.arange(n) + 0.5) * (24.0 / n)
        return float(self._shape(grid).sum() * (24.0 / n))

    def arrival_rate(self, local_hour: float, weekday: int, daily_visitors: float) -> float:
        """Expected visitor arrivals per second at this local time."""
        if weekday in self.closed_weekdays:
            return 0.0
        integral = self._day_integral_h
        if integral <= 0.0:
            return 0.0
        return float(daily_visitors * self._shape(local_hour) / integral / 3600.0)


def shift_to_hour(timezone: str, ts: float, hour: float) -> float:
    """Seconds to add to ``ts`` so that it falls at local ``hour`` of the venue's day.

    The shift lies within half a day either way, so the weekday moves at most one.
    """
    if not 0.0 <= hour < 24.0:
        raise ScheduleError(f"hour of day must be within 0..24, got {hour}")
    now_h, _ = LocalTime(timezone).at(ts)
    delta_h = (hour - now_h + 12.0) % 24.0 - 12.0
    return delta_h * 3600.0


def parse_hour(text: str) -> float:
    """``"11:00"`` as 11.0."""
    m = _HOUR.match(text)
    if m is None or int(m.group(1)) > 23 or int(m.group(2)) >= 60:
        raise ScheduleError(f"a local hour must look like 11:00, got {text!r}")
    return int(m.group(1)) + int(m.group(2)) / 60.0


class LocalTime:
    """Venue-local hour of day and weekday for UTC epoch seconds (cached per hour).

    ``shift_s`` moves the venue's day against the clock: a demo started at
    03:00 can run its visitors, lamps and daylight as if it were 11:00 while
    its readings keep the real time.
    """

    def __init__(self, timezone: str, shift_s: float = 0.0) -> None:
        try:
            self._tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ScheduleError(f"unknown time zone {timezone!r}") from exc
        self._shift = float(shift_s)
        self._hour_start = math.nan
        self._hour_local = 0.0
        self._weekday = 0

    def at(self, ts: float) -> tuple[float, int]:
        """``(hour of day as float, weekday 0=Monday)``."""
        ts += self._shift
        base = math.floor(ts / 3600.0) * 3600.0
        if base != self._hour_start:
            # Offsets change on whole hours or half hours at worst; recomputing once
            # per UTC hour is exact for whole-hour zones and close enough otherwise.
            dt = datetime.fromtimestamp(base, self._tz)
            self._hour_start = base
            self._hour_local = dt.hour + dt.minute / 60.0
            self._weekday = dt.weekday()
        return self._hour_local + (ts - base) / 3600.0, self._weekday
