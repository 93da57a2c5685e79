"""Light dose in lux-hours against the CIE 157:2004 annual budgets."""

from __future__ import annotations

import pytest

from twin.analytics.conservation import LightDoseTracker, annual_budget_lxh
from twin.venue import SensitivityClass

H = 3600.0
DAY = 86400.0


def test_cie157_budgets() -> None:
    assert annual_budget_lxh(SensitivityClass.IRRESPONSIVE) is None
    assert annual_budget_lxh(SensitivityClass.LOW) == 600_000
    assert annual_budget_lxh(SensitivityClass.MEDIUM) == 150_000
    assert annual_budget_lxh(SensitivityClass.HIGH) == 15_000


def test_constant_illuminance_for_a_day() -> None:
    # 50 lx for 24 h = 1200 lx h; readings every 10 min from 00:00 to 24:00.
    tr = LightDoseTracker(SensitivityClass.MEDIUM)
    for i in range(24 * 6 + 1):
        tr.update(10 * DAY + i * 600.0, 50.0)
    st = tr.status()
    assert st.total_lxh == pytest.approx(1200.0)
    assert st.fraction_used == pytest.approx(1200.0 / 150_000)
    # Rate 1200 lx h/day; 148,800 left -> 124 days after the last reading.
    assert st.rate_lxh_per_day == pytest.approx(1200.0)
    assert st.exhausted_at == pytest.approx(11 * DAY + 124 * DAY)


def test_irregular_sampling_of_a_ramp_integrates_exactly() -> None:
    # Illuminance rising linearly 0 -> 100 lx over one hour: 50 lx h whatever the sample times.
    tr = LightDoseTracker(max_gap_s=3600.0)
    for frac in (0.0, 0.03, 0.1, 0.45, 0.46, 0.9, 1.0):
        tr.update(5 * DAY + frac * H, 100.0 * frac)
    assert tr.total_lxh == pytest.approx(50.0)


def test_gap_longer_than_max_gap_is_not_integrated() -> None:
    tr = LightDoseTracker(max_gap_s=1800.0)
    tr.update(0.0, 200.0)
    tr.update(1800.0, 200.0)  # 0.5 h at 200 lx = 100 lx h
    tr.update(1800.0 + 2 * H, 200.0)  # 2 h silent: not counted
    st = tr.status()
    assert st.total_lxh == pytest.approx(100.0)
    assert st.uncovered_s == pytest.approx(2 * H)


def test_interval_across_midnight_is_split_between_days() -> None:
    tr = LightDoseTracker(SensitivityClass.HIGH, rate_window_days=1)
    tr.update(DAY - 0.5 * H, 100.0)
    tr.update(DAY + 0.5 * H, 100.0)
    # 50 lx h before midnight, 50 after. A 1-day rate window holds only today's 50 lx h,
    # spread over min(1 day, 1 h since the first reading) = 1/24 day -> 1200 lx h/day.
    assert tr.year_lxh() == pytest.approx(100.0)
    assert tr.rate_lxh_per_day() == pytest.approx(50.0 * 24)


def test_rolling_year_forgets_exposure_older_than_365_days() -> None:
    tr = LightDoseTracker(SensitivityClass.HIGH)
    tr.update(0.0, 100.0)
    tr.update(H, 100.0)  # 100 lx h on day 0
    tr.update(400 * DAY, 0.0)  # long gap, not integrated
    tr.update(400 * DAY + H, 0.0)
    st = tr.status()
    assert st.total_lxh == pytest.approx(100.0)
    assert st.year_lxh == 0.0
    assert st.exhausted_at is None  # no light now: the budget never runs out


def test_exhausted_budget_reports_now() -> None:
    tr = LightDoseTracker(SensitivityClass.HIGH)
    # 15,000 lx h: 1500 lx for 10 h
    for i in range(11):
        tr.update(i * H, 1500.0)
    st = tr.status()
    assert st.fraction_used == pytest.approx(1.0)
    assert st.exhausted_at == pytest.approx(10 * H)


def test_irresponsive_has_no_budget_and_no_projection() -> None:
    tr = LightDoseTracker(SensitivityClass.IRRESPONSIVE)
    tr.update(0.0, 1000.0)
    tr.update(H, 1000.0)
    st = tr.status()
    assert st.budget_lxh is None
    assert st.fraction_used is None
    assert st.exhausted_at is None
    assert st.total_lxh == pytest.approx(1000.0)


def test_out_of_order_reading_is_ignored_and_negative_lux_is_zero() -> None:
    tr = LightDoseTracker()
    tr.update(H, -3.0)
    tr.update(2 * H, -3.0)
    tr.update(1.5 * H, 500.0)
    assert tr.total_lxh == 0.0
    assert tr.out_of_order == 1
