"""A blocked gate counter: its count freezes in the window and the crossings then are lost."""

from __future__ import annotations

from simulators.faults import ANY_SENSOR, Fault, FaultKind, FaultPlan
from simulators.simulator import VenueSimulator
from twin.loader import load_sample

T0 = 1_732_525_200.0  # Monday 09:00 London
H = 3600.0
GATE = "gate-main-door"


def _counts(plan: FaultPlan | None) -> tuple[dict[str, list[tuple[float, float]]], VenueSimulator]:
    sim = VenueSimulator(load_sample("museum-wing"), seed=4, start=T0, faults=plan)
    out: dict[str, list[tuple[float, float]]] = {}
    for r in sim.step(3 * H):
        out.setdefault(r.sensor, []).append((r.ts, r.value))
    return out, sim


def test_blocked_counter_keeps_its_last_count_then_resumes_without_the_lost_crossings() -> None:
    start, end = T0 + 0.5 * H, T0 + 1.5 * H
    clean, _ = _counts(None)
    faulty, sim = _counts(FaultPlan((Fault(GATE, FaultKind.BLOCKED, start, end),)))
    assert [f.kind for f in sim.ground_truth.faults] == [FaultKind.BLOCKED]
    inside = [v for t, v in faulty[GATE] if start <= t < end]
    assert len(set(inside)) == 1  # frozen at its count when the beam was blocked
    truth = dict(clean[GATE])
    lost = max(truth[t] for t, _ in faulty[GATE] if t < end) - inside[0]
    assert lost > 0  # people crossed the morning door meanwhile
    for t, v in faulty[GATE]:
        if t < start:
            assert v == truth[t]
        elif t >= end:
            assert v == truth[t] - lost  # counting again, from the frozen count
    # Every other sensor reads as without the fault.
    for sensor, rows in clean.items():
        if sensor != GATE:
            assert faulty[sensor] == rows


def test_random_plans_never_block_sensors_that_do_not_count() -> None:
    assert FaultKind.BLOCKED not in ANY_SENSOR
    plan = FaultPlan.random(["t1", "t2"], start=T0, duration_s=8 * H, count=50, seed=1)
    assert all(f.kind is not FaultKind.BLOCKED for f in plan.faults)
