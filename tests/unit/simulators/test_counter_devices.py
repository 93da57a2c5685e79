"""With ``direction_sd`` a simulated two-way counter is one device: both ways miss alike."""

from __future__ import annotations

import numpy as np
import pytest

from simulators.people_sensing import PeopleSensing, SensingErrors
from twin.loader import load_sample
from twin.venue import SensorKind


def direction_gaps(errors: SensingErrors, seeds: int = 40) -> tuple[float, float]:
    """Mean |miss difference| between a gate's two directions, and between gates."""
    wing = load_sample("museum-wing")
    zone_index = {z.id: i for i, z in enumerate(wing.zones)}
    area = np.array([z.area_m2 for z in wing.zones])
    counters = [k for k, s in enumerate(wing.sensors) if s.kind is SensorKind.GATE_COUNTER]
    gate = [wing.sensors[k].gate for k in counters]
    within, between = [], []
    for seed in range(seeds):
        sensing = PeopleSensing(wing.sensors, area, zone_index, np.random.default_rng(seed), errors)
        miss = sensing.miss[counters]
        for i in range(len(counters)):
            for j in range(i + 1, len(counters)):
                (within if gate[i] == gate[j] else between).append(abs(miss[i] - miss[j]))
    return float(np.mean(within)), float(np.mean(between))


def test_with_direction_sd_both_directions_of_a_gate_share_the_miss_rate() -> None:
    within, between = direction_gaps(SensingErrors(direction_sd=0.01))
    # Per gate U(1 %, 8 %) (mean gap 2.3 %), each direction ~1 % off it (gap ~1.1 %).
    assert within < 0.6 * between
    assert 0.005 < within < 0.016


def test_fixed_rate_and_direction_spread_are_honoured() -> None:
    within, between = direction_gaps(SensingErrors((0.04, 0.04), direction_sd=0.01))
    assert within == between == 0.0
    # By default each direction is a device of its own.
    within, between = direction_gaps(SensingErrors())
    assert within == pytest.approx(between, rel=0.25)
    with pytest.raises(ValueError, match="direction_sd"):
        SensingErrors(direction_sd=-0.1)
