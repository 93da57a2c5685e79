"""What bounds a zone's drift besides its sensors: Little's law, quiet doors, transit speed.

Transit zones (``Zone.transit``) and zones with a configured mean stay
(``zone_dwell_s``) get Little's-law pseudo-measurements
(:mod:`twin.analytics.crowd.dwell_prior`), transit zones at the walking speed
shared from a watched neighbour (:mod:`twin.live_analytics.transit_speed`);
counted zones with nothing else may be read as nearly empty after a long
quiet spell at their doors (:mod:`twin.live_analytics.quiet_zones`, off by
default). docs/crowd.md, "Dwell plausibility" and "Quiet zones".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from twin.analytics.crowd.dwell_prior import DwellPrior, DwellPriorConfig, path_length
from twin.live_analytics.config import AnalyticsConfig
from twin.live_analytics.quiet_zones import QuietZones
from twin.live_analytics.transit_speed import TransitSpeed
from twin.venue import Venue

__all__ = ["ZonePriors", "zone_priors"]


@dataclass(frozen=True, slots=True)
class ZonePriors:
    dwell: DwellPrior
    quiet: QuietZones
    speed: TransitSpeed


def zone_priors(
    venue: Venue,
    config: AnalyticsConfig,
    zone_index: Mapping[str, int],
    touching: Mapping[str, list[int]],
    open_zones: Mapping[str, float],
    watched: set[str],
) -> ZonePriors:
    """The priors of ``venue``'s zones; ``watched``: zones a camera or tracker counts."""
    zi = zone_index
    zones = tuple(z.id for z in venue.zones)
    gate_pos = [g.position for g in venue.gates]
    transit = {
        zi[z.id]: (path_length([gate_pos[i] for i in touching[z.id]], z.area_m2), z.area_m2)
        for z in venue.zones
        if z.transit
    }
    stay = {zi[z]: w for z, w in config.zone_dwell_s.items() if z in zi and zi[z] not in transit}
    # Counted zones with nothing else to bound their drift: a long quiet
    # spell at their doors says they are nearly empty (quiet_zones.py;
    # off by default: in a jam the doors are quiet too).
    quiet = QuietZones(
        {
            zi[z]: (
                [ch for i in touching[z] for ch in (2 * i, 2 * i + 1)],
                config.zone_dwell_s.get(z, config.dwell_s),
            )
            for z in zones
            if config.quiet_zones
            and z not in open_zones
            and z not in watched
            and zi[z] not in transit
            and zi[z] not in stay
        },
        2 * len(venue.gates),
        config.occupancy.counter_miss_rate,
    )
    neighbours = {
        zi[z]: [
            zi[side]
            for g in touching[z]
            for side in (venue.gates[g].from_zone, venue.gates[g].to_zone)
            if side is not None
        ]
        for z in zones
    }
    speed = TransitSpeed({i: transit[i][0] for i in transit}, {zi[z] for z in watched}, neighbours)
    spread = DwellPriorConfig(
        learned_spread=config.dwell_spread_learned, censored_speed=config.dwell_speed_censored
    )
    return ZonePriors(DwellPrior(len(zones), transit, stay, spread), quiet, speed)
