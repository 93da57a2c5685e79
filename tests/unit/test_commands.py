"""Command tracking: confirmation, expiry, acknowledgement, timeout (fake publisher and clock)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from ingest.contract import Command, CommandAck, Reading
from ingest.decode import DecodeResult
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import AlarmManager, AlarmState
from twin.commands import (
    CommandNotPending,
    CommandState,
    CommandTracker,
    PublishFailed,
    UnknownCommand,
)
from twin.live_analytics import AnalyticsService
from twin.loader import load_sample
from twin.rules import Rule

St = CommandState


class Clock:
    def __init__(self) -> None:
        self.t = 1_700_000_000.0

    def __call__(self) -> float:
        return self.t


class FakePublisher:
    def __init__(self) -> None:
        self.sent: list[Command] = []
        self.fail = False

    async def publish(self, command: Command) -> None:
        if self.fail:
            raise PublishFailed("broker down")
        self.sent.append(command)


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
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def tracker(store: MemoryAlarmStore, publisher: FakePublisher, clock: Clock) -> CommandTracker:
    return CommandTracker(store, publisher, ack_timeout_s=30, confirmation_ttl_s=300, clock=clock)


def ack(cmd: Command, ok: bool = True, detail: str = "done") -> CommandAck:
    return CommandAck(cmd.venue, cmd.target, cmd.command_id, ok, detail, 0.0)


async def test_confirmed_command_is_sent_and_acknowledged_with_history(
    tracker: CommandTracker, publisher: FakePublisher, clock: Clock
) -> None:
    rec = await tracker.request("v", "main-door", "close", {"speed": 1.0}, origin="rule:r1",
                                require_confirmation=True)  # fmt: skip
    assert rec.state is St.PENDING_CONFIRMATION and publisher.sent == []
    assert tracker.awaiting_confirmation("v") == [rec]
    clock.t += 5
    sent = await tracker.confirm(rec.command_id, "ana")
    assert sent.state is St.SENT and sent.confirmed_by == "ana"
    (cmd,) = publisher.sent
    assert (cmd.target, cmd.action, cmd.params) == ("main-door", "close", {"speed": 1.0})
    done = await tracker.acknowledge(ack(cmd))
    assert done is not None and done.state is St.ACKNOWLEDGED
    history = await tracker.history(rec.command_id)
    assert [(h.from_state, h.to_state, h.user) for h in history] == [
        (None, St.PENDING_CONFIRMATION, "rule:r1"),
        (St.PENDING_CONFIRMATION, St.SENT, "ana"),
        (St.SENT, St.ACKNOWLEDGED, "device:main-door"),
    ]
    assert tracker.open_commands() == []


async def test_operator_rejects_and_unconfirmed_commands_expire(
    tracker: CommandTracker, publisher: FakePublisher, clock: Clock
) -> None:
    a = await tracker.request("v", "d", "close", origin="rule:r", require_confirmation=True)
    b = await tracker.request("v", "d", "open", origin="rule:r", require_confirmation=True)
    rejected = await tracker.reject(a.command_id, "ana", "visitors are leaving anyway")
    assert rejected.state is St.REJECTED_BY_OPERATOR
    clock.t += 299
    assert await tracker.tick() == []
    clock.t += 1
    (expired,) = await tracker.tick()
    assert expired.command_id == b.command_id and expired.state is St.EXPIRED
    with pytest.raises(CommandNotPending, match="it is expired"):
        await tracker.confirm(b.command_id, "ana")
    with pytest.raises(UnknownCommand):
        await tracker.confirm("nope", "ana")
    assert publisher.sent == []


async def test_unanswered_command_times_out_and_a_late_ack_changes_nothing(
    tracker: CommandTracker, publisher: FakePublisher, clock: Clock
) -> None:
    rec = await tracker.request("v", "lights", "dim", {"level_percent": 60}, origin="user:ana")
    assert rec.state is St.SENT and rec.deadline == clock.t + 30
    clock.t += 29
    assert await tracker.tick() == []
    clock.t += 1
    (late,) = await tracker.tick()
    assert late.state is St.TIMED_OUT
    assert await tracker.acknowledge(ack(publisher.sent[0])) is None
    assert tracker.late_acks == 1
    assert (await tracker.get(rec.command_id)).state is St.TIMED_OUT


async def test_negative_ack_fails_the_command_and_publish_errors_are_recorded(
    tracker: CommandTracker, publisher: FakePublisher
) -> None:
    rec = await tracker.request("v", "d", "close", origin="user:ana")
    failed = await tracker.acknowledge(ack(publisher.sent[0], ok=False, detail="jammed"))
    assert failed is not None and failed.state is St.FAILED and failed.detail == "jammed"
    publisher.fail = True
    broken = await tracker.request("v", "d", "close", origin="user:ana")
    assert broken.state is St.FAILED and "broker down" in broken.detail
    assert rec.command_id != broken.command_id


async def test_acks_arrive_through_the_ingest_listener(
    tracker: CommandTracker, publisher: FakePublisher
) -> None:
    rec = await tracker.request("v", "d", "close", origin="user:ana")
    tracker.on_decoded(DecodeResult(acks=[ack(publisher.sent[0])]))
    for _ in range(10):
        await asyncio.sleep(0)
    assert (await tracker.get(rec.command_id)).state is St.ACKNOWLEDGED


async def test_a_rule_asks_for_confirmation_before_its_command_goes_out(
    store: MemoryAlarmStore, tracker: CommandTracker, publisher: FakePublisher, clock: Clock
) -> None:
    rule = Rule.model_validate({
        "id": "too-warm",
        "when": {"metric": "sensor.value", "op": ">", "value": 26.0, "hysteresis": 1.0},
        "subjects": ["gallery-a-temp"],
        "hold_s": 20,
        "alarm": {"severity": "critical", "message": "{subject} at {value} degC"},
        "command": {"target": "gallery-a-ac", "action": "cool", "require_confirmation": True},
        "on_clear": {"target": "gallery-a-ac", "action": "auto"},
    })  # fmt: skip
    venue = load_sample("museum-wing").model_copy(update={"rules": [rule]})
    alarms = AlarmManager(store, clock=clock)
    service = AnalyticsService([venue], alarms, tracker, clock=clock)
    for i, value in enumerate([25.0, 27.0, 27.5, 27.2, 25.5, 24.8]):
        service.process([Reading(venue.id, "gallery-a-temp", clock.t + 10 * i, value)])
        await service.drain()
        if i == 3:  # 20 s above 26: the alarm is up and the command waits for an operator
            (alarm,) = [a for a in alarms.open_alarms() if a.kind == "rule.too-warm"]
            assert alarm.message == "gallery-a-temp at 27.2 degC"
            (pending,) = tracker.awaiting_confirmation()
            assert publisher.sent == []
            await tracker.confirm(pending.command_id, "ana")
            assert [c.action for c in publisher.sent] == ["cool"]
    # 25.5 is within the 1-degree hysteresis; 24.8 clears: alarm back to normal, "auto" sent.
    assert [c.action for c in publisher.sent] == ["cool", "auto"]
    assert alarm.alarm_id in {a.alarm_id for a in alarms.open_alarms()}
    assert (await alarms.get(alarm.alarm_id)).state is AlarmState.CLEARED_UNACKNOWLEDGED
