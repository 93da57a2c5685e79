"""The analytics service on a simulated museum day with injected sensor faults.

Faults are sized in each sensor's own noise (5 to 10 sigma, not the 20-80x
that any detector finds). Precision and recall per fault kind are scored
strictly against the simulator's ground truth (``simulators.fault_scoring``):
a detection is right only inside a fault of its own kind on the same sensor,
so one detection is never credited to two kinds. They are printed (``-s``);
the floors asserted are what an operator relies on.
"""

from __future__ import annotations

import asyncio

import pytest

from simulators.fault_campaign import noise_sd
from simulators.fault_scoring import KindScore, score_faults
from simulators.faults import Fault, FaultKind, FaultPlan
from simulators.simulator import VenueSimulator
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import AlarmManager, AlarmState, Severity
from twin.live_analytics import AnalyticsService, AnalyticsUpdate
from twin.loader import load_sample
from twin.venue import SensorKind

T0 = 1_732_525_200.0  # Monday 25 Nov 2024, 09:00 London
WARM_UP_S = 3 * 3600.0  # detectors learn each sensor before the first fault
RUN_S = 10 * 3600.0


def _plan() -> FaultPlan:
    start = T0 - RUN_S + WARM_UP_S
    hour = 3600.0
    sensors = [
        ("gallery-a-temp", SensorKind.TEMPERATURE),
        ("gallery-b-rh", SensorKind.HUMIDITY),
        ("corridor-co2", SensorKind.CO2),
        ("gallery-c-temp", SensorKind.TEMPERATURE),
        ("entrance-rh", SensorKind.HUMIDITY),
    ]
    faults: list[Fault] = []
    for i, (sensor, kind) in enumerate(sensors):
        sd = noise_sd(kind)
        t = start + i * 0.2 * hour
        faults += [
            Fault(sensor, FaultKind.SPIKE, t, t + 5.0, {"magnitude": 10.0 * sd}),
            Fault(sensor, FaultKind.STUCK, t + 1 * hour, t + 1.5 * hour),
            Fault(sensor, FaultKind.DROPOUT, t + 2 * hour, t + 2.3 * hour),
            Fault(sensor, FaultKind.OFFSET, t + 3 * hour, t + 4 * hour, {"offset": 5.0 * sd}),
            # Last: a drifting sensor does not snap back within the run.
            Fault(sensor, FaultKind.DRIFT, t + 4.2 * hour, T0, {"rate_per_h": 10.0 * sd}),
        ]
    return FaultPlan(tuple(faults))


def _score(truth: list[Fault], found: list[tuple[str, str, float]]) -> dict[FaultKind, KindScore]:
    return score_faults(truth, found)


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
    floors = {  # (recall, precision), strict
        FaultKind.SPIKE: (0.9, 0.9),
        FaultKind.STUCK: (0.9, 0.9),
        FaultKind.DROPOUT: (0.9, 0.9),
        FaultKind.OFFSET: (0.9, 0.85),
    }
    for kind, (recall, precision) in floors.items():
        assert scores[kind].recall >= recall, (kind, scores[kind])
        assert scores[kind].precision >= precision, (kind, scores[kind])
    # Drift is judged against the neighbours from about two days in service;
    # until then it is not judged: the own-history detector that stood in
    # (before issue 14's twenty-second round) found these steep drifts but
    # was right at chance on real rooms (328 false drift detections in the
    # warm-ups of museum-wing seeds 118-123). No drift alarm, right or false.
    assert scores[FaultKind.DRIFT].detections == 0, scores[FaultKind.DRIFT]


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
