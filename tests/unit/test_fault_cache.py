"""The fault bench's cached run: steps replay in order, levels are window medians."""

from __future__ import annotations

import numpy as np

from bench.fault_cache import Simulated, level_of


def _run() -> Simulated:
    return Simulated(
        names=["a", "b"],
        i=np.array([0, 1, 0, 1, 0]),
        ts=np.array([0.0, 0.0, 60.0, 60.0, 120.0]),
        v=np.array([1.0, 10.0, 3.0, 30.0, 2.0]),
        step=np.array([0, 0, 1, 1, 3]),
        step_end=np.array([60.0, 120.0, 180.0, 240.0]),
        truth=[],
    )


def test_steps_replay_each_minutes_readings_then_its_clock() -> None:
    steps = list(_run().steps())
    assert [now for now, _ in steps] == [60.0, 120.0, 180.0, 240.0]
    assert steps[0][1] == [("a", 0.0, 1.0), ("b", 0.0, 10.0)]
    assert steps[2][1] == []  # a quiet minute still ticks the watchdog
    assert steps[3][1] == [("a", 120.0, 2.0)]


def test_the_level_is_the_median_reading_of_the_sensor_in_the_window() -> None:
    level = level_of(_run())
    assert level("a", 0.0, 121.0) == 2.0
    assert level("b", 0.0, 61.0) == 20.0
