"""JSON bodies of the viewer contract, shared by REST answers and WebSocket frames.

Plain dicts (encoded by msgspec on the WebSocket, validated into the pydantic
models of :mod:`viewer.schemas` on REST).
"""

from __future__ import annotations

import math
from typing import Any

from twin.alarms import Alarm, AlarmTransition
from twin.commands import CommandRecord

__all__ = ["alarm_body", "alarm_history_body", "command_body", "finite"]


def finite(x: float | None) -> float | None:
    """JSON has no inf/NaN: they become null."""
    return x if x is not None and math.isfinite(x) else None


def alarm_body(a: Alarm) -> dict[str, Any]:
    return {
        "id": a.alarm_id,
        "venue": a.venue,
        "source": a.source,
        "kind": a.kind,
        "severity": a.severity.value,
        "state": a.state.value,
        "message": a.message,
        # The same text as a catalogue key and parameters, for the page's language.
        "message_key": a.text.key if a.text else None,
        "message_params": dict(a.text.params) if a.text else None,
        "value": finite(a.value),
        "count": a.count,
        "raised_at": a.raised_at,
        "updated_at": a.updated_at,
        "acknowledged_by": a.acknowledged_by,
        "note": a.note,
        "shelved_until": a.shelved_until,
        "active": a.active,
        "revision": a.revision,
    }


def alarm_history_body(t: AlarmTransition) -> dict[str, Any]:
    return {
        "ts": t.ts,
        "action": t.action.value,
        "user": t.user,
        "note": t.note,
        "state": t.to_state.value,
    }


def command_body(c: CommandRecord) -> dict[str, Any]:
    return {
        "id": c.command_id,
        "venue": c.venue,
        "target": c.target,
        "action": c.action,
        "params": dict(c.params),
        "state": c.state.value,
        "origin": c.origin,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "expires_at": c.expires_at,
        "detail": c.detail,
        "confirmed_by": c.confirmed_by,
    }
