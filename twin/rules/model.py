"""Declarative rules, as written in the venue file (``rules:``).

A rule is a typed condition over one analytics metric (a metric reference, an
operator and a value; no expressions, no eval), a hold time (debounce),
hysteresis, and actions: raise an alarm and/or send a command to a device::

    - id: corridor-crowding
      when: {metric: zone.level_of_service, op: ">=", value: E}
      subjects: [corridor]
      hold_s: 30
      alarm: {severity: warning, message: "{subject} at level of service {value}"}
      command: {target: main-door, action: close, require_confirmation: true}
      on_clear: {target: main-door, action: open}
"""

from __future__ import annotations

import enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from twin.alarms.model import Severity

__all__ = [
    "ANOMALY_KINDS",
    "CLASS_BAND",
    "LOS_LEVELS",
    "AlarmSpec",
    "CommandSpec",
    "Condition",
    "Metric",
    "MetricType",
    "Op",
    "Rule",
    "Scope",
]

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]

LOS_LEVELS = ("A", "B", "C", "D", "E", "F")
ANOMALY_KINDS = (
    "spike",
    "level_shift",
    "drift",
    "stuck",
    "dropout",
    "out_of_range",
    "zone_disagreement",
)
CLASS_BAND = "class_band"
TEMPLATE_FIELDS = {"rule": "r", "subject": "s", "value": "v", "metric": "m", "venue": "x"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scope(enum.StrEnum):
    ZONE = "zone"
    ARTEFACT = "artefact"
    SENSOR = "sensor"


class MetricType(enum.Enum):
    NUMBER = "number"
    LEVEL = "level"  # ordinal: Fruin level of service A..F
    KINDS = "kinds"  # a set of labels: the anomaly kinds active on a sensor


class Metric(enum.StrEnum):
    """Every metric a rule can refer to; ``scope.name``."""

    ZONE_OCCUPANCY = "zone.occupancy"
    ZONE_DENSITY = "zone.density"
    ZONE_LEVEL_OF_SERVICE = "zone.level_of_service"
    ZONE_CAPACITY_RATIO = "zone.capacity_ratio"
    ZONE_TEMPERATURE = "zone.temperature"
    ZONE_HUMIDITY = "zone.humidity"
    ZONE_CO2 = "zone.co2"
    ZONE_DEW_POINT = "zone.dew_point"
    ARTEFACT_LUX = "artefact.lux"
    ARTEFACT_LIGHT_DOSE_RATIO = "artefact.light_dose_ratio"
    ARTEFACT_LIGHT_DOSE_FRACTION = "artefact.light_dose_fraction"
    SENSOR_VALUE = "sensor.value"
    SENSOR_ANOMALY = "sensor.anomaly"
    SENSOR_ANOMALY_SCORE = "sensor.anomaly_score"

    @property
    def scope(self) -> Scope:
        return Scope(self.value.split(".", 1)[0])

    @property
    def type(self) -> MetricType:
        if self is Metric.ZONE_LEVEL_OF_SERVICE:
            return MetricType.LEVEL
        if self is Metric.SENSOR_ANOMALY:
            return MetricType.KINDS
        return MetricType.NUMBER

    @property
    def has_class_band(self) -> bool:
        return self in (Metric.ZONE_HUMIDITY, Metric.ZONE_TEMPERATURE)


class Op(enum.StrEnum):
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="
    EQ = "=="
    NE = "!="
    IN = "in"
    OUTSIDE = "outside"


_ORDER_OPS = (Op.GT, Op.GE, Op.LT, Op.LE, Op.EQ, Op.NE)


class Condition(_Model):
    """``metric op value``; ``hysteresis`` is how far back past the threshold the
    metric must go before an active rule clears (metric units; levels for LOS)."""

    metric: Metric
    op: Op
    value: float | str | list[float] | list[str]
    hysteresis: float = Field(0.0, ge=0.0)

    @model_validator(mode="after")
    def _typed(self) -> Condition:
        kind, op, value = self.metric.type, self.op, self.value
        if kind is MetricType.KINDS:
            if op is not Op.IN or not isinstance(value, list) or not value:
                raise ValueError(f"{self.metric} takes 'in' with a list of anomaly kinds")
            bad = [v for v in value if v not in ANOMALY_KINDS]
            if bad:
                raise ValueError(f"unknown anomaly kind(s) {bad}; known: {list(ANOMALY_KINDS)}")
        elif kind is MetricType.LEVEL:
            if op not in _ORDER_OPS or value not in LOS_LEVELS:
                raise ValueError(f"{self.metric} compares (>, >=, ...) with a level A to F")
        elif op is Op.OUTSIDE:
            band_ok = value == CLASS_BAND and self.metric.has_class_band
            pair_ok = (
                isinstance(value, list)
                and len(value) == 2
                and all(isinstance(v, float | int) for v in value)
                and float(value[0]) < float(value[1])
            )
            if not (band_ok or pair_ok):
                raise ValueError(
                    "'outside' takes [low, high] (low < high), or 'class_band' for "
                    "zone.humidity and zone.temperature"
                )
        elif op is Op.IN or not isinstance(value, float | int):
            raise ValueError(f"{self.metric} compares with a number")
        return self

    def threshold(self) -> float:
        """The numeric threshold (a LOS letter as its index 0..5)."""
        if isinstance(self.value, str):
            return float(LOS_LEVELS.index(self.value))
        if isinstance(self.value, float | int):
            return float(self.value)
        raise TypeError("condition has no single threshold")


class AlarmSpec(_Model):
    """Raise an alarm while the condition holds (cleared when it stops).

    ``message`` may use ``{rule}``, ``{subject}``, ``{value}``, ``{metric}``, ``{venue}``;
    ``messages`` gives the same template in other languages (``zh-CN: "..."``),
    shown by the viewer, notifications and reports in that language.
    """

    severity: Severity = Severity.WARNING
    message: str = "{metric} of {subject} is {value}"
    messages: dict[Literal["en", "zh-CN"], str] = {}

    @model_validator(mode="after")
    def _template(self) -> AlarmSpec:
        for template in (self.message, *self.messages.values()):
            try:
                template.format_map(TEMPLATE_FIELDS)
            except (KeyError, IndexError, ValueError) as exc:
                raise ValueError(
                    f"bad message template {template!r}: use only {sorted(TEMPLATE_FIELDS)}"
                ) from exc
        return self


class CommandSpec(_Model):
    target: Identifier
    action: Annotated[str, Field(min_length=1, max_length=64)]
    params: dict[str, float | bool | str] = {}
    require_confirmation: bool = False
    confirmation_ttl_s: float | None = Field(None, gt=0)


class Rule(_Model):
    id: Identifier
    description: str = ""
    when: Condition
    subjects: list[Identifier] = Field(
        default_factory=list, description="Zone, artefact or sensor ids; empty = all."
    )
    hold_s: float = Field(0.0, ge=0.0, description="Condition true this long before acting.")
    clear_hold_s: float = Field(0.0, ge=0.0, description="False this long before clearing.")
    alarm: AlarmSpec | None = None
    command: CommandSpec | None = None
    on_clear: CommandSpec | None = None
    enabled: bool = True

    @model_validator(mode="after")
    def _acts(self) -> Rule:
        if self.alarm is None and self.command is None:
            raise ValueError(f"rule {self.id!r} needs an 'alarm' or a 'command' (or both)")
        return self

    @property
    def scope(self) -> Scope:
        return self.when.metric.scope
