"""Alarm lifecycle, deduplication, flood suppression and shelving (memory store, fake clock)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import (
    FLOOD_KIND,
    Action,
    AlarmEvent,
    AlarmManager,
    AlarmState,
    FloodPolicy,
    IllegalTransition,
    Severity,
    UnknownAlarm,
)


class Clock:
    def __init__(self, t: float = 1_700_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
async def store() -> AsyncIterator[MemoryAlarmStore]:
    s = MemoryAlarmStore()
    await s.open()
    yield s
    await s.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def manager(store: MemoryAlarmStore, clock: Clock) -> AlarmManager:
    return AlarmManager(store, flood=FloodPolicy(max_new=5, window_s=60.0), clock=clock)


async def _raise(m: AlarmManager, source: str = "t1", kind: str = "anomaly.stuck") -> str:
    a = await m.raise_alarm("v", source, kind, Severity.WARNING, "stuck at 21.0", value=21.0)
    return a.alarm_id


async def test_ack_then_clear_closes_the_alarm_with_full_history(
    manager: AlarmManager, clock: Clock
) -> None:
    aid = await _raise(manager)
    clock.t += 10
    acked = await manager.acknowledge(aid, "ana", "technician called")
    assert acked.state is AlarmState.ACKNOWLEDGED
    assert (acked.acknowledged_by, acked.note) == ("ana", "technician called")
    clock.t += 10
    cleared = await manager.clear("v", "t1", "anomaly.stuck")
    assert cleared is not None and cleared.state is AlarmState.CLEARED
    assert manager.open_alarms() == []
    history = await manager.history(aid)
    assert [(h.action, h.to_state, h.user) for h in history] == [
        (Action.RAISE, AlarmState.RAISED, "system"),
        (Action.ACKNOWLEDGE, AlarmState.ACKNOWLEDGED, "ana"),
        (Action.CLEAR, AlarmState.CLEARED, "system"),
    ]
    assert history[1].note == "technician called"
    assert [h.ts for h in history] == [clock.t - 20, clock.t - 10, clock.t]


async def test_return_to_normal_unacknowledged_waits_for_the_operator(
    manager: AlarmManager,
) -> None:
    aid = await _raise(manager)
    cleared = await manager.clear("v", "t1", "anomaly.stuck")
    assert cleared is not None and cleared.state is AlarmState.CLEARED_UNACKNOWLEDGED
    assert [a.alarm_id for a in manager.open_alarms()] == [aid]
    closed = await manager.acknowledge(aid, "ana")
    assert closed.state is AlarmState.CLEARED
    assert manager.open_alarms() == []


async def test_condition_back_before_ack_reraises_the_same_alarm(manager: AlarmManager) -> None:
    aid = await _raise(manager)
    await manager.clear("v", "t1", "anomaly.stuck")
    again = await manager.raise_alarm("v", "t1", "anomaly.stuck", Severity.WARNING, "again")
    assert again.alarm_id == aid
    assert again.state is AlarmState.RAISED and again.count == 2 and again.active


@pytest.mark.parametrize(
    ("setup", "operation", "words"),
    [
        ("acked", "ack", "cannot acknowledge"),
        ("closed", "ack", "it is cleared"),
        ("closed", "shelve", "cannot shelve"),
        ("shelved", "ack", "it is shelved"),
    ],
)
async def test_illegal_operations_are_refused_with_a_reason(
    manager: AlarmManager, setup: str, operation: str, words: str
) -> None:
    aid = await _raise(manager)
    if setup in ("acked", "closed"):
        await manager.acknowledge(aid, "ana")
    if setup == "closed":
        await manager.clear("v", "t1", "anomaly.stuck")
    if setup == "shelved":
        await manager.shelve(aid, "ana", duration_s=60)
    calls = {
        "ack": lambda: manager.acknowledge(aid, "bob"),
        "shelve": lambda: manager.shelve(aid, "bob", duration_s=60),
        "unshelve": lambda: manager.unshelve(aid, "bob"),
    }
    with pytest.raises(IllegalTransition, match=words):
        await calls[operation]()


async def test_unknown_alarm_is_an_error(manager: AlarmManager) -> None:
    with pytest.raises(UnknownAlarm):
        await manager.acknowledge("nope", "ana")


async def test_repeats_deduplicate_into_one_alarm_with_count_and_latest_value(
    manager: AlarmManager, store: MemoryAlarmStore
) -> None:
    events: list[AlarmEvent] = []
    manager.add_listener(events.append)
    for i in range(5):
        await manager.raise_alarm("v", "t1", "anomaly.spike", Severity.INFO, f"#{i}", value=i)
    (alarm,) = manager.open_alarms()
    assert (alarm.count, alarm.value, alarm.message) == (5, 4.0, "#4")
    assert len(await store.alarms()) == 1
    assert len(await store.alarm_history(alarm.alarm_id)) == 1  # repeats are not transitions
    assert [e.transition is None for e in events] == [False, True, True, True, True]
    # A more severe repeat escalates the alarm.
    worse = await manager.raise_alarm("v", "t1", "anomaly.spike", Severity.CRITICAL, "big")
    assert worse.severity is Severity.CRITICAL


async def test_a_new_alarm_after_closing_is_a_new_alarm(manager: AlarmManager) -> None:
    first = await _raise(manager)
    await manager.acknowledge(first, "ana")
    await manager.clear("v", "t1", "anomaly.stuck")
    second = await _raise(manager)
    assert second != first


async def test_flood_groups_alarms_beyond_the_limit_per_minute(
    manager: AlarmManager, clock: Clock
) -> None:
    for i in range(12):
        clock.t += 1
        await manager.raise_alarm("v", f"s{i}", "anomaly.dropout", Severity.WARNING, "silent")
    open_ = manager.open_alarms("v")
    floods = [a for a in open_ if a.kind == FLOOD_KIND]
    assert len(open_) == 6  # five real ones and the flood alarm
    assert len(floods) == 1 and floods[0].count == 7 and floods[0].value == 7.0
    assert floods[0].severity is Severity.CRITICAL
    # Another venue is not affected.
    other = await manager.raise_alarm("w", "s0", "anomaly.dropout", Severity.WARNING, "silent")
    assert other.kind == "anomaly.dropout"
    # A minute without suppression ends the flood; new alarms are alarms again.
    clock.t += 61
    changed = await manager.tick()
    assert [a.kind for a in changed] == [FLOOD_KIND]
    assert changed[0].state is AlarmState.CLEARED_UNACKNOWLEDGED
    fresh = await manager.raise_alarm("v", "s99", "anomaly.dropout", Severity.WARNING, "x")
    assert fresh.kind == "anomaly.dropout"


async def test_shelving_expires_and_the_alarm_comes_back_if_still_active(
    manager: AlarmManager, clock: Clock
) -> None:
    aid = await _raise(manager)
    shelved = await manager.shelve(aid, "ana", duration_s=3600, note="maintenance")
    assert shelved.state is AlarmState.SHELVED and shelved.shelved_until == clock.t + 3600
    await _raise(manager)  # repeats while shelved stay shelved
    clock.t += 3599
    assert await manager.tick() == []
    clock.t += 1
    (back,) = await manager.tick()
    assert back.alarm_id == aid and back.state is AlarmState.RAISED and back.count == 2
    history = await manager.history(aid)
    assert (history[-1].action, history[-1].note) == (Action.UNSHELVE, "shelving expired")


async def test_a_shelved_alarm_whose_condition_clears_stays_shelved_until_unshelved(
    manager: AlarmManager, clock: Clock
) -> None:
    """ISA-18.2: shelving suppresses for its duration whatever the condition does;
    unshelving a returned-to-normal alarm returns it to normal (closed)."""
    events: list[AlarmEvent] = []
    manager.add_listener(events.append)
    aid = await _raise(manager)
    await manager.shelve(aid, "ana", duration_s=900, note="sensor being replaced")
    clock.t += 5
    cleared = await manager.clear("v", "t1", "anomaly.stuck")
    assert cleared is not None
    assert cleared.state is AlarmState.SHELVED and not cleared.active
    assert cleared.shelved_until is not None
    # Listeners (the page) hear of the change: still shelved, condition gone.
    assert (events[-1].alarm.state, events[-1].alarm.active) == (AlarmState.SHELVED, False)
    assert [a.alarm_id for a in manager.open_alarms()] == [aid]
    clock.t += 5
    back = await manager.unshelve(aid, "ana")
    assert back.state is AlarmState.CLEARED and manager.open_alarms() == []
    actions = [(t.action, t.to_state) for t in await manager.history(aid)]
    assert actions == [
        (Action.RAISE, AlarmState.RAISED),
        (Action.SHELVE, AlarmState.SHELVED),
        (Action.CLEAR, AlarmState.SHELVED),
        (Action.UNSHELVE, AlarmState.CLEARED),
    ]


async def test_a_condition_that_clears_and_returns_while_shelved_is_raised_on_unshelve(
    manager: AlarmManager, clock: Clock
) -> None:
    aid = await _raise(manager)
    await manager.acknowledge(aid, "ana")
    await manager.shelve(aid, "ana", duration_s=900)
    await manager.clear("v", "t1", "anomaly.stuck")
    again = await manager.raise_alarm("v", "t1", "anomaly.stuck", Severity.WARNING, "again")
    assert again.alarm_id == aid and again.state is AlarmState.SHELVED and again.active
    back = await manager.unshelve(aid, "bob")
    # Active again after the shelf: it needs a fresh acknowledgement.
    assert back.state is AlarmState.RAISED and back.acknowledged_by is None


async def test_a_shelved_alarm_whose_condition_cleared_closes_on_expiry(
    manager: AlarmManager, clock: Clock
) -> None:
    aid = await _raise(manager)
    await manager.shelve(aid, "ana", duration_s=60)
    await manager.clear("v", "t1", "anomaly.stuck")
    clock.t += 59
    assert await manager.tick() == []
    clock.t += 1
    (closed,) = await manager.tick()
    assert closed.alarm_id == aid and closed.state is AlarmState.CLEARED
    assert manager.open_alarms() == []


@pytest.mark.parametrize("setup", ["closed", "expired", "raised"])
async def test_unshelving_an_alarm_that_is_not_shelved_is_a_no_op(
    manager: AlarmManager, clock: Clock, setup: str
) -> None:
    """A stale page may ask after the shelf ended: the answer is the alarm as it is."""
    aid = await _raise(manager)
    if setup in ("closed", "expired"):
        await manager.shelve(aid, "ana", duration_s=60)
        await manager.clear("v", "t1", "anomaly.stuck")
    if setup == "closed":
        await manager.unshelve(aid, "ana")
    if setup == "expired":
        clock.t += 61
        await manager.tick()
    before = await manager.history(aid)
    events: list[AlarmEvent] = []
    manager.add_listener(events.append)
    same = await manager.unshelve(aid, "bob")
    want = AlarmState.RAISED if setup == "raised" else AlarmState.CLEARED
    assert same.state is want and same.alarm_id == aid
    assert await manager.history(aid) == before and events == []


async def test_open_alarms_are_reloaded_after_a_restart(
    manager: AlarmManager, store: MemoryAlarmStore, clock: Clock
) -> None:
    aid = await _raise(manager)
    fresh = AlarmManager(store, clock=clock)
    assert await fresh.load() == 1
    again = await fresh.raise_alarm("v", "t1", "anomaly.stuck", Severity.WARNING, "still")
    assert again.alarm_id == aid and again.count == 2


async def test_every_change_has_a_higher_revision_whatever_its_timestamp(
    manager: AlarmManager, store: MemoryAlarmStore, clock: Clock
) -> None:
    """A page merges REST answers with live frames and keeps the newer copy.

    Times cannot order them: the shelve is stamped by the server's clock, and a
    reading taken just before it (so stamped earlier) can clear the condition
    just after it. The revision follows the order the changes were made in.
    """
    events: list[AlarmEvent] = []
    manager.add_listener(events.append)
    raised = await manager.raise_alarm(
        "v", "t1", "threshold", Severity.CRITICAL, "120 C", value=120.0, ts=clock.t
    )
    again = await manager.raise_alarm(
        "v", "t1", "threshold", Severity.CRITICAL, "120 C", value=120.0, ts=clock.t + 1
    )
    clock.t += 2
    shelved = await manager.shelve(raised.alarm_id, "ana", duration_s=900)
    cleared = await manager.clear("v", "t1", "threshold", ts=clock.t - 0.5)
    assert cleared is not None and cleared.updated_at < shelved.updated_at
    revisions = [raised.revision, again.revision, shelved.revision, cleared.revision]
    assert revisions == [1, 2, 3, 4]
    # What listeners (the page's frames) hear is what the callers (REST) got.
    assert [e.alarm.revision for e in events] == revisions
    # Kept in the store, so a restart goes on counting from there.
    fresh = AlarmManager(store, clock=clock)
    await fresh.load()
    back = await fresh.unshelve(raised.alarm_id, "ana")
    assert back.revision == 5 and back.state is AlarmState.CLEARED
