"""Rules: typed conditions, hold time and hysteresis on constructed series; venue-file parsing."""

from __future__ import annotations

import pydantic
import pytest

from twin.loader import load_sample
from twin.rules import MetricSample, Rule, RuleCleared, RuleEngine, RuleError, RuleFired, Scope

SUBJECTS = {Scope.ZONE: ["corridor", "gallery-a"], Scope.ARTEFACT: ["robe"], Scope.SENSOR: ["t1"]}


def rule(**kw: object) -> Rule:
    base: dict[str, object] = {"id": "r1", "alarm": {"severity": "warning"}}
    base.update(kw)
    return Rule.model_validate(base)


def run(
    engine: RuleEngine,
    metric: str,
    series: list[tuple[float, object]],
    subject: str = "corridor",
    band: tuple[float, float] | None = None,
) -> list[str]:
    out = []
    for ts, value in series:
        v = frozenset(value) if isinstance(value, set) else value
        for act in engine.evaluate([MetricSample(metric, subject, v, ts, band)]):  # type: ignore[arg-type]
            out.append(f"{'fire' if isinstance(act, RuleFired) else 'clear'}@{ts:g}")
    return out


def test_hold_time_debounces_short_excursions() -> None:
    r = rule(when={"metric": "zone.density", "op": ">", "value": 2.0}, hold_s=30)
    e = RuleEngine([r], SUBJECTS)
    series = [
        (0, 2.5),
        (10, 2.6),
        (20, 1.0),  # 20 s above: too short
        (30, 2.5),
        (40, 2.5),
        (50, 2.5),
        (60, 2.5),
        (70, 1.0),
    ]
    assert run(e, "zone.density", series) == ["fire@60", "clear@70"]


def test_hysteresis_keeps_a_rule_active_near_its_threshold() -> None:
    r = rule(when={"metric": "zone.humidity", "op": ">", "value": 60, "hysteresis": 3})
    e = RuleEngine([r], SUBJECTS)
    series = [(0, 61), (10, 59), (20, 57.5), (30, 56.9), (40, 60.5)]
    assert run(e, "zone.humidity", series) == ["fire@0", "clear@30", "fire@40"]


def test_clear_hold_waits_before_clearing() -> None:
    r = rule(when={"metric": "zone.co2", "op": ">=", "value": 1000}, clear_hold_s=60)
    e = RuleEngine([r], SUBJECTS)
    series = [(0, 1200), (10, 900), (40, 1100), (50, 900), (100, 900), (110, 800)]
    assert run(e, "zone.co2", series) == ["fire@0", "clear@110"]


def test_level_of_service_compares_in_order_with_hysteresis_in_levels() -> None:
    r = rule(when={"metric": "zone.level_of_service", "op": ">=", "value": "E", "hysteresis": 1})
    e = RuleEngine([r], SUBJECTS)
    series = [(0, "C"), (10, "E"), (20, "D"), (30, "C"), (40, "F")]
    assert run(e, "zone.level_of_service", series) == ["fire@10", "clear@30", "fire@40"]


def test_outside_class_band_uses_the_band_of_each_sample_and_ignores_unknown_bands() -> None:
    r = rule(
        when={"metric": "zone.humidity", "op": "outside", "value": "class_band", "hysteresis": 1}
    )
    e = RuleEngine([r], SUBJECTS)
    assert run(e, "zone.humidity", [(0, 80.0)], band=None) == []  # no band yet: no verdict
    band = (40.0, 50.0)
    series = [(10, 45.0), (20, 51.0), (30, 50.5), (40, 48.9)]
    assert run(e, "zone.humidity", series, band=band) == ["fire@20", "clear@40"]


def test_anomaly_kinds_condition_and_subject_filter() -> None:
    r = rule(
        when={"metric": "sensor.anomaly", "op": "in", "value": ["spike", "stuck"]}, subjects=["t1"]
    )
    e = RuleEngine([r], SUBJECTS)
    series = [(0, {"drift"}), (10, {"drift", "stuck"}), (20, set())]
    assert run(e, "sensor.anomaly", series, subject="t1") == ["fire@10", "clear@20"]
    assert run(e, "sensor.anomaly", [(30, {"spike"})], subject="t2") == []


def test_tick_fires_when_the_hold_time_runs_out_between_samples() -> None:
    r = rule(when={"metric": "artefact.light_dose_ratio", "op": ">", "value": 1.0}, hold_s=600)
    e = RuleEngine([r], SUBJECTS)
    assert run(e, "artefact.light_dose_ratio", [(0, 1.3)], subject="robe") == []
    assert e.tick(599) == []
    (fired,) = e.tick(600)
    assert isinstance(fired, RuleFired) and fired.subject == "robe" and fired.value == 1.3
    assert e.active() == [("r1", "robe")]
    assert not [a for a in e.tick(10_000) if isinstance(a, RuleCleared)]


@pytest.mark.parametrize(
    ("when", "words"),
    [
        ({"metric": "zone.level_of_service", "op": ">=", "value": "G"}, "level A to F"),
        ({"metric": "sensor.anomaly", "op": "in", "value": ["melted"]}, "unknown anomaly"),
        ({"metric": "zone.density", "op": ">", "value": "high"}, "compares with a number"),
        ({"metric": "zone.co2", "op": "outside", "value": "class_band"}, "outside"),
        ({"metric": "zone.co2", "op": "outside", "value": [900, 400]}, "low < high"),
        ({"metric": "zone.density", "op": "~", "value": 1}, "op"),
    ],
)
def test_malformed_conditions_are_rejected_when_the_venue_loads(
    when: dict[str, object], words: str
) -> None:
    with pytest.raises(pydantic.ValidationError, match=words):
        rule(when=when)


def test_a_rule_needs_an_action_and_a_valid_message_template() -> None:
    with pytest.raises(pydantic.ValidationError, match="needs an 'alarm' or a 'command'"):
        Rule.model_validate({"id": "r", "when": {"metric": "zone.co2", "op": ">", "value": 1}})
    with pytest.raises(pydantic.ValidationError, match="bad message template"):
        rule(when={"metric": "zone.co2", "op": ">", "value": 1}, alarm={"message": "{oops}"})


def test_engine_rejects_unknown_subjects_and_duplicate_ids() -> None:
    when = {"metric": "zone.co2", "op": ">", "value": 1}
    with pytest.raises(RuleError, match="unknown zone"):
        RuleEngine([rule(when=when, subjects=["attic"])], SUBJECTS)
    with pytest.raises(RuleError, match="duplicate rule id"):
        RuleEngine([rule(when=when), rule(when=when)], SUBJECTS)


@pytest.mark.parametrize("name", ["museum-wing", "scenic-site"])
def test_sample_venues_carry_rules_that_run(name: str) -> None:
    venue = load_sample(name)
    assert venue.rules
    RuleEngine(
        venue.rules,
        {
            Scope.ZONE: [z.id for z in venue.zones],
            Scope.ARTEFACT: [a.id for a in venue.artefacts],
            Scope.SENSOR: [s.id for s in venue.sensors],
        },
    )
    assert any(r.command is not None for r in venue.rules)
