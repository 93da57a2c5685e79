"""Through AnomalyWatch: a thermometer's step is a fault only if its room stayed put."""

from __future__ import annotations

import math

import numpy as np

from twin.live_analytics.anomalies import AnomalyWatch
from twin.loader import load_sample

T0 = 1_732_438_800.0
STEP = 10.0


def _level_shifts(door: bool, seed: int) -> list[tuple[str, float]]:
    """A day of gallery-a (the detectors settled; the hygrometer swings 3 %RH a
    day and wanders with the visitors), then at ``at`` the thermometer steps
    down 1 degC (20 noise sigmas). With ``door`` the air really changed: the
    hygrometer climbs 16 %RH with a 30 min time constant (cold air at the same
    moisture reads wetter; the simulator's open door gives 15), smoothly, so
    no detector names it and its calibrated score stays low. The CO2 stays (a
    door to a hall as fresh as the room)."""
    rng = np.random.default_rng(seed)
    watch = AnomalyWatch(load_sample("museum-wing"), active_s=900.0)
    at = T0 + 26 * 3600.0
    found: list[tuple[str, float]] = []
    wander = 0.0
    for t in T0 + STEP * np.arange(int(26.5 * 3600 / STEP)):
        relax = 1.0 - math.exp(-max(t - at, 0.0) / 1800.0) if door else 0.0
        wander = 0.995 * wander + rng.normal(0, 0.02)
        day = 3.0 * math.sin(2 * math.pi * t / 86400.0)
        values = {
            "gallery-a-temp": 20.0 - (1.0 if t >= at else 0.0) + rng.normal(0, 0.05),
            "gallery-a-rh": 50.0 + day + wander + 16.0 * relax + rng.normal(0, 0.4),
            "gallery-a-co2": 650.0 + rng.normal(0, 11.0),
        }
        for sensor, value in values.items():
            result = watch.update(sensor, float(t), float(value))
            if result is not None:
                found += [(d.sensor, d.ts) for d in result.detections if d.kind == "level_shift"]
    return [(s, ts) for s, ts in found if ts >= at - 60.0]


def test_a_step_while_the_zone_moves_with_it_is_the_room() -> None:
    assert _level_shifts(door=True, seed=1) == []


def test_the_same_step_with_a_still_zone_is_a_sensor_fault() -> None:
    found = _level_shifts(door=False, seed=1)
    assert [s for s, _ in found] == ["gallery-a-temp"]
