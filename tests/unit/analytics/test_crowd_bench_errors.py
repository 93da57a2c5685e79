"""bench.crowd's counter-error options: per-channel miss rates in a range, double counts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import venue_twin.crowd_evaluate as ce
from bench.crowd import sensor_errors
from tests.unit.analytics.corridor_venue import corridor_venue
from twin.live_analytics.crowd import CrowdTracker
from venue_twin.crowd_evaluate import SensorErrors, Truth, run_estimator

STEPS, PER_STEP = 20, 1000


def _truth() -> Truth:
    """Many crossings on every channel (only the counters' shares are looked at)."""
    ts = np.arange(1, STEPS + 1, dtype=float)
    channel = np.full((STEPS, 8), PER_STEP, dtype=np.int64)
    return Truth(ts, np.zeros((STEPS, 3), dtype=np.int64), channel, 0)


def _counted_share(errors: SensorErrors, seed: int, monkeypatch: pytest.MonkeyPatch) -> np.ndarray:
    """Each counter's reported crossings over the true ones, as run_estimator synthesises them."""
    last: dict[str, float] = {}

    class Recording(CrowdTracker):
        def update(self, sensor: str, ts: float, value: float) -> None:
            last[sensor] = value
            super().update(sensor, ts, value)

    monkeypatch.setattr(ce, "CrowdTracker", Recording)
    venue = corridor_venue()
    run_estimator(venue, _truth(), errors, np.random.default_rng(seed))
    counters = [s.id for s in venue.sensors if s.kind.value == "gate_counter"]
    return np.array([last[c] for c in counters]) / (STEPS * PER_STEP)


def test_default_is_the_issue_bench_every_counter_missing_4_percent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert sensor_errors(0.04) == SensorErrors(miss_range=(0.04, 0.04), double_rate=0.0)
    miss = 1.0 - _counted_share(sensor_errors(0.04), 3, monkeypatch)
    # 20,000 crossings a channel: binomial sd of the share 0.0014.
    assert np.abs(miss - 0.04).max() < 0.006


def test_miss_range_draws_each_channel_its_own_rate_per_seed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    errors = sensor_errors(0.04, "0.01,0.08")
    assert errors.miss_range == (0.01, 0.08)
    runs = [1.0 - _counted_share(errors, seed, monkeypatch) for seed in (3, 4)]
    for miss in runs:
        assert miss.min() > 0.01 - 0.006 and miss.max() < 0.08 + 0.006
        assert miss.max() - miss.min() > 0.02  # the channels differ
    assert np.abs(runs[0] - runs[1]).max() > 0.01  # and a seed draws them anew


def test_doubles_add_to_the_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    share = _counted_share(sensor_errors(0.04, None, 0.05), 3, monkeypatch)
    assert np.abs(share - (1.0 - 0.04 + 0.05)).max() < 0.006


def test_bad_ranges_are_refused() -> None:
    bad: list[tuple[Any, ...]] = [(0.04, "0.08,0.01"), (0.04, "-0.1,0.05"), (0.04, None, -0.01)]
    for args in bad:
        with pytest.raises(ValueError, match="need 0 <= LO <= HI"):
            sensor_errors(*args)


def test_simulated_venues_count_a_tracker_zone_as_directly_observed() -> None:
    """The wing's entrance has a tracker, no camera: its row is scored against the 5 % target."""
    from bench.crowd import directly_observed
    from twin.loader import load_sample

    assert directly_observed(load_sample("museum-wing")) == {"entrance"}
    assert "entrance-plaza" not in directly_observed(load_sample("scenic-site"))
