"""Gate counter directions in the venue file."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from twin.venue import GateDirection, SensorDef


def sensor(**fields: Any) -> SensorDef:
    base: dict[str, Any] = {"id": "s", "zone": "hall", "position": [0, 0, 2]}
    return SensorDef.model_validate(base | fields)


def test_gate_counters_count_forward_unless_told_otherwise() -> None:
    fwd = sensor(kind="gate_counter", gate="door")
    back = sensor(kind="gate_counter", gate="door", direction="backward")
    assert fwd.direction is GateDirection.FORWARD
    assert back.direction is GateDirection.BACKWARD


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "temperature", "direction": "backward"},
        {"kind": "people_count", "direction": "backward"},
        {"kind": "gate_counter", "direction": "backward"},  # no gate to orient it
        {"kind": "gate_counter", "gate": "door", "direction": "sideways"},
    ],
)
def test_a_direction_needs_a_gate_counter_with_a_gate(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        sensor(**fields)
