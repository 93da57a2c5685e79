"""The analytics service on a simulated museum day with injected sensor faults.

Precision and recall per fault kind come from the simulator's ground truth and
are printed (``-s``); the floors asserted are what an operator relies on: most
faults raise an alarm, and most alarms point at a real fault.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from simulators.faults import Fault, FaultKind, FaultPlan
from simulators.simulator import VenueSimulator
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import AlarmManager, AlarmState, Severity
from twin.live_analytics import AnalyticsService, AnalyticsUpdate
from twin.loader import load_sample

T0 = 1_732_525_200.0  # Monday 25 Nov 2024, 09:00 London
WARM_UP_S = 3 * 3600.0  # detectors learn each sensor before the first fault
RUN_S = 10 * 3600.0
GRACE_S = 900.0  # a dropout is seen at the next reading; drift takes time to show

# The detection kinds that name each fault kind correctly.
EXPECTED = {
    FaultKind.SPIKE: {"spike"},
    FaultKind.STUCK: {"stuck"},
    FaultKind.DROPOUT: {"dropout"},
    FaultKind.DRIFT: {"drift", "level_shift", "zone_disagreement"},
    FaultKind.OFFSET: {"level_shift", "zone_disagreement"},
}


def _plan() -> FaultPlan:
    start = T0 - RUN_S + WARM_UP_S
    hour = 3600.0
    sensors = [
        ("gallery-a-temp", 4.0, 2.0, 3.0),
        ("gallery-b-rh", 12.0, 4.0, 8.0),
        ("corridor-co2", 600.0, 300.0, 400.0),
        ("gallery-c-temp", 4.0, 2.0, 3.0),
        ("entrance-rh", 12.0, 4.0, 8.0),
    ]
    faults: list[Fault] = []
    for i, (sensor, spike, drift, offset) in enumerate(sensors):
        t = start + i * 0.2 * hour
        faults += [
            Fault(sensor, FaultKind.SPIKE, t, t + 20.0, {"magnitude": spike}),
            Fault(sensor, FaultKind.STUCK, t + 1 * hour, t + 1.5 * hour),
            Fault(sensor, FaultKind.DROPOUT, t + 2 * hour, t + 2.3 * hour),
            Fault(sensor, FaultKind.DRIFT, t + 3 * hour, t + 4.5 * hour, {"rate_per_h": drift}),
            Fault(sensor, FaultKind.OFFSET, t + 5.5 * hour, t + 6.5 * hour, {"offset": offset}),
        ]
    return FaultPlan(tuple(faults))


@dataclass
class Scores:
    recall: float
    precision: float
    faults: int
    detections: int


def _score(truth: list[Fault], found: list[tuple[str, str, float]]) -> dict[FaultKind, Scores]:
    def inside(f: Fault, sensor: str, ts: float) -> bool:
        return f.sensor == sensor and f.start <= ts <= f.end + GRACE_S

    out: dict[FaultKind, Scores] = {}
    for kind, names in EXPECTED.items():
        faults = [f for f in truth if f.kind is kind]
        hit = sum(any(inside(f, s, t) for s, k, t in found if k in names) for f in faults)
        mine = [(s, t) for s, k, t in found if k in names]
        true_pos = sum(any(inside(f, s, t) for f in faults) for s, t in mine)
        # A detection inside another fault's window is explained by that fault.
        false_pos = sum(not any(inside(f, s, t) for f in truth) for s, t in mine)
        precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 0.0
        out[kind] = Scores(hit / len(faults), precision, len(faults), len(mine))
    return out


@pytest.fixture(scope="module")
def simulated_run() -> tuple[list[Fault], list[tuple[str, str, float]], MemoryAlarmStore]:
    async def run() -> tuple[list[Fault], list[tuple[str, str, float]], MemoryAlarmStore]:
        venue = load_sample("museum-wing")
        store = MemoryAlarmStore()
        await store.open()
        sim = VenueSimulator(venue, seed=3, start=T0 - RUN_S, faults=_plan())
        alarms = AlarmManager(store, clock=lambda: sim.now)
        service = AnalyticsService([venue], alarms, clock=lambda: sim.now)
        found: list[tuple[str, str, float]] = []

        def collect(_venue: str, update: AnalyticsUpdate) -> None:
            # Detections while the detectors still learn the sensors are not scored.
            found.extend(
                (d.sensor, d.kind.value, d.ts)
                for a in update.anomalies
                for d in a.detections
                if d.ts >= T0 - RUN_S + WARM_UP_S
            )

        service.add_listener(collect)
        while sim.now < T0:
            service.process(sim.step(10.0))
            service.tick(sim.now)
            await service.drain()
        return list(sim.ground_truth.faults), found, store

    return asyncio.run(run())


def test_faults_are_found_with_reasonable_precision_and_recall(
    simulated_run: tuple[list[Fault], list[tuple[str, str, float]], MemoryAlarmStore],
) -> None:
    truth, found, _ = simulated_run
    scores = _score(truth, found)
    print()
    for kind, s in scores.items():
        print(
            f"{kind.value:8s} recall {s.recall:4.0%} ({s.faults} faults)  "
            f"precision {s.precision:4.0%} ({s.detections} detections)"
        )
    floors = {
        FaultKind.SPIKE: (0.8, 0.8),
        FaultKind.STUCK: (0.8, 0.8),
        FaultKind.DROPOUT: (0.8, 0.8),
        FaultKind.DRIFT: (0.8, 0.7),
        FaultKind.OFFSET: (0.8, 0.7),
    }
    for kind, (recall, precision) in floors.items():
        assert scores[kind].recall >= recall, (kind, scores[kind])
        assert scores[kind].precision >= precision, (kind, scores[kind])


async def test_sensor_faults_reach_the_operator_as_alarms(
    simulated_run: tuple[list[Fault], list[tuple[str, str, float]], MemoryAlarmStore],
) -> None:
    truth, _, store = simulated_run
    alarms = await store.alarms(limit=10_000)
    stuck = [a for a in alarms if a.kind == "anomaly.stuck"]
    assert {a.source for a in stuck} >= {f.sensor for f in truth if f.kind is FaultKind.STUCK}
    assert all(a.severity is Severity.WARNING for a in stuck)
    # Faults ended hours before the end of the run: their alarms returned to normal.
    early = [a for a in stuck if a.raised_at < T0 - 2 * 3600]
    assert early
    assert all(a.state is AlarmState.CLEARED_UNACKNOWLEDGED for a in early)
