"""Typed alarm events for the viewer and other consumers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from twin.alarms.model import Alarm, AlarmTransition

__all__ = ["AlarmEvent", "AlarmListener"]


@dataclass(frozen=True, slots=True)
class AlarmEvent:
    """An alarm after a change; ``transition`` is None for a repeat (count/value only)."""

    alarm: Alarm
    transition: AlarmTransition | None


AlarmListener = Callable[[AlarmEvent], None]
