"""Fruin level of service, Still safety bands, LB/T 034-2014 carrying capacity."""

from __future__ import annotations

import pytest

from twin.analytics.crowd import (
    AreaType,
    CapacityArea,
    CapacityLevel,
    InvalidInput,
    LevelOfService,
    SafetyBand,
    assess_density,
    capacity_level,
    carrying_capacity,
    density,
    level_of_service,
    safety_band,
)


# Area per person = 1 / density m^2, / 0.09290304 for ft^2:
# 0.2 p/m2 -> 53.8 ft2; 0.35 -> 30.7; 0.5 -> 21.5; 1.0 -> 10.76; 1.5 -> 7.18; 2.5 -> 4.31
@pytest.mark.parametrize(
    ("d", "los"),
    [
        (0.2, LevelOfService.A),
        (0.35, LevelOfService.B),
        (0.5, LevelOfService.C),
        (1.0, LevelOfService.D),
        (1.5, LevelOfService.E),
        (2.5, LevelOfService.F),
    ],
)
def test_fruin_walkway(d: float, los: LevelOfService) -> None:
    assert level_of_service(d, AreaType.WALKWAY) is los


# Queue bounds 13/10/7/3/2 ft2: 1.0 p/m2 (10.76) -> B; 1.5 (7.18) -> C; 2.5 (4.31) -> D;
# 4.0 (2.69) -> E; 6.0 (1.79) -> F; 0.5 (21.5) -> A
@pytest.mark.parametrize(
    ("d", "los"),
    [
        (0.5, LevelOfService.A),
        (1.0, LevelOfService.B),
        (1.5, LevelOfService.C),
        (2.5, LevelOfService.D),
        (4.0, LevelOfService.E),
        (6.0, LevelOfService.F),
    ],
)
def test_fruin_queue(d: float, los: LevelOfService) -> None:
    assert level_of_service(d, AreaType.QUEUE) is los


def test_fruin_boundary_belongs_to_the_better_level() -> None:
    exactly_35_ft2 = 1.0 / (35.0 * 0.09290304)
    assert level_of_service(exactly_35_ft2) is LevelOfService.A
    assert level_of_service(exactly_35_ft2 * 1.001) is LevelOfService.B
    assert level_of_service(0.0) is LevelOfService.A


@pytest.mark.parametrize(
    ("d", "band"),
    [
        (1.99, SafetyBand.SAFE),
        (2.0, SafetyBand.CAUTION),
        (3.99, SafetyBand.CAUTION),
        (4.0, SafetyBand.DANGEROUS),
        (5.0, SafetyBand.DANGEROUS),
        (5.01, SafetyBand.CRITICAL),
    ],
)
def test_still_safety_bands(d: float, band: SafetyBand) -> None:
    assert safety_band(d) is band


def test_assess_density_of_a_zone() -> None:
    a = assess_density(150.0, 100.0, AreaType.WALKWAY)
    assert a.density_p_m2 == pytest.approx(1.5)
    assert a.area_per_person_m2 == pytest.approx(1 / 1.5)
    assert a.level_of_service is LevelOfService.E
    assert a.safety is SafetyBand.SAFE
    assert assess_density(0.0, 50.0).area_per_person_m2 is None


def test_density_rejects_zero_area() -> None:
    with pytest.raises(InvalidInput):
        density(10.0, 0.0)


def test_lbt034_worked_example() -> None:
    # Hall 1000 m2 at 2 m2/person = 500, garden 600 m2 at 3 m2/person = 200 -> C0 = 700.
    # Open 8 h, mean visit 3 h -> Int(8/3) = 2 -> C = 1400 visits/day.
    cap = carrying_capacity(
        [CapacityArea("hall", 1000.0, 2.0), CapacityArea("garden", 600.0, 3.0)],
        opening_hours=8.0,
        mean_visit_hours=3.0,
    )
    assert cap.instantaneous == 700
    assert cap.turnover == 2
    assert cap.daily == 1400
    assert dict(cap.per_area) == {"hall": 500.0, "garden": 200.0}


def test_capacity_rounds_down_to_whole_people() -> None:
    cap = carrying_capacity([CapacityArea("room", 100.0, 3.0)], 9.0, 1.5)
    assert cap.instantaneous == 33  # 33.3
    assert cap.turnover == 6
    assert cap.daily == 200  # 33.3 * 6


def test_warning_at_80_percent() -> None:
    assert capacity_level(559, 700) is CapacityLevel.NORMAL
    assert capacity_level(560, 700) is CapacityLevel.WARNING
    assert capacity_level(700, 700) is CapacityLevel.FULL


def test_capacity_area_rejects_zero_space_per_visitor() -> None:
    with pytest.raises(InvalidInput):
        CapacityArea("x", 10.0, 0.0)
