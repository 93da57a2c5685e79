"""What a report reads: downsampled history from the store, sorted, and the alarms.

History comes through :func:`twin.history.read_history` (the conservation
report's reader too) as ``Store.downsampled`` buckets (min/max/mean/count,
oldest first: the continuous aggregates on TimescaleDB, ``date_bin`` on plain
PostgreSQL, one indexed range scan per sensor on SQLite), so a month of 100
sensors is about a million buckets however often the sensors report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from ingest.store.base import Store
from reports.compute import Series
from twin.alarms import Alarm, AlarmStore
from twin.history import read_history
from twin.venue import SensorKind, Venue

__all__ = ["ReportData", "ReportError", "Scope", "bucket_width", "load_report_data"]

WARM_UP_S = 30 * 86400.0  # history before the period, for the 30-day moving average
MAX_ALARMS = 5000


class ReportError(ValueError):
    """The report cannot be made as asked (unknown zone, empty period)."""


@dataclass(frozen=True, slots=True)
class Scope:
    """The whole venue, one zone, or one artefact (its zone's climate and its light)."""

    zone: str | None = None
    artefact: str | None = None

    def zones(self, venue: Venue) -> list[str]:
        if self.artefact is not None:
            found = next((a for a in venue.artefacts if a.id == self.artefact), None)
            if found is None:
                raise ReportError(f"venue {venue.id!r} has no artefact {self.artefact!r}")
            return [found.zone]
        if self.zone is not None:
            if self.zone not in {z.id for z in venue.zones}:
                raise ReportError(f"venue {venue.id!r} has no zone {self.zone!r}")
            return [self.zone]
        return [z.id for z in venue.zones]


@dataclass(slots=True)
class ReportData:
    venue: Venue
    start: float
    end: float
    scope: Scope
    width_s: float
    series: dict[str, Series] = field(default_factory=dict)
    history: dict[str, Series] = field(default_factory=dict)
    alarms: list[Alarm] = field(default_factory=list)

    @property
    def zones(self) -> list[str]:
        return self.scope.zones(self.venue)

    def tz_offset_s(self) -> float:
        """The venue's UTC offset in the middle of the period (for calendar days)."""
        try:
            zone = ZoneInfo(self.venue.timezone)
        except (KeyError, ValueError):
            return 0.0
        mid = dt.datetime.fromtimestamp((self.start + self.end) / 2, zone)
        offset = mid.utcoffset()
        return offset.total_seconds() if offset is not None else 0.0


def bucket_width(start: float, end: float) -> float:
    """1 min up to two days, 5 min up to 45 days, else 1 h."""
    span = end - start
    if span <= 2 * 86400:
        return 60.0
    if span <= 45 * 86400:
        return 300.0
    return 3600.0


async def _series(
    store: Store, venue: str, sensor: str, start: float, end: float, w: float
) -> Series:
    h = await read_history(store, venue, sensor, start, end, width_s=w)
    return Series(h.ts, h.value, h.count, w)


async def load_report_data(
    store: Store,
    alarm_store: AlarmStore | None,
    venue: Venue,
    start: float,
    end: float,
    scope: Scope | None = None,
    *,
    width_s: float | None = None,
) -> ReportData:
    if not end > start:
        raise ReportError("the period is empty: end must be after start")
    scope = scope or Scope()
    w = width_s or bucket_width(start, end)
    data = ReportData(venue, start, end, scope, w)
    zones = set(data.zones)
    wanted = [s for s in venue.sensors if s.zone in zones]
    if scope.artefact is not None:
        art = next(a for a in venue.artefacts if a.id == scope.artefact)
        wanted = [s for s in wanted if s.id in set(art.sensors) or s.kind is not SensorKind.LUX]
    for s in wanted:
        data.series[s.id] = await _series(store, venue.id, s.id, start, end, w)
        if s.kind in (SensorKind.TEMPERATURE, SensorKind.HUMIDITY):
            data.history[s.id] = await _series(store, venue.id, s.id, start - WARM_UP_S, start, w)
    if alarm_store is not None:
        found = await alarm_store.alarms(venue.id, since=start, limit=MAX_ALARMS, by="updated")
        in_scope = {s.id for s in wanted} | {f"zone:{z}" for z in zones}
        in_scope |= {a.id for a in venue.artefacts if a.zone in zones}
        whole = scope.zone is None and scope.artefact is None
        data.alarms = [
            a for a in found if start <= a.raised_at < end and (whole or a.source in in_scope)
        ]
    return data
