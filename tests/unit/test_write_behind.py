"""Alarm and command history survives a database outage, in order, in bounded memory."""

from __future__ import annotations

from typing import Any

import pytest

from ingest.contract import Command
from twin.alarm_stores import MemoryAlarmStore
from twin.alarms import AlarmManager, AlarmState, AlarmStoreError, AlarmStoreUnavailable, Severity
from twin.alarms.model import Alarm, AlarmTransition
from twin.commands import CommandTracker
from twin.commands.model import CommandRecord, CommandTransition
from twin.write_behind import WriteBehind

V = "museum-wing"


class FlakyStore(MemoryAlarmStore):
    """The memory store behind a switch: down, it refuses every write as unavailable."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False
        self.poison: set[str] = set()

    async def save_alarm(self, alarm: Alarm, transition: AlarmTransition | None) -> None:
        if self.down:
            raise AlarmStoreUnavailable("connection refused")
        if alarm.source in self.poison:
            raise AlarmStoreError("value out of range for column")
        await super().save_alarm(alarm, transition)

    async def save_command(self, record: CommandRecord, transition: CommandTransition) -> None:
        if self.down:
            raise AlarmStoreUnavailable("connection refused")
        await super().save_command(record, transition)


class Publisher:
    def __init__(self) -> None:
        self.sent: list[Command] = []

    async def publish(self, command: Command) -> None:
        self.sent.append(command)


@pytest.fixture
async def store() -> FlakyStore:
    s = FlakyStore()
    await s.open()
    return s


async def test_alarms_raised_and_acknowledged_during_an_outage_reach_the_store_in_order(
    store: FlakyStore,
) -> None:
    alarms = AlarmManager(store)
    store.down = True
    alarm = await alarms.raise_alarm(V, "gallery-a-temp", "high", Severity.CRITICAL, "hot", ts=10)
    acked = await alarms.acknowledge(alarm.alarm_id, "olga", "fan on")
    # The operator sees it while the database is away; the store has nothing yet.
    assert [a.state for a in alarms.open_alarms(V)] == [AlarmState.ACKNOWLEDGED]
    assert await store.get_alarm(alarm.alarm_id) is None
    assert alarms.writes.pending == 2
    await alarms.tick()  # still down: nothing lost, nothing written
    assert alarms.writes.pending == 2

    store.down = False
    await alarms.tick()
    assert alarms.writes.pending == 0
    assert await store.get_alarm(alarm.alarm_id) == acked
    history = await store.alarm_history(alarm.alarm_id)
    assert [(t.action.value, t.user, t.note) for t in history] == [
        ("raise", "system", ""),
        ("acknowledge", "olga", "fan on"),
    ]


async def test_a_write_the_store_refuses_for_good_is_dropped_without_blocking_the_rest(
    store: FlakyStore,
) -> None:
    alarms = AlarmManager(store)
    store.poison.add("broken-sensor")
    await alarms.raise_alarm(V, "broken-sensor", "k", Severity.WARNING, "m", ts=1)
    good = await alarms.raise_alarm(V, "gallery-a-rh", "k", Severity.WARNING, "m", ts=2)
    assert alarms.writes.dropped == 1 and alarms.writes.pending == 0
    assert await store.get_alarm(good.alarm_id) == good


async def test_commands_confirmed_during_an_outage_are_stored_once_it_ends(
    store: FlakyStore,
) -> None:
    publisher = Publisher()
    tracker = CommandTracker(store, publisher)
    store.down = True
    record = await tracker.request(
        V, "gate-1", "close", {}, origin="rule:corridor-los", require_confirmation=True
    )
    confirmed = await tracker.confirm(record.command_id, "olga")
    assert [c.action for c in publisher.sent] == ["close"]  # the gate closes meanwhile
    store.down = False
    await tracker.tick()
    stored = await store.get_command(record.command_id)
    assert stored is not None and stored.state is confirmed.state
    history = await store.command_history(record.command_id)
    assert [(t.to_state.value, t.user) for t in history] == [
        ("pending_confirmation", "rule:corridor-los"),
        ("sent", "olga"),
    ]


async def test_the_queue_is_bounded_and_keeps_the_newest() -> None:
    written: list[int] = []
    down = True

    def write(n: int) -> Any:
        async def go() -> None:
            if down:
                raise AlarmStoreUnavailable("down")
            written.append(n)

        return go

    wb = WriteBehind(
        "test", retry_on=(AlarmStoreUnavailable,), give_up_on=(AlarmStoreError,), max_pending=3
    )
    for n in range(5):
        await wb.submit(write(n))
    assert (wb.pending, wb.dropped) == (3, 2)
    down = False
    assert await wb.flush()
    assert written == [2, 3, 4]
