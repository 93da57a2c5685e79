"""Live state: latest value, health from thresholds, staleness, status, zone means."""

from __future__ import annotations

import pytest

from ingest.contract import Reading, SensorStatus, StatusEvent
from twin.loader import load_sample
from twin.state import Health, LiveState

V = "museum-wing"


@pytest.fixture
def state() -> LiveState:
    return LiveState(load_sample(V))


def test_latest_value_wins_and_older_readings_change_nothing(state: LiveState) -> None:
    state.apply([Reading(V, "gallery-a-temp", 100.0, 21.0)])
    changes = state.apply([Reading(V, "gallery-a-temp", 90.0, 30.0)])
    assert not changes
    s = state.sensor("gallery-a-temp")
    assert s is not None
    assert (s.value, s.ts, s.health) == (21.0, 100.0, Health.OK)


@pytest.mark.parametrize(
    ("value", "health"),
    [
        (20.0, Health.OK),
        (25.0, Health.WARN),
        (28.0, Health.ALARM),
        (16.0, Health.WARN),
        (14.0, Health.ALARM),
    ],
)
def test_health_follows_the_sensor_thresholds(
    state: LiveState, value: float, health: Health
) -> None:
    state.apply([Reading(V, "gallery-a-temp", 100.0, value)])
    s = state.sensor("gallery-a-temp")
    assert s is not None and s.health is health


def test_sensor_goes_stale_after_three_missed_intervals_and_recovers(state: LiveState) -> None:
    state.apply([Reading(V, "gallery-a-temp", 100.0, 21.0)])  # interval_s is 10
    assert not state.sweep(125.0)
    changes = state.sweep(131.0)
    assert [c.sensor for c in changes.sensors if c.health is Health.STALE] == ["gallery-a-temp"]
    state.apply([Reading(V, "gallery-a-temp", 140.0, 21.5)])
    s = state.sensor("gallery-a-temp")
    assert s is not None and s.health is Health.OK


def test_offline_status_marks_the_sensor_and_a_reading_brings_it_back(state: LiveState) -> None:
    state.apply([Reading(V, "gallery-a-temp", 100.0, 21.0)])
    state.apply_status([StatusEvent(V, "gallery-a-temp", SensorStatus.OFFLINE, 101.0)])
    s = state.sensor("gallery-a-temp")
    assert s is not None and s.health is Health.OFFLINE and not s.online
    state.apply([Reading(V, "gallery-a-temp", 110.0, 21.0)])
    s = state.sensor("gallery-a-temp")
    assert s is not None and s.online and s.health is Health.OK


def test_zone_state_averages_its_sensors_and_reports_only_real_changes(state: LiveState) -> None:
    changes = state.apply(
        [Reading(V, "gallery-a-temp", 100.0, 20.0), Reading(V, "gallery-a-co2", 100.0, 800.0)]
    )
    [zone] = changes.zones
    assert (zone.zone, zone.temperature, zone.co2, zone.humidity) == (
        "gallery-a",
        20.0,
        800.0,
        None,
    )
    again = state.apply([Reading(V, "gallery-a-temp", 101.0, 20.0)])
    assert again.sensors and not again.zones


def test_readings_of_other_venues_are_ignored(state: LiveState) -> None:
    assert not state.apply([Reading("elsewhere", "gallery-a-temp", 1.0, 1.0)])


def test_a_gateway_status_makes_no_sensor(state: LiveState) -> None:
    changes = state.apply_status([StatusEvent(V, "simulator", SensorStatus.OFFLINE, 1.0)])
    assert not changes
    assert state.sensor("simulator") is None
    assert len(state.sensors()) == len(load_sample(V).sensors)
