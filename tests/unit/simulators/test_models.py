"""Climate balance, schedule and clock on their own."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulators.climate import ZoneClimate
from simulators.clock import SimClock
from simulators.errors import ScheduleError, SimulatorError
from simulators.psychro import humidity_ratio
from simulators.schedule import DaySchedule
from simulators.weather import WeatherState

COLD_DAY = WeatherState(5.0, 80.0, humidity_ratio(5.0, 80.0), 0.0, 420.0)


def closed_gallery(n: int = 2) -> ZoneClimate:
    return ZoneClimate(np.full(n, 200.0 * 4.5), np.full(n, 200.0), np.zeros(n, dtype=bool))


def test_co2_rises_with_occupancy_in_a_closed_gallery() -> None:
    zones = closed_gallery(3)
    occupancy = np.array([0, 20, 60])
    history = []
    for _ in range(120):  # one hour, ventilation off
        zones.step(30.0, occupancy, np.zeros(3), COLD_DAY, ventilating=False)
        history.append(zones.co2_ppm.copy())
    co2 = np.array(history)
    assert co2[-1, 0] < co2[-1, 1] < co2[-1, 2]
    assert (np.diff(co2[:, 2]) > 0).all()
    assert co2[-1, 2] > 1500
    # With nobody inside, infiltration pulls CO2 towards the outdoor level.
    assert co2[-1, 0] < co2[0, 0]


def test_ventilation_lowers_the_co2_of_a_crowd() -> None:
    shut, open_ = closed_gallery(1), closed_gallery(1)
    crowd = np.array([40])
    for _ in range(120):
        shut.step(30.0, crowd, np.zeros(1), COLD_DAY, ventilating=False)
        open_.step(30.0, crowd, np.zeros(1), COLD_DAY, ventilating=True)
    assert open_.co2_ppm[0] < shut.co2_ppm[0] - 300


def test_visitors_warm_and_moisten_the_air_despite_hvac() -> None:
    zones = closed_gallery(2)
    for _ in range(240):
        zones.step(30.0, np.array([0, 150]), np.zeros(2), COLD_DAY, ventilating=True)
    assert zones.temp_c[1] > zones.temp_c[0] + 0.5
    assert zones.ratio[1] > zones.ratio[0]
    assert abs(zones.temp_c[0] - 20.0) < 1.0


def test_exact_integration_is_stable_for_long_steps() -> None:
    fine, coarse = closed_gallery(1), closed_gallery(1)
    for _ in range(360):
        fine.step(10.0, np.array([30]), np.zeros(1), COLD_DAY, ventilating=True)
    coarse.step(3600.0, np.array([30]), np.zeros(1), COLD_DAY, ventilating=True)
    assert np.isfinite(coarse.temp_c).all()
    assert abs(coarse.co2_ppm[0] - fine.co2_ppm[0]) < 50
    assert abs(coarse.temp_c[0] - fine.temp_c[0]) < 0.5


def test_day_schedule_brings_the_daily_visitors() -> None:
    sched = DaySchedule.parse("10:00-18:00", daily_visitors=1000)
    total = sum(sched.arrival_rate(h / 60.0, 0, 1000.0) * 60.0 for h in range(24 * 60))
    assert total == pytest.approx(1000.0, rel=0.01)
    assert sched.arrival_rate(9.5, 0, 1000.0) == 0.0
    assert sched.arrival_rate(17.5, 0, 1000.0) == 0.0  # after last admission
    assert sched.arrival_rate(sched.peak, 0, 1000.0) > sched.arrival_rate(10.2, 0, 1000.0)
    with pytest.raises(ScheduleError):
        DaySchedule.parse("9 to 5")
    with pytest.raises(ScheduleError):
        DaySchedule.parse("18:00-09:00")


def test_clock_maps_wall_time_by_speed() -> None:
    clock = SimClock(1000.0, speed=60.0)
    clock.anchor(5.0)
    assert clock.target(6.5) == pytest.approx(1090.0)
    assert clock.wall_at(1120.0) == pytest.approx(7.0)
    clock.advance(30.0)
    assert clock.now == 1030.0 and clock.elapsed == 30.0
    fast = SimClock(0.0, speed=math.inf)
    assert not fast.realtime
    with pytest.raises(SimulatorError):
        SimClock(0.0, speed=0.0)
    with pytest.raises(SimulatorError):
        clock.advance(-1.0)
