"""Strict fault scoring: a detection counts only for a fault of its own kind on its sensor."""

from __future__ import annotations

import math

from simulators.fault_scoring import COUNTER_DETECTION_FOR, score_faults
from simulators.faults import Fault, FaultKind


def _truth() -> list[Fault]:
    return [
        Fault("t1", FaultKind.DRIFT, 1000.0, 5000.0, {"rate_per_h": 1.0}),
        Fault("t1", FaultKind.OFFSET, 8000.0, 9000.0, {"offset": 1.0}),
        Fault("t2", FaultKind.SPIKE, 2000.0, 2005.0, {"magnitude": 1.0}),
    ]


def test_a_level_shift_inside_a_drift_is_wrong_and_not_credited_twice() -> None:
    found = [("t1", "level_shift", 2000.0), ("t1", "drift", 3000.0)]
    scores = score_faults(_truth(), found)
    assert scores[FaultKind.OFFSET].precision == 0.0  # inside a drift, not an offset
    assert scores[FaultKind.OFFSET].recall == 0.0
    assert scores[FaultKind.DRIFT].precision == 1.0
    assert scores[FaultKind.DRIFT].recall == 1.0
    assert scores[FaultKind.DRIFT].delays_s == [2000.0]


def test_the_right_kind_on_another_sensor_is_a_false_positive() -> None:
    found = [("t1", "spike", 2001.0), ("t2", "spike", 2001.0)]
    spike = score_faults(_truth(), found)[FaultKind.SPIKE]
    assert (spike.detections, spike.correct, spike.found, spike.faults) == (2, 1, 1, 1)
    assert spike.precision == 0.5


def test_grace_after_the_end_only_for_the_faults_own_kind() -> None:
    # The step back when an offset ends is the offset's; long after it is not.
    found = [("t1", "level_shift", 9100.0), ("t1", "level_shift", 20000.0)]
    offset = score_faults(_truth(), found)[FaultKind.OFFSET]
    assert (offset.correct, offset.detections) == (1, 2)


def test_no_detections_is_undefined_precision_and_zero_recall() -> None:
    stuck = score_faults([Fault("t1", FaultKind.STUCK, 0.0, 10.0)], [])[FaultKind.STUCK]
    assert math.isnan(stuck.precision)
    assert stuck.recall == 0.0


def test_a_counter_stuck_is_right_only_inside_a_blocked_window() -> None:
    blocked = Fault("gate", FaultKind.BLOCKED, 1000.0, 2000.0)
    found = [("gate", "stuck", 1500.0), ("gate", "stuck", 5000.0), ("other", "stuck", 1500.0)]
    s = score_faults([blocked], found, (FaultKind.BLOCKED,), COUNTER_DETECTION_FOR)[
        FaultKind.BLOCKED
    ]
    assert (s.faults, s.found, s.detections, s.correct) == (1, 1, 3, 1)
    assert s.delays_s == [500.0]
