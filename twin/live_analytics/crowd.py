"""Occupancy, density, level of service and carrying capacity per zone, live.

Gate counters report cumulative crossings in their gate's ``from_zone ->
to_zone`` direction. Their increments drive the Kalman occupancy estimator
(:class:`~twin.analytics.crowd.OccupancyEstimator`); ``people_count`` sensors
are direct measurements of their zone. Counters that see one direction leave
the return flow unmeasured: it is modelled as the zone's occupancy leaving
with a mean stay of ``dwell_s`` (a first-order outflow, ``n dt / dwell``),
less what forward counters already saw leave, sent back through the gate
people came in by. Direct counts correct that model where they exist.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from twin.analytics.crowd import (
    AreaType,
    CapacityArea,
    OccupancyEstimator,
    assess_density,
    capacity_level,
    carrying_capacity,
)
from twin.live_analytics.config import AnalyticsConfig
from twin.live_analytics.results import ZoneCrowd
from twin.venue import SensorKind, Venue

__all__ = ["CrowdTracker"]


class CrowdTracker:
    """Occupancy of every zone of one venue from its counters; O(zones + gates) state."""

    def __init__(self, venue: Venue, config: AnalyticsConfig) -> None:
        self._cfg = config
        self._zones = tuple(z.id for z in venue.zones)
        self._area = {z.id: z.area_m2 for z in venue.zones}
        self._estimator = OccupancyEstimator(self._zones, venue.gates)
        self._counter_gate: dict[str, str] = {}
        self._counted_fwd: set[str] = set()
        for s in venue.sensors:
            if s.kind is SensorKind.GATE_COUNTER and s.gate is not None:
                self._counter_gate[s.id] = s.gate
                self._counted_fwd.add(s.gate)
        self._direct = {s.id: s.zone for s in venue.sensors if s.kind is SensorKind.PEOPLE_COUNT}
        # Return flow of zone z goes back through a gate that enters z.
        self._entry_gate: dict[str, str] = {}
        self._exits_fwd: dict[str, list[str]] = {z: [] for z in self._zones}
        for g in venue.gates:
            if g.to_zone is not None and g.to_zone not in self._entry_gate:
                self._entry_gate[g.to_zone] = g.id
            if g.from_zone is not None and g.id in self._counted_fwd:
                self._exits_fwd[g.from_zone].append(g.id)
        self._capacity: dict[str, int] = {}
        for z in venue.zones:
            if z.space_per_visitor_m2 is not None:
                cc = carrying_capacity(
                    [CapacityArea(z.id, z.area_m2, z.space_per_visitor_m2)], 1.0, 1.0
                )
                if cc.instantaneous > 0:
                    self._capacity[z.id] = cc.instantaneous
        self._last_count: dict[str, float] = {}
        self._pending: dict[str, float] = {}
        self._direct_pending: dict[str, list[float]] = {}
        self._t: float | None = None

    @property
    def handles(self) -> frozenset[str]:
        return frozenset(self._counter_gate) | frozenset(self._direct)

    def capacity(self, zone: str) -> int | None:
        return self._capacity.get(zone)

    def update(self, sensor: str, ts: float, value: float) -> None:
        gate = self._counter_gate.get(sensor)
        if gate is not None:
            prev = self._last_count.get(sensor)
            self._last_count[sensor] = value
            if prev is not None:
                # A counter that went backwards was reset: count from zero.
                delta = value - prev if value >= prev else value
                self._pending[gate] = self._pending.get(gate, 0.0) + delta
        elif sensor in self._direct and value >= 0.0 and math.isfinite(value):
            self._direct_pending.setdefault(self._direct[sensor], []).append(value)
        if self._t is None:
            self._t = ts

    def advance(self, now: float) -> tuple[ZoneCrowd, ...]:
        """Fold in what arrived since the last step if ``crowd_step_s`` has passed."""
        if self._t is None or now - self._t < self._cfg.crowd_step_s:
            return ()
        dt, self._t = now - self._t, now
        est = self._estimator
        occ = est.estimate().occupancy
        counts: dict[str, tuple[float, float]] = {g: (n, 0.0) for g, n in self._pending.items()}
        for zone in self._zones:
            gate = self._entry_gate.get(zone)
            if gate is None or gate not in self._counted_fwd:
                continue
            dwell = self._cfg.zone_dwell_s.get(zone, self._cfg.dwell_s)
            leaving = occ[zone] * (1.0 - math.exp(-dt / dwell))
            leaving -= sum(self._pending.get(g, 0.0) for g in self._exits_fwd[zone])
            if leaving > 0.0:
                fwd, _ = counts.get(gate, (0.0, 0.0))
                counts[gate] = (fwd, leaving)
        est.predict(counts, dt)
        for zone, values in self._direct_pending.items():
            est.observe(zone, sum(values) / len(values))
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
