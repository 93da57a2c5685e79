"""Occupancy, density, level of service and carrying capacity per zone, live.

Gate counters report cumulative crossings of their gate in their
``direction``: ``forward`` is the gate's ``from_zone -> to_zone``,
``backward`` the way back (a two-way people counter is two sensors, one per
direction). Their increments drive the Kalman occupancy estimator
(:class:`~twin.analytics.crowd.OccupancyEstimator`) on the channel they
measure; ``people_count`` sensors are direct measurements of their zone.

Where a gate is counted both ways, flow conservation needs no model. Only a
gate counted forward but not backward leaves its return flow unmeasured: it
is modelled as the zone's occupancy leaving with a mean stay of ``dwell_s``
(a first-order outflow, ``n dt / dwell``), less the exits measured out of
the zone, sent back through that gate. Direct counts correct that model where
they exist. During a venue's configured ``empty_hours`` every zone is
observed empty, which is what lets the estimator learn and correct a
counter's bias.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from twin.analytics.crowd import (
    AreaType,
    CapacityArea,
    InvalidInput,
    OccupancyEstimator,
    assess_density,
    capacity_level,
    carrying_capacity,
)
from twin.live_analytics.config import AnalyticsConfig
from twin.live_analytics.results import ZoneCrowd
from twin.venue import GateDirection, SensorKind, Venue

__all__ = ["CounterReading", "CrowdTracker"]

_FORWARD, _BACKWARD = 0, 1
# A cumulative count that falls below this share of its high-water mark was
# reset (device restart); a smaller fall is a correction and counts nothing.
_RESET_SHARE = 0.5


class CounterReading:
    """Turns one cumulative counter's readings into increments; O(1) state.

    Readings older than the newest one seen are ignored (a late reading of a
    cumulative count carries nothing new). A fall to below half the highest
    count seen is a reset: counting restarts from zero. A smaller fall (a
    device correcting itself, a drift ending) counts nothing until the count
    climbs past its high-water mark again, so no flow is ever negative.
    """

    __slots__ = ("_high", "_ts")

    def __init__(self) -> None:
        self._high: float | None = None
        self._ts = -math.inf

    def increment(self, ts: float, value: float) -> float:
        """People counted since the previous reading (0 for the first one)."""
        if ts < self._ts or not (math.isfinite(value) and value >= 0.0):
            return 0.0
        self._ts = ts
        high = self._high
        if high is None or value < _RESET_SHARE * high:
            self._high = value
            return 0.0 if high is None else value
        if value <= high:
            return 0.0
        self._high = value
        return value - high


class CrowdTracker:
    """Occupancy of every zone of one venue from its counters; O(zones + gates) state."""

    def __init__(self, venue: Venue, config: AnalyticsConfig) -> None:
        self._cfg = config
        self._zones = tuple(z.id for z in venue.zones)
        self._area = {z.id: z.area_m2 for z in venue.zones}
        self._estimator = OccupancyEstimator(self._zones, venue.gates, config.occupancy)
        # sensor -> (gate, channel); a gate's channels are forward and backward.
        self._channel: dict[str, tuple[str, int]] = {}
        measured: set[tuple[str, int]] = set()
        for s in venue.sensors:
            if s.kind is SensorKind.GATE_COUNTER and s.gate is not None:
                way = _BACKWARD if s.direction is GateDirection.BACKWARD else _FORWARD
                self._channel[s.id] = (s.gate, way)
                measured.add((s.gate, way))
        self._counters = {s: CounterReading() for s in self._channel}
        self._direct = {s.id: s.zone for s in venue.sensors if s.kind is SensorKind.PEOPLE_COUNT}
        # Modelled return flow of zone z goes back through a gate that enters z
        # and is counted in, but not out; measured exits of z are subtracted.
        self._return_gate: dict[str, str] = {}
        self._exits: dict[str, list[tuple[str, int]]] = {z: [] for z in self._zones}
        for g in venue.gates:
            fwd, back = (g.id, _FORWARD) in measured, (g.id, _BACKWARD) in measured
            if g.to_zone is not None and fwd and not back:
                self._return_gate.setdefault(g.to_zone, g.id)
            if g.from_zone is not None and fwd:
                self._exits[g.from_zone].append((g.id, _FORWARD))
            if g.to_zone is not None and back:
                self._exits[g.to_zone].append((g.id, _BACKWARD))
        self._capacity: dict[str, int] = {}
        # Usable area: the model's own net area (IFC) when the venue file has
        # one, else the floor polygon's (Zone.usable_area_source says which).
        for z in venue.zones:
            if z.space_per_visitor_m2 is not None:
                cc = carrying_capacity(
                    [CapacityArea(z.id, z.usable_area_m2, z.space_per_visitor_m2)], 1.0, 1.0
                )
                if cc.instantaneous > 0:
                    self._capacity[z.id] = cc.instantaneous
        self._empty_hours = config.empty_hours.get(venue.id)
        self._tz: ZoneInfo | None = None
        if self._empty_hours is not None:
            start, end = self._empty_hours
            if not (0.0 <= start <= 24.0 and 0.0 <= end <= 24.0 and start != end):
                raise InvalidInput(f"venue {venue.id!r}: bad empty_hours {self._empty_hours}")
            try:
                self._tz = ZoneInfo(venue.timezone)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise InvalidInput(
                    f"venue {venue.id!r}: empty_hours need a known time zone, "
                    f"not {venue.timezone!r}"
                ) from exc
        self._pending: dict[str, list[float]] = {}
        self._direct_pending: dict[str, list[float]] = {}
        self._t: float | None = None

    @property
    def handles(self) -> frozenset[str]:
        return frozenset(self._channel) | frozenset(self._direct)

    @property
    def modelled_gates(self) -> frozenset[str]:
        """Gates whose return flow is modelled because nothing counts it."""
        return frozenset(self._return_gate.values())

    def capacity(self, zone: str) -> int | None:
        return self._capacity.get(zone)

    def update(self, sensor: str, ts: float, value: float) -> None:
        channel = self._channel.get(sensor)
        if channel is not None:
            delta = self._counters[sensor].increment(ts, value)
            if delta > 0.0:
                gate, way = channel
                self._pending.setdefault(gate, [0.0, 0.0])[way] += delta
        elif sensor in self._direct and value >= 0.0 and math.isfinite(value):
            self._direct_pending.setdefault(self._direct[sensor], []).append(value)
        if self._t is None:
            self._t = ts

    def _pending_count(self, gate: str, way: int) -> float:
        counts = self._pending.get(gate)
        return 0.0 if counts is None else counts[way]

    def _is_empty_time(self, ts: float) -> bool:
        if self._empty_hours is None or self._tz is None:
            return False
        start, end = self._empty_hours
        local = datetime.fromtimestamp(ts, self._tz)
        hour = local.hour + local.minute / 60.0 + local.second / 3600.0
        # A window such as (18, 8) runs over midnight.
        return start <= hour < end if start <= end else hour >= start or hour < end

    def advance(self, now: float) -> tuple[ZoneCrowd, ...]:
        """Fold in what arrived since the last step if ``crowd_step_s`` has passed."""
        if self._t is None or now - self._t < self._cfg.crowd_step_s:
            return ()
        dt, self._t = now - self._t, now
        est = self._estimator
        occ = est.estimate().occupancy
        counts: dict[str, tuple[float, float]] = {g: (f, b) for g, (f, b) in self._pending.items()}
        for zone, gate in self._return_gate.items():
            dwell = self._cfg.zone_dwell_s.get(zone, self._cfg.dwell_s)
            leaving = occ[zone] * (1.0 - math.exp(-dt / dwell))
            leaving -= sum(self._pending_count(g, way) for g, way in self._exits[zone])
            if leaving > 0.0:
                fwd, back = counts.get(gate, (0.0, 0.0))
                counts[gate] = (fwd, back + leaving)
        est.predict(counts, dt)
        # One block update for every zone counted in this step (see observe_many).
        est.observe_many({z: sum(v) / len(v) for z, v in self._direct_pending.items()})
        if self._is_empty_time(now):
            est.observe_empty()
        self._pending.clear()
        self._direct_pending.clear()
        return self._results(now)

    def _results(self, now: float) -> tuple[ZoneCrowd, ...]:
        e = self._estimator.estimate()
        out = []
        for zone in self._zones:
            n = e.occupancy[zone]
            a = assess_density(
                n, self._area[zone], self._cfg.area_types.get(zone, AreaType.WALKWAY)
            )
            cap = self._capacity.get(zone)
            out.append(
                ZoneCrowd(
                    zone,
                    now,
                    n,
                    e.sd[zone],
                    a.density_p_m2,
                    a.level_of_service,
                    a.safety,
                    cap,
                    None if cap is None else n / cap,
                    None if cap is None else capacity_level(n, cap),
                )
            )
        return tuple(out)

    def occupancy(self) -> Mapping[str, float]:
        return self._estimator.estimate().occupancy

    def channel_bias(self) -> Mapping[str, float]:
        """Learned relative bias per counting channel, ``gate:forward`` / ``gate:backward``."""
        return self._estimator.estimate().channel_bias
