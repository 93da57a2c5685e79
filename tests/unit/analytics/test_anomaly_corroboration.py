"""A level shift that several sensors of a zone see together is the room's, not a fault."""

from __future__ import annotations

from twin.analytics.anomaly import Detection, DetectionKind
from twin.analytics.anomaly.corroboration import HOLD_S, ZoneCorroboration

ZONES = {"a-temp": "a", "a-rh": "a", "a-co2": "a", "b-temp": "b"}


def _shift(sensor: str, ts: float, kind: DetectionKind = DetectionKind.LEVEL_SHIFT) -> Detection:
    return Detection(kind, sensor, ts, 0.0, 0.8, "test")


def test_a_lone_shift_is_released_after_its_hold() -> None:
    zc = ZoneCorroboration(ZONES)
    assert zc.filter([_shift("a-temp", 100.0)]) == []
    hold = HOLD_S[DetectionKind.LEVEL_SHIFT]
    assert zc.release_for("a-temp", 100.0 + hold - 1.0) == []
    released = zc.release_for("a-temp", 100.0 + hold)
    assert [d.sensor for d in released] == ["a-temp"]


def test_shifts_of_two_sensors_of_a_zone_are_both_withheld() -> None:
    # A door left open: temperature, then CO2 minutes later.
    zc = ZoneCorroboration(ZONES)
    assert zc.filter([_shift("a-temp", 100.0)]) == []
    assert zc.filter([_shift("a-co2", 280.0)]) == []
    assert zc.release_for("a-temp", 10_000.0) == []
    assert zc.release_for("a-co2", 10_000.0) == []
    assert zc.withheld == 2


def test_other_zones_and_far_apart_changes_do_not_corroborate() -> None:
    zc = ZoneCorroboration(ZONES)
    zc.filter([_shift("a-temp", 100.0)])
    zc.filter([_shift("b-temp", 150.0)])  # another zone
    zc.filter([_shift("a-rh", 100.0 + 5000.0)])  # same zone, over an hour later
    assert [d.sensor for d in zc.release_for("a-temp", 5000.0)] == ["a-temp"]
    assert [d.sensor for d in zc.release_for("b-temp", 5000.0)] == ["b-temp"]


def test_a_lone_spike_is_held_one_reading_and_sensors_without_neighbours_not_at_all() -> None:
    zc = ZoneCorroboration(ZONES)
    spike = _shift("a-temp", 100.0, DetectionKind.SPIKE)
    assert zc.filter([spike]) == []  # confirmed 2 readings late, at 120 s
    assert zc.release_for("a-temp", 120.0) == []
    assert zc.release_for("a-temp", 130.0) == [spike]  # the next reading
    alone = _shift("lux", 100.0)
    assert zc.filter([alone]) == [alone]


def test_spikes_of_two_sensors_of_a_zone_in_the_same_moment_are_the_rooms() -> None:
    # A gust through a door: the hygrometer and the thermometer jump together.
    zc = ZoneCorroboration(ZONES)
    assert zc.filter([_shift("a-rh", 100.0, DetectionKind.SPIKE)]) == []
    assert zc.filter([_shift("a-temp", 110.0, DetectionKind.SPIKE)]) == []
    assert zc.release_for("a-rh", 200.0) == []
    assert zc.release_for("a-temp", 200.0) == []


def test_a_spike_while_a_zone_mates_score_rises_is_the_rooms() -> None:
    zc = ZoneCorroboration(ZONES)
    zc.filter([_shift("a-rh", 100.0, DetectionKind.SPIKE)])
    zc.note_change("a-co2", 115.0)
    assert zc.release_for("a-rh", 200.0) == []


def test_a_zone_mates_spike_minutes_away_does_not_corroborate_a_spike() -> None:
    zc = ZoneCorroboration(ZONES)
    zc.filter([_shift("a-rh", 100.0, DetectionKind.SPIKE)])
    assert zc.release_for("a-rh", 130.0) != []
    zc.filter([_shift("a-temp", 160.0, DetectionKind.SPIKE)])
    assert [d.sensor for d in zc.release_for("a-temp", 190.0)] == ["a-temp"]


def test_a_silent_sensors_held_detection_comes_out_of_the_watchdog() -> None:
    zc = ZoneCorroboration(ZONES)
    zc.filter([_shift("a-temp", 100.0, DetectionKind.DRIFT)])
    hold = HOLD_S[DetectionKind.DRIFT]
    assert zc.release(100.0 + hold) == []  # the sensor may still report: its own call
    assert [d.kind for d in zc.release(100.0 + hold + 300.0)] == [DetectionKind.DRIFT]


