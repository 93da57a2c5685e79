"""Declarative rules over analytics results: typed conditions, hold time, hysteresis, actions.

See ``docs/alarms-and-rules.md``.
"""

from twin.rules.engine import (
    MetricSample,
    MetricValue,
    RuleCleared,
    RuleEngine,
    RuleFired,
    holds,
)
from twin.rules.errors import RuleError
from twin.rules.model import (
    ANOMALY_KINDS,
    CLASS_BAND,
    LOS_LEVELS,
    AlarmSpec,
    CommandSpec,
    Condition,
    Metric,
    MetricType,
    Op,
    Rule,
    Scope,
)

__all__ = [
    "ANOMALY_KINDS",
    "CLASS_BAND",
    "LOS_LEVELS",
    "AlarmSpec",
    "CommandSpec",
    "Condition",
    "Metric",
    "MetricSample",
    "MetricType",
    "MetricValue",
    "Op",
    "Rule",
    "RuleCleared",
    "RuleEngine",
    "RuleError",
    "RuleFired",
    "Scope",
    "holds",
]
