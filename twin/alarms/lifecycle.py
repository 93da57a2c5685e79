"""The alarm state machine as pure functions: each returns the new alarm and its record.

Illegal operations raise :class:`IllegalTransition` with the reason, so an
operator's click on a stale list gets a clear answer instead of a silent no-op.
"""

from __future__ import annotations

import dataclasses

from twin.alarms.errors import IllegalTransition
from twin.alarms.model import Action, Alarm, AlarmState, AlarmTransition
from twin.alarms.texts import AlarmText

__all__ = ["SYSTEM_USER", "acknowledge", "clear", "reraise", "shelve", "unshelve"]

SYSTEM_USER = "system"

S = AlarmState


def _record(
    before: Alarm, after: Alarm, action: Action, ts: float, user: str, note: str
) -> AlarmTransition:
    return AlarmTransition(after.alarm_id, ts, action, before.state, after.state, user, note)


def _refuse(alarm: Alarm, what: str) -> IllegalTransition:
    return IllegalTransition(
        f"cannot {what} alarm {alarm.alarm_id} ({alarm.kind} on {alarm.source}): "
        f"it is {alarm.state.value}"
    )


def acknowledge(
    alarm: Alarm, ts: float, user: str, note: str = ""
) -> tuple[Alarm, AlarmTransition]:
    """Operator acknowledgement: raised -> acknowledged, cleared_unacknowledged -> cleared."""
    if alarm.state is S.RAISED:
        to = S.ACKNOWLEDGED
    elif alarm.state is S.CLEARED_UNACKNOWLEDGED:
        to = S.CLEARED
    else:
        raise _refuse(alarm, "acknowledge")
    new = dataclasses.replace(
        alarm, state=to, acknowledged_at=ts, acknowledged_by=user, note=note, updated_at=ts
    )
    return new, _record(alarm, new, Action.ACKNOWLEDGE, ts, user, note)


def clear(alarm: Alarm, ts: float, note: str = "") -> tuple[Alarm, AlarmTransition]:
    """The condition returned to normal.

    Unacknowledged alarms wait for an acknowledgement (RTN unacknowledged);
    acknowledged ones close. A shelved alarm stays shelved, now inactive: in
    ISA-18.2 shelving suppresses annunciation for its duration whatever the
    process does, and unshelving then returns it to normal (see :func:`unshelve`).
    """
    if alarm.state is S.RAISED:
        to = S.CLEARED_UNACKNOWLEDGED
    elif alarm.state is S.ACKNOWLEDGED:
        to = S.CLEARED
    elif alarm.state is S.SHELVED:
        to = S.SHELVED
    else:
        raise _refuse(alarm, "clear")
    shelved = alarm.shelved_until if to is not S.CLEARED else None
    new = dataclasses.replace(
        alarm, state=to, active=False, cleared_at=ts, updated_at=ts, shelved_until=shelved
    )
    return new, _record(alarm, new, Action.CLEAR, ts, SYSTEM_USER, note)


def reraise(
    alarm: Alarm, ts: float, value: float | None, message: str, text: AlarmText | None = None
) -> tuple[Alarm, AlarmTransition | None]:
    """The condition was reported again while the alarm is open (deduplication).

    The count and value always update. A state change happens only when the
    condition comes back after clearing unacknowledged: the alarm is raised
    again (one alarm, not two). Acknowledged and shelved alarms stay as they are.
    """
    if alarm.state is S.CLEARED:
        raise _refuse(alarm, "re-raise")
    updated = dataclasses.replace(
        alarm,
        count=alarm.count + 1,
        value=value,
        message=message,
        text=text,
        updated_at=ts,
        active=True,
    )
    if alarm.state is S.CLEARED_UNACKNOWLEDGED:
        new = dataclasses.replace(updated, state=S.RAISED, cleared_at=None)
        return new, _record(alarm, new, Action.RERAISE, ts, SYSTEM_USER, "")
    return updated, None


def shelve(
    alarm: Alarm, ts: float, until: float, user: str, note: str = ""
) -> tuple[Alarm, AlarmTransition]:
    """Hide an open alarm until ``until`` (epoch seconds)."""
    if alarm.state not in (S.RAISED, S.ACKNOWLEDGED, S.CLEARED_UNACKNOWLEDGED):
        raise _refuse(alarm, "shelve")
    if not until > ts:
        raise IllegalTransition(f"shelving needs an expiry after now, got {until} <= {ts}")
    new = dataclasses.replace(alarm, state=S.SHELVED, shelved_until=until, updated_at=ts)
    return new, _record(alarm, new, Action.SHELVE, ts, user, note)


def unshelve(
    alarm: Alarm, ts: float, user: str, note: str = ""
) -> tuple[Alarm, AlarmTransition | None]:
    """Back from the shelf: raised (unacknowledged) if the condition is active,
    else returned to normal (closed), as ISA-18.2 has it.

    Unshelving an alarm that is no longer shelved (its shelving expired, or a
    stale page asks twice) changes nothing and is not an error: the alarm is
    returned as it is, with no history record.
    """
    if alarm.state is not S.SHELVED:
        return alarm, None
    if alarm.active:
        new = dataclasses.replace(
            alarm,
            state=S.RAISED,
            shelved_until=None,
            acknowledged_at=None,
            acknowledged_by=None,
            updated_at=ts,
        )
    else:
        new = dataclasses.replace(alarm, state=S.CLEARED, shelved_until=None, updated_at=ts)
    return new, _record(alarm, new, Action.UNSHELVE, ts, user, note)
