"""ASHRAE Chapter 24 class compliance, streamed hour by hour."""

from __future__ import annotations

import pytest

from twin.analytics.conservation import (
    ClimateClass,
    ClimateClassifier,
    ClimateSetpoint,
    HourSummary,
    classes_met,
)

H = 3600.0
ANNUAL = ClimateSetpoint(20.0, 50.0)


def hour(t: float, rh: float, dt: float = 0.0, drh: float = 0.0) -> HourSummary:
    return HourSummary(t, t - dt, t + dt, rh, rh - drh, rh + drh)


def feed(clf: ClimateClassifier, hours: list[tuple[float, float]], start_h: int = 0) -> None:
    """Four readings per hour at the given (T, RH); one more reading closes the last hour."""
    for i, (t, rh) in enumerate(hours):
        for q in range(4):
            clf.update((start_h + i) * H + q * 900.0, t, rh)
    clf.close_hour()


def test_steady_climate_at_set_point_meets_every_class() -> None:
    met = classes_met(hour(20.0, 50.0), ANNUAL, ANNUAL)
    assert met == frozenset(ClimateClass)


def test_seven_percent_swing_fails_aa_and_a1_but_meets_a2_and_b() -> None:
    # +-7 %RH exceeds the +-5 %RH of AA/A1 and is inside the +-10 %RH of A2/B.
    met = classes_met(hour(20.0, 50.0, drh=7.0), ANNUAL, ANNUAL)
    assert ClimateClass.AA not in met
    assert ClimateClass.A1 not in met
    assert {ClimateClass.A2, ClimateClass.B} <= met


def test_seasonal_drift_is_allowed_for_a1_but_not_for_aa() -> None:
    # Moving average 58 %RH vs annual 50: A1 may move its set point by +10, so 58+-2 fits;
    # AA may not move it ("no change"), and 56-60 is outside 50+-5.
    ma = ClimateSetpoint(20.0, 58.0)
    met = classes_met(hour(20.0, 58.0, drh=2.0), ma, ANNUAL)
    assert ClimateClass.A1 in met
    assert ClimateClass.AA not in met
    # A2 has no RH seasonal change either, but +-10 around 50 covers 60.
    assert ClimateClass.A2 in met


def test_drift_beyond_the_seasonal_limit_eats_into_the_short_term_band() -> None:
    # MA 65 vs annual 50: A1 set point can only reach 60, so readings must stay <= 65.
    ma = ClimateSetpoint(20.0, 65.0)
    assert ClimateClass.A1 in classes_met(hour(20.0, 64.0), ma, ANNUAL)
    assert ClimateClass.A1 not in classes_met(hour(20.0, 66.0), ma, ANNUAL)


def test_class_b_caps_temperature_at_30c_and_c_d_are_absolute() -> None:
    hot = classes_met(hour(31.0, 50.0), ClimateSetpoint(28.0, 50.0), ClimateSetpoint(25.0, 50.0))
    assert ClimateClass.B not in hot
    damp = classes_met(hour(20.0, 76.0), ClimateSetpoint(20.0, 76.0), ClimateSetpoint(20.0, 76.0))
    assert ClimateClass.C not in damp
    assert ClimateClass.D not in damp
    dry = classes_met(hour(20.0, 20.0), ClimateSetpoint(20.0, 20.0), ClimateSetpoint(20.0, 20.0))
    assert ClimateClass.C not in dry
    assert ClimateClass.D in dry


def test_classifier_reports_percent_of_time_in_target() -> None:
    clf = ClimateClassifier(
        ClimateClass.A1, setpoint=ANNUAL, moving_average_days=1, window_days=30, min_history_hours=1
    )
    # 30 steady hours then 10 hours at 57 %RH. The 1-day MA includes the hour being judged:
    # after k damp hours it is ((24-k)*50 + 57k)/24 = 50 + 7k/24, so the damp reading sits
    # 7(24-k)/24 above it: > 5 (fail) for k <= 6, <= 5 (pass) for k = 7..10.
    # 6 of 40 hours fail A1 -> 85 %.
    feed(clf, [(20.0, 50.0)] * 30 + [(20.0, 57.0)] * 10)
    status = clf.status()
    assert status.hours_evaluated == 40
    assert status.percent_in_target == pytest.approx(85.0)
    assert status.class_now is ClimateClass.A1


def test_classifier_class_now_is_the_strictest_met() -> None:
    clf = ClimateClassifier(
        ClimateClass.AA, setpoint=ANNUAL, moving_average_days=1, min_history_hours=1
    )
    feed(clf, [(20.0, 50.0)] * 5)
    assert clf.status().class_now is ClimateClass.AA
    feed(clf, [(20.0, 78.0)], start_h=5)
    status = clf.status()
    assert status.class_now is None
    assert status.percent_in_target == pytest.approx(100.0 * 5 / 6)


def test_no_verdict_before_enough_history() -> None:
    clf = ClimateClassifier(setpoint=ANNUAL, min_history_hours=24)
    feed(clf, [(20.0, 50.0)] * 10)
    status = clf.status()
    assert status.hours_evaluated == 0
    assert status.percent_in_target is None


def test_window_forgets_old_hours() -> None:
    clf = ClimateClassifier(
        ClimateClass.AA, setpoint=ANNUAL, moving_average_days=1, window_days=1, min_history_hours=1
    )
    feed(clf, [(20.0, 80.0)] * 24)  # all fail AA
    feed(clf, [(20.0, 50.0)] * 24, start_h=100)  # a gap, then a good day
    assert clf.status().percent_in_target == pytest.approx(100.0)


def test_late_reading_is_counted_not_applied() -> None:
    clf = ClimateClassifier(setpoint=ANNUAL, min_history_hours=1)
    clf.update(2 * H, 20.0, 50.0)
    clf.update(3 * H, 20.0, 50.0)
    clf.update(1 * H, 20.0, 99.0)
    assert clf.late_readings == 1


def test_annual_average_defaults_to_the_data() -> None:
    clf = ClimateClassifier(moving_average_days=1, min_history_hours=1)
    feed(clf, [(22.0, 45.0)] * 48)
    annual = clf.status().annual_average
    assert annual == ClimateSetpoint(22.0, 45.0)
