"""Injected faults: recorded in ground truth with their windows, visible in the readings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ingest.contract import Reading, SensorStatus
from simulators.errors import FaultPlanError
from simulators.faults import Fault, FaultKind, FaultPlan
from simulators.simulator import VenueSimulator
from twin.loader import load_sample
from twin.venue import Venue

T0 = 1_732_525_200.0  # Monday 09:00 London
H = 3600.0


@pytest.fixture(scope="module")
def wing() -> Venue:
    return load_sample("museum-wing")


PLAN = FaultPlan(
    (
        Fault("gallery-a-temp", FaultKind.STUCK, T0 + 0.5 * H, T0 + 1.0 * H),
        Fault(
            "gallery-b-co2", FaultKind.SPIKE, T0 + 0.6 * H, T0 + 0.6 * H + 60, {"magnitude": 800.0}
        ),
        Fault("gallery-c-rh", FaultKind.DRIFT, T0 + 0.2 * H, T0 + 1.2 * H, {"rate_per_h": 6.0}),
        Fault("corridor-temp", FaultKind.OFFSET, T0 + 0.3 * H, T0 + 0.7 * H, {"offset": 2.5}),
        Fault("entrance-rh", FaultKind.DROPOUT, T0 + 0.4 * H, T0 + 0.5 * H),
        Fault("entrance-co2", FaultKind.OFFLINE, T0 + 0.25 * H, T0 + 0.75 * H),
        Fault("gallery-a-co2", FaultKind.CLOCK_SKEW, T0 + 0.1 * H, T0 + 0.3 * H, {"skew_s": 90.0}),
        Fault("gallery-b-temp", FaultKind.DUPLICATE, T0 + 0.1 * H, T0 + 0.2 * H),
        Fault("gallery-c-temp", FaultKind.LATE, T0 + 0.1 * H, T0 + 0.2 * H, {"delay_s": 120.0}),
    )
)


def collect(sim: VenueSimulator, hours: float) -> list[tuple[float, Reading]]:
    """``(simulated time at delivery, reading)`` pairs."""
    out = []
    for _ in range(round(hours * H / 10.0)):
        readings = sim.step(10.0)
        out += [(sim.now, r) for r in readings]
    return out


@pytest.fixture(scope="module")
def runs(wing: Venue) -> tuple[VenueSimulator, list[tuple[float, Reading]], list[Reading]]:
    faulty = VenueSimulator(wing, seed=21, start=T0, faults=PLAN)
    clean = VenueSimulator(wing, seed=21, start=T0)
    return faulty, collect(faulty, 1.5), [r for _, r in collect(clean, 1.5)]


def series(readings: list[Reading], sensor: str) -> dict[float, float]:
    return {r.ts: r.value for r in readings if r.sensor == sensor}


def test_every_fault_is_in_ground_truth_with_its_window(runs: tuple) -> None:
    faulty, _, _ = runs
    got = {(f.sensor, f.kind, f.start, f.end) for f in faulty.ground_truth.faults}
    assert got == {(f.sensor, f.kind, f.start, f.end) for f in PLAN.faults}


def test_ground_truth_round_trips_through_json_lines(runs: tuple, tmp_path: Path) -> None:
    faulty, _, _ = runs
    path = tmp_path / "truth.jsonl"
    faulty.ground_truth.save_jsonl(path)
    lines = path.read_text().splitlines()
    assert len(lines) == len(PLAN)
    back = FaultPlan.from_jsonl(path)
    assert [(f.sensor, f.kind, f.start) for f in back.faults] == [
        (f.sensor, f.kind, f.start) for f in faulty.ground_truth.faults
    ]
    assert back.faults[0].params == faulty.ground_truth.records()[0]["params"]


def test_stuck_sensor_repeats_one_value_inside_its_window_only(runs: tuple) -> None:
    _, delivered, _ = runs
    s = series([r for _, r in delivered], "gallery-a-temp")
    inside = {v for t, v in s.items() if T0 + 0.5 * H <= t < T0 + 1.0 * H}
    before = {v for t, v in s.items() if T0 + 0.3 * H <= t < T0 + 0.5 * H}
    assert len(inside) == 1
    assert len(before) > 1


def test_value_faults_shift_readings_against_a_clean_twin(runs: tuple) -> None:
    _, delivered, clean = runs
    got = [r for _, r in delivered]
    # Faults leave the random streams alone, so the clean twin is the truth.
    for sensor, start, end, check in (
        ("corridor-temp", T0 + 0.3 * H, T0 + 0.7 * H, lambda d, t: np.isclose(d, 2.5, atol=0.011)),
        ("gallery-b-co2", T0 + 0.6 * H, T0 + 0.6 * H + 60, lambda d, t: np.isclose(d, 800, atol=1)),
        (
            "gallery-c-rh",
            T0 + 0.2 * H,
            T0 + 1.2 * H,
            lambda d, t: np.isclose(d, 6.0 * (t - T0 - 0.2 * H) / H, atol=0.11),
        ),
    ):
        a, b = series(got, sensor), series(clean, sensor)
        inside = [t for t in b if start <= t < end]
        outside = [t for t in b if not start <= t < end]
        assert inside
        assert all(check(a[t] - b[t], t) for t in inside), sensor
        assert all(a[t] == b[t] for t in outside), sensor


def test_dropout_and_offline_silence_the_sensor(runs: tuple) -> None:
    faulty, delivered, _ = runs
    got = [r for _, r in delivered]
    rh = series(got, "entrance-rh")
    assert not [t for t in rh if T0 + 0.4 * H <= t < T0 + 0.5 * H]
    assert [t for t in rh if t >= T0 + 0.5 * H]
    co2 = series(got, "entrance-co2")
    assert not [t for t in co2 if T0 + 0.25 * H <= t < T0 + 0.75 * H]
    events = [(e.sensor, e.status, e.ts) for e in faulty.take_status_events()]
    assert events == [
        ("entrance-co2", SensorStatus.OFFLINE, T0 + 0.25 * H),
        ("entrance-co2", SensorStatus.ONLINE, T0 + 0.75 * H),
    ]


def test_clock_skew_duplicates_and_late_delivery(runs: tuple) -> None:
    _, delivered, clean = runs
    got = [r for _, r in delivered]
    skewed = sorted(series(got, "gallery-a-co2"))
    true_ts = sorted(series(clean, "gallery-a-co2"))
    shifted = [t for t in true_ts if T0 + 0.1 * H <= t < T0 + 0.3 * H]
    assert set(skewed) == {t + 90.0 if t in shifted else t for t in true_ts}

    dup = [r.ts for r in got if r.sensor == "gallery-b-temp"]
    inside = [t for t in dup if T0 + 0.1 * H <= t < T0 + 0.2 * H]
    assert inside and all(inside.count(t) == 2 for t in inside)
    assert all(dup.count(t) == 1 for t in dup if t not in inside)

    late = [(at, r.ts) for at, r in delivered if r.sensor == "gallery-c-temp"]
    for at, ts in late:
        if T0 + 0.1 * H <= ts < T0 + 0.2 * H:
            assert at >= ts + 120.0
        else:
            assert at - ts <= 10.0
    assert len(late) == len(series(clean, "gallery-c-temp"))


def test_plans_are_checked(wing: Venue) -> None:
    with pytest.raises(FaultPlanError):
        Fault("x", FaultKind.STUCK, T0, T0)
    with pytest.raises(FaultPlanError):
        Fault("x", FaultKind.SPIKE, T0, T0 + 1, {"rate_per_h": 1.0})
    with pytest.raises(FaultPlanError):
        VenueSimulator(
            wing, start=T0, faults=FaultPlan((Fault("nope", FaultKind.STUCK, T0, T0 + 9),))
        )


def test_random_plans_are_reproducible_and_inside_the_run(wing: Venue) -> None:
    ids = [s.id for s in wing.sensors]
    a = FaultPlan.random(ids, start=T0, duration_s=8 * H, count=20, seed=3)
    b = FaultPlan.random(ids, start=T0, duration_s=8 * H, count=20, seed=3)
    assert a == b and len(a) == 20
    assert all(T0 <= f.start < f.end <= T0 + 8 * H for f in a.faults)
