"""Evaluates a venue's rules over metric samples: hold time (debounce) and hysteresis.

Per (rule, subject) the engine keeps two timestamps and a flag, so its state is
bounded by the venue's rules times its zones, artefacts and sensors. Time is the
samples' own (device time), so a replay at 100x debounces exactly as live.
A condition is taken to persist between samples: :meth:`RuleEngine.tick` fires
a rule whose hold time has passed since its last sample.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from twin.rules.errors import RuleError
from twin.rules.model import CLASS_BAND, LOS_LEVELS, Condition, MetricType, Op, Rule, Scope

__all__ = ["MetricSample", "MetricValue", "RuleCleared", "RuleEngine", "RuleFired", "holds"]

MetricValue = float | str | frozenset[str]


@dataclass(frozen=True, slots=True)
class MetricSample:
    """One value of one metric of one subject (zone, artefact or sensor) at ``ts``.

    ``band`` is the allowed (low, high) range for ``outside class_band`` rules.
    """

    metric: str
    subject: str
    value: MetricValue
    ts: float
    band: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class RuleFired:
    rule: Rule
    subject: str
    value: MetricValue
    ts: float


@dataclass(frozen=True, slots=True)
class RuleCleared:
    rule: Rule
    subject: str
    value: MetricValue
    ts: float


def _number(value: MetricValue, kind: MetricType) -> float | None:
    if kind is MetricType.LEVEL and isinstance(value, str) and value in LOS_LEVELS:
        return float(LOS_LEVELS.index(value))
    if isinstance(value, float | int) and math.isfinite(value):
        return float(value)
    return None


def holds(
    cond: Condition, value: MetricValue, band: tuple[float, float] | None, margin: float
) -> bool | None:
    """Whether the condition holds, with the threshold moved ``margin`` in its favour.

    ``margin`` is 0 to fire and the hysteresis to stay active. None: the value
    cannot be judged (unknown band, wrong type), which neither fires nor clears.
    """
    kind = cond.metric.type
    if kind is MetricType.KINDS:
        if not isinstance(value, frozenset) or not isinstance(cond.value, list):
            return None
        return any(str(k) in value for k in cond.value)
    x = _number(value, kind)
    if x is None:
        return None
    op = cond.op
    if op is Op.OUTSIDE:
        if cond.value == CLASS_BAND:
            if band is None:
                return None
            lo, hi = band
        elif isinstance(cond.value, list):
            lo, hi = float(cond.value[0]), float(cond.value[1])
        else:
            return None
        return x < lo + margin or x > hi - margin
    t = cond.threshold()
    if op is Op.GT:
        return x > t - margin
    if op is Op.GE:
        return x >= t - margin
    if op is Op.LT:
        return x < t + margin
    if op is Op.LE:
        return x <= t + margin
    if op is Op.EQ:
        return x == t
    if op is Op.NE:
        return x != t
    return None


class _Track:
    __slots__ = ("active", "false_since", "last_true", "true_since", "value")

    def __init__(self) -> None:
        self.active = False
        self.true_since: float | None = None
        self.false_since: float | None = None
        self.last_true = False
        self.value: MetricValue = math.nan


class RuleEngine:
    """The rules of one venue. ``subjects`` lists the ids known per scope."""

    def __init__(self, rules: Sequence[Rule], subjects: Mapping[Scope, Iterable[str]]) -> None:
        known = {scope: set(ids) for scope, ids in subjects.items()}
        seen: set[str] = set()
        for rule in rules:
            if rule.id in seen:
                raise RuleError(f"duplicate rule id {rule.id!r}")
            seen.add(rule.id)
            unknown = [s for s in rule.subjects if s not in known.get(rule.scope, set())]
            if unknown:
                raise RuleError(f"rule {rule.id!r} names unknown {rule.scope.value}(s) {unknown}")
        self.rules = tuple(r for r in rules if r.enabled)
        self._by_metric: dict[str, list[Rule]] = {}
        for rule in self.rules:
            self._by_metric.setdefault(rule.when.metric.value, []).append(rule)
        self._subjects = {r.id: frozenset(r.subjects) for r in self.rules}
        self._tracks: dict[tuple[str, str], _Track] = {}

    @property
    def metrics(self) -> frozenset[str]:
        """The metrics some rule reads (others need not be computed as samples)."""
        return frozenset(self._by_metric)

    def active(self) -> list[tuple[str, str]]:
        """(rule id, subject) pairs whose condition is active now."""
        return [key for key, tr in self._tracks.items() if tr.active]

    def evaluate(self, samples: Iterable[MetricSample]) -> list[RuleFired | RuleCleared]:
        out: list[RuleFired | RuleCleared] = []
        for sample in samples:
            for rule in self._by_metric.get(sample.metric, ()):
                wanted = self._subjects[rule.id]
                if wanted and sample.subject not in wanted:
                    continue
                self._step(rule, sample, out)
        return out

    def tick(self, now: float) -> list[RuleFired | RuleCleared]:
        """Act on hold times that ran out since the last sample."""
        out: list[RuleFired | RuleCleared] = []
        by_id = {r.id: r for r in self.rules}
        for (rule_id, subject), tr in self._tracks.items():
            rule = by_id[rule_id]
            if not tr.active and tr.last_true and tr.true_since is not None:
                if now - tr.true_since >= rule.hold_s:
                    tr.active = True
                    out.append(RuleFired(rule, subject, tr.value, now))
            elif (
                tr.active
                and not tr.last_true
                and tr.false_since is not None
                and now - tr.false_since >= rule.clear_hold_s
            ):
                tr.active = False
                tr.false_since = None
                out.append(RuleCleared(rule, subject, tr.value, now))
        return out

    def _step(self, rule: Rule, s: MetricSample, out: list[RuleFired | RuleCleared]) -> None:
        key = (rule.id, s.subject)
        tr = self._tracks.get(key)
        if tr is None:
            tr = self._tracks[key] = _Track()
        margin = rule.when.hysteresis if tr.active else 0.0
        ok = holds(rule.when, s.value, s.band, margin)
        if ok is None:
            return
        tr.value = s.value
        tr.last_true = ok
        if ok:
            tr.false_since = None
            if tr.true_since is None:
                tr.true_since = s.ts
            if not tr.active and s.ts - tr.true_since >= rule.hold_s:
                tr.active = True
                out.append(RuleFired(rule, s.subject, s.value, s.ts))
            return
        tr.true_since = None
        if not tr.active:
            return
        if tr.false_since is None:
            tr.false_since = s.ts
        if s.ts - tr.false_since >= rule.clear_hold_s:
            tr.active = False
            tr.false_since = None
            out.append(RuleCleared(rule, s.subject, s.value, s.ts))
