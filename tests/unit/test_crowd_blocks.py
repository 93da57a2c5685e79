"""A very large venue's crowd is tracked in blocks, and loses nothing by it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from simulators.people_sensing import SensingErrors
from simulators.simulator import VenueSimulator
from twin.live_analytics import AnalyticsConfig, VenueAnalytics
from twin.live_analytics.crowd import CrowdTracker
from twin.live_analytics.crowd_blocks import (
    CrowdBlocks,
    block_venue,
    crowd_tracker,
    partition_zones,
)
from twin.samples.large_venue import large_venue
from twin.venue import SensorKind, Venue


def test_zones_are_cut_into_blocks_of_bounded_size_through_few_gates() -> None:
    venue = large_venue(100, 0)
    blocks = partition_zones(venue, 30)
    assert len(blocks) == 4
    assert max(len(b) for b in blocks) <= 30
    assert sorted(z for b in blocks for z in b) == sorted(z.id for z in venue.zones)
    block_of = {z: i for i, b in enumerate(blocks) for z in b}
    cut = [
        g
        for g in venue.gates
        if g.from_zone is not None
        and g.to_zone is not None
        and block_of[g.from_zone] != block_of[g.to_zone]
    ]
    # A breadth-first cut of the same venue crosses 33 doors.
    assert len(cut) <= 2 * len(blocks)


def test_a_gate_between_blocks_is_an_outside_door_for_each_with_its_counters() -> None:
    venue = large_venue(12, 0)
    first, second = partition_zones(venue, 6)
    a, b = block_venue(venue, first), block_venue(venue, second)
    crossing = {g.id for g in a.gates} & {g.id for g in b.gates}
    assert crossing, "the two halves of a connected venue share a gate"
    for gid in crossing:
        ga = next(g for g in a.gates if g.id == gid)
        gb = next(g for g in b.gates if g.id == gid)
        # Each block sees the other side as outside.
        assert (ga.from_zone is None) != (ga.to_zone is None)
        assert (gb.from_zone is None) != (gb.to_zone is None)
        counters = {s.id for s in venue.sensors if s.gate == gid}
        assert counters and counters <= {s.id for s in a.sensors}
        assert counters <= {s.id for s in b.sensors}


def test_venue_analytics_switches_to_blocks_only_above_the_limit() -> None:
    venue = large_venue(12, 10)
    assert isinstance(crowd_tracker(venue, AnalyticsConfig()), CrowdTracker)
    blocked = VenueAnalytics(venue, AnalyticsConfig(crowd_block_zones=5)).crowd
    assert isinstance(blocked, CrowdBlocks)
    assert len(blocked.blocks) == 3


def test_initial_occupancy_and_head_counts_reach_the_zones_block() -> None:
    venue = large_venue(12, 10)
    zones = [z.id for z in venue.zones]
    cfg = AnalyticsConfig(crowd_block_zones=4, initial_occupancy={zones[-1]: 40.0})
    blocks = CrowdBlocks(venue, cfg)
    blocks.set_occupancy(zones[0], 25.0)
    occ = blocks.occupancy()
    assert set(occ) == set(zones)
    assert occ[zones[0]] == pytest.approx(25.0)
    assert occ[zones[-1]] == pytest.approx(40.0)


def _score(venue: Venue, block_zones: int, seed: int) -> tuple[float, float, int]:
    """(mean MAE as % of peak, 95 % band coverage, gates in flows) over 90 simulated minutes."""
    start = datetime(2024, 11, 25, 9, 0, tzinfo=ZoneInfo(venue.timezone)).timestamp()
    sim = VenueSimulator(venue, seed=seed, start=start, sensing=SensingErrors())
    crowd = crowd_tracker(venue, AnalyticsConfig(crowd_block_zones=block_zones))
    zones = [z.id for z in venue.zones]
    ids = sim.sensor_ids
    errors, inside, peak, gates = [], [], np.zeros(len(zones)), 0
    for _ in range(540):
        batch = sim.step_batch(10.0)
        for i, ts, value in zip(
            batch.sensor.tolist(), batch.ts.tolist(), batch.value.tolist(), strict=True
        ):
            crowd.update(ids[i], ts, value)
        res = {c.zone: c for c in crowd.advance(sim.now)}
        if len(res) < len(zones):
            continue
        truth = sim.occupancy()
        err = np.array([res[z].occupancy - truth[z] for z in zones])
        sd = np.array([res[z].occupancy_sd for z in zones])
        errors.append(np.abs(err))
        inside.append(np.abs(err) <= 1.96 * sd)
        peak = np.maximum(peak, [truth[z] for z in zones])
        gates = len({f.gate for f in crowd.flows(sim.now)})
    mae = np.mean(errors, axis=0) / np.maximum(peak, 1.0)
    return float(mae.mean() * 100), float(np.mean(inside) * 100), gates


@pytest.mark.parametrize("cameras", [True, False], ids=["cameras", "counters-only"])
def test_blocks_track_as_well_as_one_estimator(cameras: bool) -> None:
    """Imperfect counters and cameras (simulated); blocks of 4 zones against one of 12."""
    venue = large_venue(12, 10)
    if not cameras:
        sensors = [s for s in venue.sensors if s.kind is not SensorKind.PEOPLE_COUNT]
        venue = venue.model_copy(update={"sensors": sensors})
    whole_mae, whole_band, whole_gates = _score(venue, 12, seed=3)
    mae, band, gates = _score(venue, 4, seed=3)
    assert gates == whole_gates == len(venue.gates)
    assert mae <= whole_mae + 1.0
    assert band >= whole_band - 2.0
