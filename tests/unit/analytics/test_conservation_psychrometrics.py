"""Dew point and condensation risk (Magnus form, Alduchov & Eskridge 1996)."""

from __future__ import annotations

import pytest

from twin.analytics.conservation import (
    CondensationLevel,
    InvalidInput,
    condensation_risk,
    dew_point,
    saturation_vapour_pressure,
)


def test_saturation_pressure_matches_hand_value_at_20c() -> None:
    # 6.1094 * exp(17.625 * 20 / 263.04) = 6.1094 * exp(1.340100) = 6.1094 * 3.81948
    # = 23.335 hPa (steam tables give 23.39 hPa: Magnus is within 0.3 %).
    assert saturation_vapour_pressure(20.0) == pytest.approx(23.335, abs=0.002)
    assert saturation_vapour_pressure(20.0) == pytest.approx(23.39, rel=0.004)


def test_dew_point_at_20c_50pct() -> None:
    # g = ln(0.5) + 17.625 * 20 / 263.04 = -0.693147 + 1.340100 = 0.646953
    # Td = 243.04 * 0.646953 / (17.625 - 0.646953) = 157.236 / 16.978047 = 9.261 degC
    assert dew_point(20.0, 50.0) == pytest.approx(9.261, abs=0.002)


def test_dew_point_equals_air_temperature_at_saturation() -> None:
    assert dew_point(12.5, 100.0) == pytest.approx(12.5, abs=1e-9)


def test_dew_point_rises_with_humidity() -> None:
    values = [dew_point(21.0, rh) for rh in (20.0, 40.0, 60.0, 80.0)]
    assert values == sorted(values)


@pytest.mark.parametrize(
    ("surface", "level"),
    [
        (9.0, CondensationLevel.CONDENSING),  # below the 9.26 degC dew point
        (10.0, CondensationLevel.WARNING),  # 0.74 K above it, inside the 2 K margin
        (15.0, CondensationLevel.NONE),
    ],
)
def test_condensation_levels(surface: float, level: CondensationLevel) -> None:
    assert condensation_risk(20.0, 50.0, surface).level is level


def test_surface_rh_is_vapour_pressure_over_surface_saturation() -> None:
    # e = 0.5 * 23.335 = 11.667 hPa; e_s(15) = 6.1094 * exp(17.625*15/258.04) = 17.020 hPa
    # -> 68.55 % at the surface
    risk = condensation_risk(20.0, 50.0, 15.0)
    assert risk.surface_rh_percent == pytest.approx(68.55, abs=0.05)
    assert risk.margin_k == pytest.approx(15.0 - 9.261, abs=0.002)


@pytest.mark.parametrize("rh", [0.0, -5.0, 100.5, float("nan")])
def test_rejects_impossible_humidity(rh: float) -> None:
    with pytest.raises(InvalidInput):
        dew_point(20.0, rh)
