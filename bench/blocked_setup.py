"""The fault day both blocked-counter benches run: the venue, its faults, the detector.

``bench/blocked_counters.py`` and ``bench/blocked_phases.py`` track the first
fault day of ``bench/counter_faults.py``'s plan after ``WARMUP`` days in which
the stopped-counter detector learns and ``CLEAN`` clean days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bench.counter_faults import fault_plan
from simulators.simulator import VenueSimulator
from twin.live_analytics import AnalyticsConfig
from twin.live_analytics.anomalies import AnomalyWatch
from twin.loader import load_sample
from twin.venue import SensorKind, Venue

STEP_S = 10.0
DAY_S = 86400.0
WARMUP, CLEAN = 3, 1


@dataclass(frozen=True)
class FaultDay:
    """A sample venue's simulation with (or without) its fault plan, and a fresh detector.

    ``counters``: the simulator's sensor indices of the gate counters;
    ``config``: zones known empty 18:00-08:00 and empty at the start.
    """

    venue: Venue
    midnight: float
    sim: VenueSimulator
    watch: AnomalyWatch
    ids: list[str]
    counters: set[int]
    zones: list[str]
    config: AnalyticsConfig


def fault_day(name: str, seed: int, faults: bool = True, fault_days: int = 1) -> FaultDay:
    venue = load_sample(name)
    midnight = datetime(2024, 11, 25, tzinfo=ZoneInfo(venue.timezone)).timestamp()
    plan = fault_plan(venue, midnight, range(WARMUP + CLEAN, WARMUP + CLEAN + fault_days), seed)
    sim = VenueSimulator(venue, seed=seed, start=midnight, faults=plan if faults else None)
    ids = sim.sensor_ids
    zones = [z.id for z in venue.zones]
    return FaultDay(
        venue,
        midnight,
        sim,
        AnomalyWatch(venue, active_s=900.0),
        ids,
        {ids.index(s.id) for s in venue.sensors if s.kind is SensorKind.GATE_COUNTER},
        zones,
        AnalyticsConfig(
            empty_hours={venue.id: (18.0, 8.0)}, initial_occupancy=dict.fromkeys(zones, 0.0)
        ),
    )
