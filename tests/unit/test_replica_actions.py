"""The twin applies forwarded operator actions as its own REST routes would."""

from __future__ import annotations

import pytest

from tests.unit.test_viewer_support import FakePublisher
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import Action, AlarmManager, AlarmState, Severity
from twin.commands import CommandState, CommandTracker
from twin.replica import ActionHandler
from twin.replica.codec import ActionKind, ActionRequest

V = "museum-wing"


class Twin:
    def __init__(self) -> None:
        self.store = MemoryAlarmStore()
        self.alarms = AlarmManager(self.store)
        self.commands = CommandTracker(self.store, FakePublisher())
        self.handler = ActionHandler(
            frozenset({V, "other"}), alarms=self.alarms, commands=self.commands, remember=2
        )


@pytest.fixture
async def twin() -> Twin:
    t = Twin()
    await t.store.open()
    return t


def req(
    rid: str, kind: ActionKind, target: str, venue: str = V, duration: float | None = None
) -> ActionRequest:
    return ActionRequest(rid, "viewer-1", venue, kind, target, "olga", "note", duration)


async def test_an_acknowledgement_is_applied_with_the_user_and_a_duplicate_is_not_reapplied(
    twin: Twin,
) -> None:
    alarm = await twin.alarms.raise_alarm(V, "s", "k", Severity.WARNING, "m")
    reply = await twin.handler.handle(req("r1", "acknowledge", alarm.alarm_id))
    assert (reply.ok, reply.status, reply.error) == (True, 200, None)
    assert reply.alarm is not None and reply.alarm.state is AlarmState.ACKNOWLEDGED
    assert reply.alarm.acknowledged_by == "olga" and reply.alarm.note == "note"
    # QoS 1 redelivery: the first answer again, not a 409.
    assert await twin.handler.handle(req("r1", "acknowledge", alarm.alarm_id)) == reply
    history = await twin.alarms.history(alarm.alarm_id)
    assert [(h.action, h.user) for h in history] == [
        (Action.RAISE, "system"),
        (Action.ACKNOWLEDGE, "olga"),
    ]
    # A new request for the same thing is the route's 409, with the manager's message.
    again = await twin.handler.handle(req("r2", "acknowledge", alarm.alarm_id))
    assert (again.ok, again.status) == (False, 409)
    assert again.error is not None and "acknowledge" in again.error


async def test_unknown_targets_and_other_venues_are_404(twin: Twin) -> None:
    alarm = await twin.alarms.raise_alarm(V, "s", "k", Severity.WARNING, "m")
    assert (await twin.handler.handle(req("a", "acknowledge", "nope"))).error == "no alarm 'nope'"
    other = await twin.handler.handle(req("b", "acknowledge", alarm.alarm_id, venue="other"))
    assert (other.status, other.error) == (404, f"no alarm {alarm.alarm_id!r}")
    unknown_venue = await twin.handler.handle(req("c", "confirm", "x", venue="elsewhere"))
    assert unknown_venue.status == 404


async def test_shelving_and_commands_follow_the_in_process_rules(twin: Twin) -> None:
    alarm = await twin.alarms.raise_alarm(V, "s", "k", Severity.WARNING, "m")
    shelved = await twin.handler.handle(req("s1", "shelve", alarm.alarm_id, duration=60.0))
    assert shelved.alarm is not None and shelved.alarm.state is AlarmState.SHELVED
    no_duration = await twin.handler.handle(req("s2", "shelve", alarm.alarm_id))
    assert no_duration.status == 422
    record = await twin.commands.request(
        V, "hvac-1", "set_rh", {"setpoint": 50}, origin="rule:r", require_confirmation=True
    )
    confirmed = await twin.handler.handle(req("c1", "confirm", record.command_id))
    assert confirmed.command is not None and confirmed.command.state is CommandState.SENT
    assert confirmed.command.confirmed_by == "olga"
    late = await twin.handler.handle(req("c2", "reject", record.command_id))
    assert late.status == 409 and late.error is not None and "it is sent" in late.error