def test_a_neighbours_high_score_corroborates_without_a_typed_detection() -> None:
    # The door opens: the thermometer steps; the CO2 falls too smoothly for a
    # step, but its calibrated score rises. Together: the room, not a fault.
    zc = ZoneCorroboration(ZONES)
    assert zc.filter([_shift("a-temp", 100.0)]) == []
    zc.note_change("a-co2", 160.0)
    assert zc.release_for("a-temp", 10_000.0) == []
    # Its own high score does not corroborate a sensor.
    zc.filter([_shift("b-temp", 100.0)])
    zc.note_change("b-temp", 160.0)
    assert [d.sensor for d in zc.release_for("b-temp", 10_000.0)] == ["b-temp"]


def test_a_heating_failure_is_withheld_though_its_drift_comes_hours_after_the_rh_rise() -> None:
    # The heater fails: the hygrometer's score rises within the hour (cooling
    # air at the same moisture reads wetter); the thermometer's slow average
    # leaves its anchor hours later. That is the room, not a drifting sensor.
    zc = ZoneCorroboration(ZONES)
    zc.note_change("a-rh", 1_000.0)
    assert zc.filter([_shift("a-temp", 1_000.0 + 3 * 3600.0, DetectionKind.DRIFT)]) == []
    assert zc.release_for("a-temp", 1_000.0 + 9 * 3600.0) == []
    assert zc.release(1_000.0 + 9 * 3600.0) == []


def test_a_drift_long_after_a_neighbours_change_is_still_a_sensor_fault() -> None:
    zc = ZoneCorroboration(ZONES)
    zc.note_change("a-rh", 1_000.0)
    drift_ts = 1_000.0 + 7 * 3600.0  # beyond the look-back: unrelated
    assert zc.filter([_shift("a-temp", drift_ts, DetectionKind.DRIFT)]) == []
    released = zc.release_for("a-temp", drift_ts + HOLD_S[DetectionKind.DRIFT])
    assert [d.kind for d in released] == [DetectionKind.DRIFT]


def test_a_stuck_or_silent_neighbour_does_not_make_a_drift_the_rooms() -> None:
    # AnomalyWatch notes a neighbour's high score only without a device fault;
    # the typed detections themselves never corroborate from hours back.
    zc = ZoneCorroboration(ZONES)
    assert zc.filter([_shift("a-rh", 1_000.0)]) == []  # a lone step on the hygrometer
    drift_ts = 1_000.0 + 3 * 3600.0
    assert zc.filter([_shift("a-temp", drift_ts, DetectionKind.DRIFT)]) == []
    released = zc.release_for("a-temp", drift_ts + HOLD_S[DetectionKind.DRIFT])
    assert [d.kind for d in released] == [DetectionKind.DRIFT]


def test_a_fresh_detectors_score_does_not_corroborate_a_drift_hours_later() -> None:
    # On its first day every new hour is news to a score: no sign of the room.
    zc = ZoneCorroboration(ZONES)
    zc.note_change("a-rh", 1_000.0, settled=False)
    drift_ts = 1_000.0 + 3 * 3600.0
    assert zc.filter([_shift("a-temp", drift_ts, DetectionKind.DRIFT)]) == []
    released = zc.release_for("a-temp", drift_ts + HOLD_S[DetectionKind.DRIFT])
    assert [d.kind for d in released] == [DetectionKind.DRIFT]


def test_a_sensors_score_echoing_its_own_released_shift_is_not_the_rooms() -> None:
    # The hygrometer's offset is released as its fault; 22 min into it its score
    # rises again (its detector learning the new level) while the CO2, with an
    # offset of its own, is held: the CO2's offset is still a sensor fault.
    zc = ZoneCorroboration(ZONES)
    hold = HOLD_S[DetectionKind.LEVEL_SHIFT]
    zc.filter([_shift("a-rh", 0.0)])
    assert [d.sensor for d in zc.release_for("a-rh", hold)] == ["a-rh"]
    zc.filter([_shift("a-co2", 1020.0)])
    zc.note_change("a-rh", 1350.0)
    assert [d.sensor for d in zc.release_for("a-co2", 1020.0 + hold)] == ["a-co2"]


def test_a_high_score_long_after_a_sensors_own_shift_is_the_rooms_again() -> None:
    zc = ZoneCorroboration(ZONES, echo_s=3600.0)
    hold = HOLD_S[DetectionKind.LEVEL_SHIFT]
    zc.filter([_shift("a-rh", 0.0)])
    zc.release_for("a-rh", hold)
    zc.filter([_shift("a-co2", 5000.0)])
    zc.note_change("a-rh", 5100.0)  # the door opened, an hour and more later
    assert zc.release_for("a-co2", 5000.0 + hold) == []
