"""Who judges each climate sensor's drift, for an engineer placing sensors.

The live path (:class:`~twin.live_analytics.anomalies.AnomalyWatch`) judges a
thermometer's or hygrometer's slow drift against its same-kind neighbours:
in its zone if it has two there, else across the venue. Across the venue,
neighbours in zones of the other environment (open air against an enclosed
room) differ from it by the weather's day-to-day change, which reads as
drift (scenic-site's pavilion, issue 14's drift64 session). A sensor with
fewer than two neighbours of its kind has only its own history, which
cannot tell a drift from its room's slow change. ``venue-twin venue check`` prints these,
so the gap is seen before the false alarms are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from twin.analytics.anomaly.neighbour_drift import DriftConfig, NeighbourDrift
from twin.live_analytics.anomalies import drift_members
from twin.venue import Venue

__all__ = ["DriftCoverage", "drift_coverage"]

Judge = Literal["zone", "venue", "own_history", "none"]


@dataclass(frozen=True, slots=True)
class DriftCoverage:
    """One judged sensor: what judges its drift (``judge``), its neighbours,
    and those of them whose zone's environment (outdoor or enclosed) is not its own."""

    sensor: str
    kind: str
    outdoor: bool
    judge: Judge
    neighbours: tuple[str, ...] = ()
    other_environment: tuple[str, ...] = ()


def drift_coverage(venue: Venue, config: DriftConfig | None = None) -> list[DriftCoverage]:
    """Each thermometer's and hygrometer's drift judge, as the live path sets it up."""
    members = [m for m in drift_members(venue, config) if m.judged]
    nd = NeighbourDrift(members, config)
    zone_of = {m.sensor: m.zone for m in members}
    outdoor = {m.sensor: m.outdoor for m in members}
    out = []
    for m in members:
        if nd.covers(m.sensor):
            mates = nd.neighbours(m.sensor)
            judge: Judge = "zone" if all(zone_of[n] == m.zone for n in mates) else "venue"
            other = tuple(n for n in mates if outdoor[n] != m.outdoor)
            out.append(DriftCoverage(m.sensor, m.kind, m.outdoor, judge, mates, other))
        else:
            judge = "none" if nd.unlike(m.sensor) else "own_history"
            out.append(DriftCoverage(m.sensor, m.kind, m.outdoor, judge))
    return out
