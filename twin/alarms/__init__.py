"""Alarms: ISA-18.2 lifecycle, deduplication, flood suppression, shelving, storage port.

See ``docs/alarms-and-rules.md``.
"""

from twin.alarms.errors import (
    AlarmError,
    AlarmStoreError,
    AlarmStoreUnavailable,
    IllegalTransition,
    UnknownAlarm,
)
from twin.alarms.events import AlarmEvent, AlarmListener
from twin.alarms.lifecycle import SYSTEM_USER
from twin.alarms.manager import FLOOD_KIND, FLOOD_SOURCE, AlarmManager, FloodPolicy
from twin.alarms.model import Action, Alarm, AlarmKey, AlarmState, AlarmTransition, Severity
from twin.alarms.store import AlarmStore

__all__ = [
    "FLOOD_KIND",
    "FLOOD_SOURCE",
    "SYSTEM_USER",
    "Action",
    "Alarm",
    "AlarmError",
    "AlarmEvent",
    "AlarmKey",
    "AlarmListener",
    "AlarmManager",
    "AlarmState",
    "AlarmStore",
    "AlarmStoreError",
    "AlarmStoreUnavailable",
    "AlarmTransition",
    "FloodPolicy",
    "IllegalTransition",
    "Severity",
    "UnknownAlarm",
]
