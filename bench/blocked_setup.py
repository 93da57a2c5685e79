"""The fault day both blocked-counter benches run: the venue, its faults, the detector.

``bench/blocked_counters.py`` and ``bench/blocked_phases.py`` track the first
fault day of ``bench/counter_faults.py``'s plan after ``WARMUP`` days in which
the stopped-counter detector learns and ``CLEAN`` clean days.

Both track from 08:00 of the first fault day with :func:`tracked_steps`: a
tiny first step, then 10 s steps, so each step ends just after the readings
stamped at its end, where the truth is read (the simulator gives each reading
the state at its own stamp, docs/simulator.md "Readings at their own time").
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
# Readings due at a step's end come in the next step: a step this long at
# 08:00 sends those due then, so later steps end just after their newest stamps.
FIRST_S = 1e-3


def tracked_steps(fault_days: int = 1) -> list[float]:
    """Step lengths from 08:00 of the first fault day to 18:59:50.001 of the last.

    The readings fed are those stamped 08:00 to 18:59:50, as with plain 10 s
    steps from 08:00, but each step ends 1 ms after its newest stamp, not
    10 s. The tiny step publishes nothing (a tracker steps every
    ``crowd_step_s``), so the first published step folds the readings of
    08:00 and 08:00:10: one scored step fewer, at 08:00, all zones empty.
    """
    n = round(((fault_days - 1) * DAY_S + 11 * 3600.0) / STEP_S)
    return [FIRST_S] + [STEP_S] * (n - 1)


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


def warm_up(day: FaultDay) -> float:
    """Run the days before 08:00 of the first fault day, the detector learning; that time."""
    sim, ids = day.sim, day.ids
    track_from = day.midnight + (WARMUP + CLEAN) * DAY_S + 8 * 3600.0
    while sim.now < track_from:  # nobody is tracked
        batch = sim.step_batch(min(60.0, track_from - sim.now))
        for i, ts, v in zip(
            batch.sensor.tolist(), batch.ts.tolist(), batch.value.tolist(), strict=True
        ):
            if i in day.counters:
                day.watch.update(ids[i], ts, v)
    return track_from


def fault_day(name: str, seed: int, faults: bool = True, fault_days: int = 1) -> FaultDay:
    venue = load_sample(name)
    midnight = datetime(2024, 11, 25, tzinfo=ZoneInfo(venue.timezone)).timestamp()
    plan = fault_plan(venue, midnight, range(WARMUP + CLEAN, WARMUP + CLEAN + fault_days), seed)
    sim = VenueSimulator(venue, seed=seed, start=midnight, faults=plan if faults else None)
    ids = list(sim.sensor_ids)
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
