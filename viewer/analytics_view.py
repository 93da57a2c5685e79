"""The latest live analytics per venue, in the contract's shape, and what changed.

An :class:`AnalyticsView` listens to the analytics service, keeps the newest
result per zone and artefact (bounded by the venue) and the most recent
anomalies (bounded by ``max_anomalies``), and remembers what changed since the
hub last asked, so deltas carry only that.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from twin.live_analytics import AnalyticsUpdate, ArtefactLight, GateFlow, ZoneClimate, ZoneCrowd
from twin.venue import Venue
from viewer.bodies import finite

__all__ = ["AnalyticsChanges", "AnalyticsView", "empty_analytics"]

_ZONE_FIELDS = (
    "occupancy",
    "density",
    "level_of_service",
    "safety_band",
    "capacity",
    "capacity_ratio",
    "climate_class",
    "dew_point",
    "in_class_pct",
    "occupancy_sd",
    "inflow_per_s",
    "outflow_per_s",
    "dwell_s",
    "speed_m_s",
    "tracked_density",
    "voronoi_density",
    "tracker_offline",
    "tracked_positions",
)
_GATE_FIELDS = ("forward_per_s", "backward_per_s")
_ARTEFACT_FIELDS = ("dose_lxh", "budget_lxh", "dose_ratio", "exhausted_at")


@dataclass
class AnalyticsChanges:
    zones: dict[str, dict[str, Any]] = field(default_factory=dict)
    artefacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    anomalies: list[dict[str, Any]] = field(default_factory=list)
    gates: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.zones or self.artefacts or self.anomalies or self.gates)

    def body(self) -> dict[str, Any]:
        out = {"zones": self.zones, "artefacts": self.artefacts, "anomalies": self.anomalies}
        if self.gates:  # people per second through each gate, when counted
            out["gates"] = self.gates
        return out


def empty_analytics(venue: Venue) -> dict[str, Any]:
    """Every zone and artefact with nothing known yet."""
    return {
        "venue": venue.id,
        "ts": None,
        "zones": {z.id: dict.fromkeys(_ZONE_FIELDS) for z in venue.zones},
        "artefacts": {a.id: dict.fromkeys(_ARTEFACT_FIELDS) for a in venue.artefacts},
        "anomalies": [],
        "gates": {g.id: dict.fromkeys(_GATE_FIELDS) for g in venue.gates},
    }


class _VenueView:
    def __init__(self, venue: Venue, max_anomalies: int) -> None:
        self.body = empty_analytics(venue)
        self.anomalies: collections.deque[dict[str, Any]] = collections.deque(maxlen=max_anomalies)
        self.pending = AnalyticsChanges()

    def apply(self, u: AnalyticsUpdate, max_pending_anomalies: int) -> None:
        self.body["ts"] = u.ts
        zones: dict[str, dict[str, Any]] = self.body["zones"]
        for c in u.crowd:
            self._zone(zones, c.zone).update(_crowd(c))
        for k in u.climate:
            self._zone(zones, k.zone).update(_climate(k))
        for zone in {c.zone for c in u.crowd} | {k.zone for k in u.climate}:
            self.pending.zones[zone] = dict(zones[zone])
        gates: dict[str, dict[str, Any]] = self.body.setdefault("gates", {})
        for f in u.flows:
            gates[f.gate] = self.pending.gates[f.gate] = _flow(f)
        artefacts: dict[str, dict[str, Any]] = self.body["artefacts"]
        for light in u.light:
            artefacts[light.artefact] = _light(light)
            self.pending.artefacts[light.artefact] = artefacts[light.artefact]
        for a in u.anomalies:
            for d in a.detections:
                item = {
                    "sensor": d.sensor,
                    "kind": d.kind.value,
                    "score": finite(d.score),
                    "explanation": d.explanation,
                    "ts": d.ts,
                }
                self.anomalies.appendleft(item)
                if len(self.pending.anomalies) < max_pending_anomalies:
                    self.pending.anomalies.append(item)

    @staticmethod
    def _zone(zones: dict[str, dict[str, Any]], zone: str) -> dict[str, Any]:
        return zones.setdefault(zone, dict.fromkeys(_ZONE_FIELDS))


def _crowd(c: ZoneCrowd) -> dict[str, Any]:
    return {
        "occupancy": finite(c.occupancy),
        "density": finite(c.density),
        "level_of_service": c.level_of_service.value,
        "safety_band": c.safety.value,
        "capacity": c.capacity,
        "capacity_ratio": finite(c.capacity_ratio),
        "occupancy_sd": finite(c.occupancy_sd),
        "inflow_per_s": finite(c.inflow_per_s),
        "outflow_per_s": finite(c.outflow_per_s),
        "dwell_s": finite(c.dwell_s),
        "speed_m_s": finite(c.speed_m_s),
        "tracked_density": finite(c.tracked_density),
        "voronoi_density": finite(c.voronoi_density),
        "tracker_offline": c.tracker_offline,
        # Centimetres are plenty for dots on a floor, and keep the frame small.
        "tracked_positions": None
        if c.tracked_positions is None
        else [[round(x, 2), round(y, 2)] for x, y in c.tracked_positions],
    }


def _flow(f: GateFlow) -> dict[str, Any]:
    out: dict[str, Any] = {
        "forward_per_s": finite(f.forward_per_s),
        "backward_per_s": finite(f.backward_per_s),
    }
    if f.distrusted_counters:  # reported stopped: not counting, their crossings imputed
        out["distrusted_counters"] = list(f.distrusted_counters)
    return out


def _climate(k: ZoneClimate) -> dict[str, Any]:
    return {
        "climate_class": k.class_now.value if k.class_now is not None else None,
        "dew_point": finite(k.dew_point),
        "in_class_pct": finite(k.percent_in_target),
    }


def _light(a: ArtefactLight) -> dict[str, Any]:
    return {
        "dose_lxh": finite(a.year_lxh),
        "budget_lxh": finite(a.budget_lxh),
        "dose_ratio": finite(a.dose_ratio),
        "exhausted_at": finite(a.exhausted_at),
    }


class AnalyticsView:
    """Latest analytics of each venue; hook :meth:`on_update` to ``AnalyticsService``."""

    def __init__(
        self, venues: Iterable[Venue], *, max_anomalies: int = 50, max_pending_anomalies: int = 50
    ) -> None:
        self._venues = {v.id: _VenueView(v, max_anomalies) for v in venues}
        self._max_pending = max_pending_anomalies

    def on_update(self, venue: str, update: AnalyticsUpdate) -> None:
        view = self._venues.get(venue)
        if view is not None:
            view.apply(update, self._max_pending)

    def body(self, venue: str) -> dict[str, Any] | None:
        """The GET /api/venues/{v}/analytics body (None for an unknown venue)."""
        view = self._venues.get(venue)
        if view is None:
            return None
        return {
            **view.body,
            "zones": {k: dict(v) for k, v in view.body["zones"].items()},
            "artefacts": dict(view.body["artefacts"]),
            "anomalies": list(view.anomalies),
            "gates": {k: dict(v) for k, v in view.body.get("gates", {}).items()},
        }

    def take_changes(self, venue: str) -> AnalyticsChanges:
        """What changed since the previous call (and forget it)."""
        view = self._venues.get(venue)
        if view is None:
            return AnalyticsChanges()
        changes, view.pending = view.pending, AnalyticsChanges()
        return changes
