"""One conformance suite for the alarm and command stores: memory, SQLite file, real PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

import pytest

from tests.fixtures.postgres import PostgresServer
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarm_stores.postgres import PostgresAlarmStore
from twin.alarm_stores.sqlite import SqliteAlarmStore
from twin.alarms import (
    Action,
    Alarm,
    AlarmManager,
    AlarmState,
    AlarmStore,
    AlarmStoreError,
    AlarmTransition,
    Severity,
)
from twin.alarms.texts import AlarmText, render
from twin.commands import CommandRecord, CommandState, CommandStore, CommandTransition

T0 = 1_700_000_000.125


class AnyStore(AlarmStore, CommandStore, Protocol):
    """What every adapter implements."""


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AnyStore]:
    s: AnyStore
    if request.param == "memory":
        s = MemoryAlarmStore()
    elif request.param == "sqlite":
        s = SqliteAlarmStore(tmp_path / "alarms.db")
    else:
        s = PostgresAlarmStore(request.getfixturevalue("pg_url"))
    await s.open()
    yield s
    await s.close()


def alarm(aid: str, venue: str = "v", raised: float = T0, **kw: object) -> Alarm:
    base = Alarm(
        aid,
        venue,
        "t1",
        "anomaly.stuck",
        Severity.WARNING,
        AlarmState.RAISED,
        "stuck at 21.0 degC",
        21.0,
        1,
        True,
        raised,
        raised,
    )
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


async def test_alarm_text_key_and_parameters_round_trip(store: AnyStore) -> None:
    text = AlarmText("anomaly.dropout", {"gap_s": 86_400.0, "expected_s": 10, "since_at": T0})
    a = alarm("t1", message=render(text), text=text)
    await store.save_alarm(
        a, AlarmTransition("t1", T0, Action.RAISE, None, AlarmState.RAISED, "system")
    )
    got = await store.get_alarm("t1")
    assert got is not None and got.text == text
    assert render(got.text, "zh-CN").startswith("已 24 小时 0 分 无读数")


async def test_alarm_round_trips_exactly_with_its_history(store: AnyStore) -> None:
    a = alarm("a1")
    await store.save_alarm(
        a, AlarmTransition("a1", T0, Action.RAISE, None, AlarmState.RAISED, "system")
    )
    acked = dataclasses.replace(
        a,
        state=AlarmState.ACKNOWLEDGED,
        acknowledged_at=T0 + 1.5,
        acknowledged_by="ana",
        note="on it",
        updated_at=T0 + 1.5,
    )
    note = AlarmTransition(
        "a1",
        T0 + 1.5,
        Action.ACKNOWLEDGE,
        AlarmState.RAISED,
        AlarmState.ACKNOWLEDGED,
        "ana",
        "on it",
    )
    await store.save_alarm(acked, note)
    repeat = dataclasses.replace(acked, count=2, value=None, updated_at=T0 + 2, revision=3)
    await store.save_alarm(repeat, None)
    assert await store.get_alarm("a1") == repeat
    assert await store.get_alarm("missing") is None
    history = await store.alarm_history("a1")
    assert [h.action for h in history] == [Action.RAISE, Action.ACKNOWLEDGE]
    assert history[1] == note


async def test_open_alarms_and_listing_filters(store: AnyStore) -> None:
    await store.save_alarm(alarm("a1", raised=T0), None)
    await store.save_alarm(alarm("a2", raised=T0 + 10, state=AlarmState.CLEARED), None)
    await store.save_alarm(
        alarm("a3", venue="w", raised=T0 + 20, state=AlarmState.CLEARED_UNACKNOWLEDGED), None
    )
    await store.save_alarm(
        alarm("a4", raised=T0 + 30, state=AlarmState.SHELVED, shelved_until=T0 + 99), None
    )
    assert [a.alarm_id for a in await store.open_alarms()] == ["a4", "a3", "a1"]
    assert [a.alarm_id for a in await store.open_alarms("v")] == ["a4", "a1"]
    assert [a.alarm_id for a in await store.alarms()] == ["a4", "a3", "a2", "a1"]
    assert [a.alarm_id for a in await store.alarms("v", limit=2)] == ["a4", "a2"]
    assert [a.alarm_id for a in await store.alarms(since=T0 + 15)] == ["a4", "a3"]


async def test_alarms_list_by_last_change_for_the_alarm_log(store: AnyStore) -> None:
    # Raised long ago but changed last: first in the log, last by raise time.
    await store.save_alarm(alarm("old", raised=T0, updated_at=T0 + 500), None)
    await store.save_alarm(alarm("mid", raised=T0 + 100, updated_at=T0 + 100), None)
    await store.save_alarm(alarm("new", raised=T0 + 200, updated_at=T0 + 250), None)
    assert [a.alarm_id for a in await store.alarms("v")] == ["new", "mid", "old"]
    by_change = await store.alarms("v", by="updated")
    assert [a.alarm_id for a in by_change] == ["old", "new", "mid"]
    assert [a.alarm_id for a in await store.alarms("v", by="updated", limit=1)] == ["old"]


async def test_commands_round_trip_with_history_and_open_list(store: AnyStore) -> None:
    rec = CommandRecord(
        "c1",
        "v",
        "main-door",
        "close",
        {"speed": 1.5, "force": True, "mode": "slow"},
        CommandState.PENDING_CONFIRMATION,
        "rule:r1",
        T0,
        T0,
        expires_at=T0 + 300,
    )
    await store.save_command(rec, CommandTransition("c1", T0, None, rec.state, "rule:r1"))
    sent = dataclasses.replace(
        rec,
        state=CommandState.SENT,
        sent_at=T0 + 5,
        deadline=T0 + 35,
        confirmed_by="ana",
        updated_at=T0 + 5,
        detail="published",
    )
    await store.save_command(
        sent, CommandTransition("c1", T0 + 5, rec.state, sent.state, "ana", "published")
    )
    done = dataclasses.replace(sent, state=CommandState.ACKNOWLEDGED, updated_at=T0 + 6)
    other = dataclasses.replace(rec, command_id="c2", venue="w", created_at=T0 + 1)
    await store.save_command(other, CommandTransition("c2", T0 + 1, None, other.state, "x"))
    assert await store.get_command("c1") == sent
    assert [c.command_id for c in await store.open_commands()] == ["c2", "c1"]
    await store.save_command(
        done, CommandTransition("c1", T0 + 6, sent.state, done.state, "device:main-door")
    )
    assert [c.command_id for c in await store.open_commands()] == ["c2"]
    assert [c.command_id for c in await store.commands("v")] == ["c1"]
    history = await store.command_history("c1")
    assert [(h.from_state, h.to_state) for h in history] == [
        (None, CommandState.PENDING_CONFIRMATION),
        (CommandState.PENDING_CONFIRMATION, CommandState.SENT),
        (CommandState.SENT, CommandState.ACKNOWLEDGED),
    ]
    assert (await store.get_command("c1")) == done
    assert await store.get_command("nope") is None


async def test_manager_on_a_real_store_survives_a_restart(store: AnyStore) -> None:
    t = [T0]
    m = AlarmManager(store, clock=lambda: t[0])
    a = await m.raise_alarm("v", "t1", "anomaly.stuck", Severity.WARNING, "stuck")
    await m.acknowledge(a.alarm_id, "ana", "known")
    m2 = AlarmManager(store, clock=lambda: t[0])
    assert await m2.load() == 1
    cleared = await m2.clear("v", "t1", "anomaly.stuck")
    assert cleared is not None and cleared.state is AlarmState.CLEARED
    history = await store.alarm_history(a.alarm_id)
    assert [(h.action, h.user, h.note) for h in history] == [
        (Action.RAISE, "system", ""),
        (Action.ACKNOWLEDGE, "ana", "known"),
        (Action.CLEAR, "system", ""),
    ]


async def test_closed_store_refuses_with_our_error(tmp_path: Path) -> None:
    s = SqliteAlarmStore(tmp_path / "x.db")
    with pytest.raises(AlarmStoreError, match="not open"):
        await s.get_alarm("a")


async def test_alarm_history_written_during_a_postgres_outage_is_stored_once_it_returns(
    pg_url: str, postgres_server: PostgresServer
) -> None:
    store = PostgresAlarmStore(pg_url, timeout_s=2.0)
    await store.open()
    alarms = AlarmManager(store)
    try:
        postgres_server.stop()
        started = time.monotonic()
        raised = await alarms.raise_alarm("v", "gallery-a-rh", "high", Severity.WARNING, "damp")
        acked = await alarms.acknowledge(raised.alarm_id, "olga", "dehumidifier on")
        assert time.monotonic() - started < 10, "an operator does not wait on the database"
        assert alarms.writes.pending == 2
        postgres_server.start()
        deadline = time.monotonic() + 30
        while alarms.writes.pending and time.monotonic() < deadline:
            await alarms.tick()
            await asyncio.sleep(0.5)
        assert alarms.writes.pending == 0 and alarms.writes.dropped == 0
        assert await store.get_alarm(raised.alarm_id) == acked
        history = await store.alarm_history(raised.alarm_id)
        assert [(t.action.value, t.user) for t in history] == [
            ("raise", "system"),
            ("acknowledge", "olga"),
        ]
    finally:
        postgres_server.start()
        await store.close()
