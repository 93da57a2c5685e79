"""Per-sensor detectors on constructed series: each fault is found as its own kind."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from twin.analytics.anomaly import (
    AnomalyConfigError,
    Detection,
    DetectionKind,
    DetectorConfig,
    InvalidReadingError,
    SensorDetector,
)

STEP = 60.0  # seconds between readings


def _noise(n: int, seed: int = 7, level: float = 20.0, sd: float = 0.2) -> np.ndarray:
    return level + np.random.default_rng(seed).normal(0.0, sd, n)


def _run(
    values: np.ndarray, config: DetectorConfig | None = None, step: float = STEP
) -> tuple[list[tuple[int, Detection]], list[float]]:
    detector = SensorDetector(config or DetectorConfig(sensor="t1", unit=" C"))
    found: list[tuple[int, Detection]] = []
    scores: list[float] = []
    for i, value in enumerate(values.tolist()):
        found.extend((i, d) for d in detector.update(i * step, value))
        scores.append(detector.anomaly_score)
    return found, scores


def _kinds(found: list[tuple[int, Detection]]) -> set[DetectionKind]:
    return {d.kind for _, d in found}


def test_clean_noise_raises_nothing() -> None:
    found, scores = _run(_noise(2000))
    assert found == []
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_spike_is_reported_as_spike_at_its_reading() -> None:
    values = _noise(400)
    values[250] += 5.0  # about 25 noise sigmas
    found, scores = _run(values)
    # Confirmed two readings later (once the readings have returned), stamped
    # with the spike's own time and value.
    assert [(i, d.kind) for i, d in found] == [(252, DetectionKind.SPIKE)]
    spike = found[0][1]
    assert spike.sensor == "t1"
    assert spike.ts == 250 * STEP
    assert spike.value == values[250]
    assert 0.63 < spike.score <= 1.0
    assert "above the readings around it" in spike.explanation
    # The combined score ranks the spike above every other reading.
    assert int(np.argmax(scores)) == 250


def test_level_shift_is_confirmed_within_a_few_readings() -> None:
    values = _noise(600)
    values[300:] += 2.0  # a 10-sigma step that stays
    found, _ = _run(values)
    shifts = [i for i, d in found if d.kind is DetectionKind.LEVEL_SHIFT]
    assert len(shifts) == 1
    assert 300 <= shifts[0] <= 305
    assert DetectionKind.DRIFT not in _kinds(found)
    text = next(d.explanation for _, d in found if d.kind is DetectionKind.LEVEL_SHIFT)
    assert "shifted up" in text


def test_slow_drift_is_detected_late_and_only_as_drift() -> None:
    values = _noise(3000)
    ramp_start = 200
    values[ramp_start:] += 0.002 * np.arange(3000 - ramp_start)  # 0.01 sigma per reading
    found, _ = _run(values)
    drifts = [i for i, d in found if d.kind is DetectionKind.DRIFT]
    assert drifts, "a ramp of 5.6 units must be reported as drift"
    # Slowly: not before the ramp has moved about drift_sigma noise scales.
    assert drifts[0] > ramp_start + 300
    assert _kinds(found) == {DetectionKind.DRIFT}
    assert "+" in next(d.explanation for i, d in found if i == drifts[0])


def test_drift_can_be_disabled_for_cyclic_sensors() -> None:
    values = _noise(3000)
    values[200:] += 0.002 * np.arange(2800)
    found, _ = _run(values, DetectorConfig(drift_sigma=None))
    assert DetectionKind.DRIFT not in _kinds(found)


def test_a_room_change_far_above_the_noise_is_not_a_fault() -> None:
    # Readings every 10 s of a room warming by 3 degC over an hour and cooling back:
    # 60 noise sigmas, but smooth from one reading to the next.
    n = 2000
    t = np.arange(n)
    values = 20.0 + 3.0 * np.sin(np.pi * np.clip(t - 500, 0, 720) / 720.0)
    values = values + np.random.default_rng(5).normal(0.0, 0.05, n)
    found, _ = _run(values, DetectorConfig(sensor="t1", drift_sigma=None), step=10.0)
    assert found == []


def test_an_offset_of_five_noise_sigmas_is_a_level_shift_not_a_spike() -> None:
    values = _noise(1200, sd=0.05)
    values[600:900] += 0.25
    found, _ = _run(values, DetectorConfig(sensor="t1", drift_sigma=None))
    assert [(i, d.kind) for i, d in found] == [
        (605, DetectionKind.LEVEL_SHIFT),
        (905, DetectionKind.LEVEL_SHIFT),
    ]
    assert found[0][1].ts == 600 * STEP  # the first reading after the step


def test_stuck_sensor_is_reported_once_after_stuck_count_readings() -> None:
    values = _noise(400)
    values[200:300] = 20.0
    found, _ = _run(values)
    assert [(i, d.kind) for i, d in found] == [(230, DetectionKind.STUCK)]
    assert "stuck at 20" in found[0][1].explanation


def test_naturally_constant_sensor_is_not_called_stuck() -> None:
    found, _ = _run(np.full(300, 1.0))
    assert DetectionKind.STUCK not in _kinds(found)


def test_dropout_flagged_on_the_reading_after_a_long_gap() -> None:
    detector = SensorDetector(DetectorConfig(sensor="co2-3", dropout_factor=3.0))
    values = _noise(50).tolist()
    for i, value in enumerate(values[:40]):
        assert detector.update(i * STEP, value) == []
    last = 39 * STEP
    # A watchdog sees the silence before the sensor comes back...
    assert detector.check_silence(last + 2 * STEP) is None
    silent = detector.check_silence(last + 5 * STEP)
    assert silent is not None and silent.kind is DetectionKind.DROPOUT
    # ...and the next reading reports the gap.
    found = detector.update(last + 10 * STEP, values[40])
    assert [d.kind for d in found] == [DetectionKind.DROPOUT]
    assert "no reading for 10 min 0 s (expected every 1 min 0 s)" in found[0].explanation
    # The learned interval is not stretched by the gap.
    assert detector.update(last + 11 * STEP, values[41]) == []


def test_out_of_range_reading_is_flagged_and_does_not_move_the_level() -> None:
    config = DetectorConfig(physical_min=-40.0, physical_max=85.0)
    values = _noise(200)
    values[150] = 150.0
    detector = SensorDetector(config)
    found: list[tuple[int, Detection]] = []
    for i, value in enumerate(values.tolist()):
        found.extend((i, d) for d in detector.update(i * STEP, value))
        if i == 149:
            level_before = detector.level
        if i == 150:
            assert detector.anomaly_score == 1.0
            assert detector.level == level_before
    assert [(i, d.kind) for i, d in found] == [(150, DetectionKind.OUT_OF_RANGE)]


def test_late_and_duplicate_readings_are_ignored_and_counted() -> None:
    detector = SensorDetector()
    detector.update(100.0, 1.0)
    assert detector.update(100.0, 50.0) == []
    assert detector.update(90.0, 50.0) == []
    assert detector.late_readings == 2


def test_non_finite_reading_is_rejected() -> None:
    with pytest.raises(InvalidReadingError):
        SensorDetector().update(0.0, float("nan"))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"physical_min": 10.0, "physical_max": 0.0},
        {"baseline_alpha": 0.0},
        {"spike_sigma": -1.0},
        {"dropout_factor": 1.0},
        {"stuck_count": 1},
    ],
)
def test_invalid_config_is_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(AnomalyConfigError):
        DetectorConfig(**kwargs)
