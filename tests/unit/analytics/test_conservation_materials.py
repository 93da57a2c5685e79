"""PI/TWPI, wood EMC with damage bands, ISO 9223 time of wetness, VTT mould index."""

from __future__ import annotations

import math

import numpy as np
import pytest

from twin.analytics.conservation import (
    CorrosionBand,
    InvalidInput,
    MechanicalBand,
    MouldIndexModel,
    TimeOfWetness,
    TowCategory,
    TwpiAccumulator,
    critical_rh,
    equilibrium_moisture_content,
    growth_rate_per_day,
    mechanical_damage,
    metal_corrosion_band,
    preservation_index,
    tow_category,
    twpi,
)

H = 3600.0
DAY = 86400.0


def test_preservation_index_at_20c_50pct() -> None:
    # k = 50 * 5.9e12 * exp(-90300 / (8.314 * 293.15)); 90300 / 2437.25 = 37.0500
    # exp(-37.0500) = 8.1196e-17 -> k = 0.023953 /y -> PI = 41.75 years
    assert preservation_index(20.0, 50.0) == pytest.approx(41.76, abs=0.05)


def test_preservation_index_is_inverse_in_rh_and_falls_with_temperature() -> None:
    assert preservation_index(20.0, 25.0) == pytest.approx(2 * preservation_index(20.0, 50.0))
    assert preservation_index(25.0, 50.0) < preservation_index(20.0, 50.0)


def test_twpi_is_the_time_weighted_harmonic_mean() -> None:
    # Half the time at PI1, half at PI2: TWPI = 2 / (1/PI1 + 1/PI2), below the arithmetic mean.
    pi1, pi2 = preservation_index(15.0, 40.0), preservation_index(28.0, 60.0)
    expected = 2.0 / (1.0 / pi1 + 1.0 / pi2)
    ts = np.arange(0.0, 49 * H, H)
    t = np.where(ts < 24 * H, 15.0, 28.0)
    rh = np.where(ts < 24 * H, 40.0, 60.0)
    assert twpi(ts, t, rh) == pytest.approx(expected)
    acc = TwpiAccumulator()
    for a, b, c in zip(ts, t, rh, strict=True):
        acc.update(float(a), float(b), float(c))
    assert acc.value == pytest.approx(expected)
    assert acc.hours == pytest.approx(48.0)
    assert expected < (pi1 + pi2) / 2


def test_twpi_skips_gaps() -> None:
    acc = TwpiAccumulator(max_gap_s=H)
    acc.update(0.0, 20.0, 50.0)
    acc.update(H, 30.0, 80.0)
    acc.update(10 * H, 20.0, 50.0)  # the 9 h at the bad climate are not observed
    assert acc.value == pytest.approx(preservation_index(20.0, 50.0))


@pytest.mark.parametrize(("rh", "table"), [(30.0, 6.2), (50.0, 9.2), (65.0, 12.0)])
def test_emc_matches_wood_handbook_table_at_70f(rh: float, table: float) -> None:
    # Wood Handbook (FPL-GTR-190) Table 4-2, 70 degF (21.1 degC) column, one decimal.
    t_c = (70.0 - 32.0) / 1.8
    assert equilibrium_moisture_content(t_c, rh) == pytest.approx(table, abs=0.05)


def test_mechanical_damage_bands_and_swing() -> None:
    assert mechanical_damage(20.0, 50.0).band is MechanicalBand.OK
    assert mechanical_damage(20.0, 15.0).band is MechanicalBand.RISK_DRY  # EMC ~3.6 %
    assert mechanical_damage(20.0, 75.0).band is MechanicalBand.RISK_DAMP  # EMC ~14.4 %
    swing = mechanical_damage(20.0, 60.0, reference=(20.0, 50.0)).emc_swing_percent
    assert swing is not None
    assert swing == pytest.approx(
        equilibrium_moisture_content(20.0, 60.0) - equilibrium_moisture_content(20.0, 50.0)
    )
    assert swing > 0


