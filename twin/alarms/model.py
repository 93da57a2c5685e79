"""Alarm value objects: severity, lifecycle state, the alarm and its history records.

States follow ISA-18.2's alarm state model (ANSI/ISA-18.2-2016, figure 5):

- ``raised``: the condition is active and nobody has acknowledged it;
- ``acknowledged``: active, an operator has acknowledged it;
- ``cleared_unacknowledged``: returned to normal before anyone acknowledged it
  ("RTN unacknowledged": the operator must still see that it happened);
- ``cleared``: returned to normal and acknowledged; the alarm is closed, and
  the same condition coming back raises a new alarm;
- ``shelved``: hidden by an operator until ``shelved_until`` (auto-unshelve).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from twin.alarms.texts import AlarmText

__all__ = ["Action", "Alarm", "AlarmKey", "AlarmState", "AlarmTransition", "Severity"]


class Severity(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class AlarmState(enum.StrEnum):
    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    CLEARED_UNACKNOWLEDGED = "cleared_unacknowledged"
    CLEARED = "cleared"
    SHELVED = "shelved"

    @property
    def is_open(self) -> bool:
        """Everything but ``cleared``: the alarm still deduplicates its key."""
        return self is not AlarmState.CLEARED


class Action(enum.StrEnum):
    """What happened to an alarm; one history record per action."""

    RAISE = "raise"
    RERAISE = "reraise"  # the condition came back before the alarm closed
    ACKNOWLEDGE = "acknowledge"
    CLEAR = "clear"
    SHELVE = "shelve"
    UNSHELVE = "unshelve"
    # Not a state change: a notification about the alarm was delivered, retried,
    # dead-lettered or held back (the note says which, on which channel).
    NOTIFY = "notify"


AlarmKey = tuple[str, str, str]  # (venue, source, kind)


@dataclass(frozen=True, slots=True)
class Alarm:
    """One alarm: a (venue, source, kind) condition from raise until it closes.

    ``count`` is how many times the condition was reported while the alarm
    was open (deduplication); ``value``, ``message`` (English) and ``text`` (its
    key and parameters, see :mod:`twin.alarms.texts`) are the latest ones.
    ``active`` tells whether the condition is present now, independent of
    acknowledgement and shelving.
    """

    alarm_id: str
    venue: str
    source: str
    kind: str
    severity: Severity
    state: AlarmState
    message: str
    value: float | None
    count: int
    active: bool
    raised_at: float
    updated_at: float
    acknowledged_at: float | None = None
    acknowledged_by: str | None = None
    note: str = ""
    cleared_at: float | None = None
    shelved_until: float | None = None
    # The message as a catalogue key and parameters, for other languages.
    text: AlarmText | None = None
    # One more on every change (AlarmManager), so of two copies the higher is
    # newer. updated_at cannot tell: a condition change carries its reading's
    # time and an operator action the server's, and a reading stamped before
    # a shelve can be applied after it.
    revision: int = 0

    @property
    def key(self) -> AlarmKey:
        return (self.venue, self.source, self.kind)


@dataclass(frozen=True, slots=True)
class AlarmTransition:
    """One state change of one alarm: when, who, why."""

    alarm_id: str
    ts: float
    action: Action
    from_state: AlarmState | None
    to_state: AlarmState
    user: str
    note: str = ""
