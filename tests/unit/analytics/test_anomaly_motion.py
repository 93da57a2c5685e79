"""A zone mate's unusual move makes a held level shift the room's, not a fault."""

from __future__ import annotations

import math

import numpy as np

from twin.analytics.anomaly import Detection, DetectionKind
from twin.analytics.anomaly.corroboration import HOLD_S, MOVED_SCALES, ZoneCorroboration
from twin.analytics.anomaly.motion import RecentMotion

ZONES = {"a-temp": "a", "a-co2": "a", "b-co2": "b"}
DAY = 86400.0
STEP = 10.0


def _co2_day(rng: np.random.Generator, start: float, hours: float) -> list[tuple[float, float]]:
    """CO2 as visitors make it: a slow daily swell, 11 ppm sensor noise."""
    ts = start + STEP * np.arange(int(hours * 3600 / STEP))
    level = 600.0 + 150.0 * np.sin(2 * math.pi * (ts % DAY) / DAY)
    return list(zip(ts.tolist(), (level + rng.normal(0, 11.0, ts.size)).tolist(), strict=True))


def _feed(motion: RecentMotion, sensor: str, rows: list[tuple[float, float]]) -> None:
    for t, v in rows:
        motion.update(sensor, t, v)


def _shift(sensor: str, ts: float) -> Detection:
    return Detection(DetectionKind.LEVEL_SHIFT, sensor, ts, 0.0, 0.8, "test")


def _released(motion: RecentMotion, at: float) -> list[Detection]:
    zc = ZoneCorroboration(ZONES, motion)
    assert zc.filter([_shift("a-temp", at)]) == []
    return zc.release_for("a-temp", at + HOLD_S[DetectionKind.LEVEL_SHIFT])


def test_a_door_that_drains_the_co2_withholds_the_thermometers_step() -> None:
    rng = np.random.default_rng(1)
    motion = RecentMotion()
    rows = _co2_day(rng, 0.0, 32.0)
    door = 30 * 3600.0
    # A wide door opens: CO2 relaxes towards 420 ppm outdoors, 15 min time constant.
    rows = [(t, 420.0 + (v - 420.0) * math.exp(-max(t - door, 0.0) / 900.0)) for t, v in rows]
    _feed(motion, "a-co2", [r for r in rows if r[0] <= door + 700.0])
    assert _released(motion, door) == []


def test_a_lone_offset_is_released_when_the_zone_only_does_its_usual() -> None:
    rng = np.random.default_rng(2)
    motion = RecentMotion()
    at = 28 * 3600.0
    _feed(motion, "a-co2", [r for r in _co2_day(rng, 0.0, 30.0) if r[0] <= at + 700.0])
    assert [d.sensor for d in _released(motion, at)] == ["a-temp"]


def test_another_zones_move_and_an_unlearnt_mate_say_nothing() -> None:
    rng = np.random.default_rng(3)
    motion = RecentMotion()
    at = 28 * 3600.0
    rows = _co2_day(rng, 0.0, 30.0)
    drained = [(t, 420.0 if t > at else v) for t, v in rows if t <= at + 700.0]
    _feed(motion, "b-co2", drained)  # the door of another zone
    _feed(motion, "a-co2", [r for r in drained if r[0] > at - 1200.0])  # a-co2 too new
    assert [d.sensor for d in _released(motion, at)] == ["a-temp"]


def test_at_random_times_a_mate_rarely_looks_moved() -> None:
    # The false-withhold rate of a real offset: a day of ordinary CO2, every minute.
    rng = np.random.default_rng(4)
    motion = RecentMotion()
    rows = _co2_day(rng, 0.0, 48.0)
    moved = []
    for t, v in rows:
        motion.update("a-co2", t, v)
        if t > DAY and t % 60.0 == 0.0:
            moved.append(motion.moved("a-co2", t - 600.0, t))
    assert max(moved) < MOVED_SCALES
    assert np.percentile(moved, 50) > 0.0  # it does measure something
