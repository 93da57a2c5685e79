"""The last partial crowd step reaches listeners when readings stop or the service closes.

A replay or a run rarely ends on a step boundary: the readings after the last
whole ``crowd_step_s`` used to be held until more data came, which at the end
of a replay (or on shutdown) is never.
"""

from __future__ import annotations

import pytest

from ingest.contract import Reading
from ingest.decode import DecodeResult
from tests.unit.analytics.test_crowd_state import T0, corridor
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import AlarmManager
from twin.live_analytics import AnalyticsConfig, AnalyticsService
from twin.live_analytics.results import AnalyticsUpdate


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _service(clock: Clock) -> tuple[AnalyticsService, list[AnalyticsUpdate]]:
    venue = corridor(transit=False)
    cfg = AnalyticsConfig(crowd_step_s=10.0, crowd_finish_idle_s=5.0)
    svc = AnalyticsService([venue], AlarmManager(MemoryAlarmStore()), config=cfg, clock=clock)
    seen: list[AnalyticsUpdate] = []
    svc.add_listener(lambda _v, u: seen.append(u))
    return svc, seen


def _walk_in(svc: AnalyticsService) -> None:
    # 6 people in over 4 s of device time: less than one crowd step.
    svc.process([Reading("corridor", "west-forward", T0, 0.0)])
    svc.process([Reading("corridor", "west-forward", T0 + 4, 6.0)])


def test_a_partial_step_is_published_once_the_readings_stop() -> None:
    clock = Clock()
    svc, seen = _service(clock)
    _walk_in(svc)
    assert not [u for u in seen if u.crowd]
    clock.t += 2.0
    svc.tick(T0 + 6)
    assert not [u for u in seen if u.crowd]  # still within the idle time: data may come
    clock.t += 4.0
    svc.tick(T0 + 10)
    crowd = [u for u in seen if u.crowd]
    assert len(crowd) == 1
    last = crowd[0]
    assert last.ts == T0 + 4  # closed at the newest reading, not the tick
    assert last.crowd[0].occupancy == pytest.approx(6 / 0.96, rel=0.05)
    assert {f.gate: f.forward_per_s for f in last.flows}["west"] == pytest.approx(1.5 / 0.96)
    # Published once: nothing new since, so later ticks add nothing.
    clock.t += 60.0
    svc.tick(T0 + 70)
    assert len([u for u in seen if u.crowd]) == 1


def test_steps_resume_after_a_pause() -> None:
    clock = Clock()
    svc, seen = _service(clock)
    _walk_in(svc)
    clock.t += 6.0
    svc.tick(T0 + 10)
    svc.process([Reading("corridor", "west-forward", T0 + 14, 8.0)])
    svc.process([Reading("corridor", "west-forward", T0 + 15, 9.0)])
    # A whole step after the partial one (T0 + 4) closes at T0 + 14 as usual
    # (published with the first reading past it, T0 + 15).
    steps = [u.crowd[0].ts for u in seen if u.crowd]
    assert steps == [T0 + 4, T0 + 14]


async def test_closing_the_service_publishes_the_partial_step() -> None:
    clock = Clock()
    svc, seen = _service(clock)
    for ts, v in ((T0, 0.0), (T0 + 4, 6.0)):
        svc.on_decoded(DecodeResult([Reading("corridor", "west-forward", ts, v)]))
    updates = await svc.close()  # readings still waiting in the batcher are analysed first
    assert [u.ts for u in updates] == [T0 + 4]
    crowd = [u for u in seen if u.crowd]
    assert len(crowd) == 1
    assert crowd[0].crowd[0].occupancy == pytest.approx(6 / 0.96, rel=0.05)