def test_metal_corrosion_bands() -> None:
    assert metal_corrosion_band(20.0, 30.0) is CorrosionBand.GOOD  # EMC 6.2
    assert metal_corrosion_band(20.0, 45.0) is CorrosionBand.OK  # EMC 8.5
    assert metal_corrosion_band(20.0, 60.0) is CorrosionBand.RISK  # EMC 11.0


def test_iso9223_time_of_wetness() -> None:
    assert tow_category(10.0) is TowCategory.TAU1
    assert tow_category(10.5) is TowCategory.TAU2
    assert tow_category(2500.0) is TowCategory.TAU3
    assert tow_category(6000.0) is TowCategory.TAU5
    tow = TimeOfWetness()
    # One wet day in ten (RH 85 %, 15 degC); a freezing wet day does not count.
    for h in range(10 * 24 + 1):
        day = h // 24
        rh = 85.0 if day in (0, 1) else 50.0
        t = -2.0 if day == 1 else 15.0
        tow.update(h * H, t, rh)
    assert tow.hours_per_year == pytest.approx(876.0)
    assert tow.category is TowCategory.TAU3


def test_critical_rh_curve() -> None:
    # eq. 2 at 10 degC: -2.67 + 16.0 - 31.3 + 100 = 82.03 %; above 20 degC it is 80 %.
    assert critical_rh(10.0) == pytest.approx(82.03)
    assert critical_rh(25.0) == 80.0


def test_mould_starts_at_t_m_and_becomes_visible_near_t_v() -> None:
    # Pine, resawn (W=0, SQ=0) at 20 degC, 97 %:
    # ln t_m = -0.68 ln 20 - 13.9 ln 97 + 66.02 = -2.03710 - 63.58840 + 66.02 = 0.39450
    #   -> t_m = 1.4837 weeks = 10.386 days to M = 1
    # ln t_v = -0.74 ln 20 - 12.72 ln 97 + 61.50 = -2.21686 - 58.19075 + 61.5 = 1.09239
    #   -> t_v = 2.9814 weeks = 20.870 days to M = 3 (k2 > 0.99 below M = 3 here)
    t_m_days = 7 * math.exp(0.39450)
    t_v_days = 7 * math.exp(1.09239)
    model = MouldIndexModel()
    day_reached: dict[int, float] = {}
    for i in range((30 * 24) + 1):
        model.update(i * H, 20.0, 97.0)
        for level in (1, 3):
            if level not in day_reached and model.index >= level:
                day_reached[level] = i / 24
    assert day_reached[1] == pytest.approx(t_m_days, abs=1 / 24 + 1e-9)
    assert day_reached[3] == pytest.approx(t_v_days, rel=0.02)


def test_no_growth_below_critical_rh_and_decline_when_dry() -> None:
    assert growth_rate_per_day(0.0, 20.0, 75.0) == 0.0
    model = MouldIndexModel()
    model.index = 2.0
    for i in range(31):
        model.update(i * H, 20.0, 60.0)
    # 30 dry hours: 6 h at -0.00133, 18 h at 0, 6 h at -0.000667 -> -0.007980 - 0.004002 = -0.011982
    assert model.index == pytest.approx(2.0 - 0.011982, abs=1e-9)
    assert model.state().dry_hours == pytest.approx(30.0)


def test_growth_never_exceeds_m_max() -> None:
    # At 25 degC, 85 %: x = (80-85)/(80-100) = 0.25, M_max = 1 + 1.75 - 0.125 = 2.625
    model = MouldIndexModel()
    for i in range(24 * 400):
        model.update(i * H, 25.0, 85.0)
    assert 2.5 < model.index <= 2.625


def test_mould_model_rejects_bad_parameters() -> None:
    with pytest.raises(InvalidInput):
        MouldIndexModel(species=2)
