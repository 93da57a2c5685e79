"""Our NAB scorer on hand-made cases whose answers follow from NAB's published maths."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from twin.analytics.nab import (
    PROFILES,
    CostMatrix,
    LabeledSeries,
    NabDataError,
    evaluate_corpus,
    load_corpus,
    scaled_sigmoid,
    score_at_threshold,
    scores_by_threshold,
    sweep,
)

STEP = 300.0
UNIT = CostMatrix(tp=1.0, fp=1.0, fn=1.0)


def _series(n: int = 100, windows: tuple[tuple[int, int], ...] = ((60, 69),)) -> LabeledSeries:
    ts = np.arange(n, dtype=np.float64) * STEP
    return LabeledSeries("f.csv", ts, tuple((ts[a], ts[b]) for a, b in windows))


def _raw(series: LabeledSeries, hits: list[int], cost: CostMatrix, probation: float = 0.0) -> float:
    scores = np.zeros(len(series.timestamps))
    scores[hits] = 1.0
    rows = scores_by_threshold([sweep(series, scores, cost, probation)], cost)
    return score_at_threshold(rows, 0.5).score


def test_scaled_sigmoid_matches_nab_reference_points() -> None:
    assert scaled_sigmoid(-1.0) == pytest.approx(0.98661, abs=1e-5)
    assert scaled_sigmoid(-0.5) == pytest.approx(0.84828, abs=1e-5)
    assert scaled_sigmoid(0.0) == 0.0
    assert scaled_sigmoid(1.0) == pytest.approx(-0.98661, abs=1e-5)
    assert scaled_sigmoid(3.5) == -1.0


def test_nab_all_metrics_example() -> None:
    """NAB's own ``testScoringAllMetrics``: TP, extra TP, FP two rows after a window."""
    series = _series(100, ((10, 14), (60, 64)))
    scores = np.zeros(100)
    scores[[10, 11, 17]] = 1.0
    rows = scores_by_threshold([sweep(series, scores, UNIT, 0.0)], UNIT)
    row = score_at_threshold(rows, 0.5)
    assert row.score == pytest.approx(-0.9540, abs=1e-4)
    assert (row.tp, row.fp, row.fn, row.tn) == (2, 1, 8, 89)


def test_detection_at_window_start_earns_full_tp_weight_and_beats_late_one() -> None:
    series = _series()
    assert _raw(series, [60], UNIT) == pytest.approx(1.0)
    early, middle, late = (_raw(series, [i], UNIT) for i in (60, 64, 69))
    assert early > middle > late > 0.0


def test_only_first_detection_in_a_window_counts() -> None:
    series = _series()
    assert _raw(series, [62, 63, 64, 65, 69], UNIT) == pytest.approx(_raw(series, [62], UNIT))


def test_missed_window_costs_fn_weight_per_profile() -> None:
    series = _series()
    assert _raw(series, [], PROFILES["standard"]) == -1.0
    assert _raw(series, [], PROFILES["reward_low_FN_rate"]) == -2.0


def test_false_positive_costs_per_profile() -> None:
    series = _series()
    for name, expected in (
        ("standard", 0.11),
        ("reward_low_FP_rate", 0.22),
        ("reward_low_FN_rate", 0.11),
    ):
        cost = PROFILES[name]
        # A detection long before any window costs the full fp weight.
        assert _raw(series, [60, 20], cost) - _raw(series, [60], cost) == pytest.approx(-expected)


def test_false_positive_just_after_a_window_costs_less_than_far_after() -> None:
    series = _series(200)
    base = _raw(series, [60], UNIT)
    near = _raw(series, [60, 70], UNIT) - base
    far = _raw(series, [60, 150], UNIT) - base
    assert -1.0 <= far < near < 0.0
    assert near == pytest.approx(scaled_sigmoid(1 / 9))
    assert far == -1.0  # more than 3 window lengths away


def test_probationary_rows_are_not_scored() -> None:
    series = _series()
    assert _raw(series, [5, 60], UNIT, probation=0.15) == pytest.approx(1.0)
    assert _raw(series, [20, 60], UNIT, probation=0.15) == pytest.approx(0.0)


def _corpus(scores_for: dict[str, list[int]]) -> list[tuple[LabeledSeries, np.ndarray]]:
    out = []
    for name, hits in scores_for.items():
        series = _series(1000, ((400, 449), (800, 849)))
        series = LabeledSeries(name, series.timestamps, series.windows)
        scores = np.full(1000, 0.1)
        scores[hits] = 0.9
        out.append((series, scores))
    return out


def test_perfect_detector_scores_100_and_null_detector_0() -> None:
    perfect = evaluate_corpus(_corpus({"a": [400, 800], "b": [400, 800]}))
    null = evaluate_corpus([(s, np.full(len(x), 0.5)) for s, x in _corpus({"a": [], "b": []})])
    for name in PROFILES:
        assert perfect.profiles[name].normalised == pytest.approx(100.0)
        assert null.profiles[name].normalised == pytest.approx(0.0)
        assert [f.normalised for f in perfect.profiles[name].files] == pytest.approx([100, 100])


def test_threshold_is_optimised_over_the_whole_corpus() -> None:
    result = evaluate_corpus(_corpus({"a": [400, 800, 200], "b": [420]}))
    standard = result.profiles["standard"]
    # Detecting (score 0.9) beats detecting nothing; detecting everything is worse.
    assert standard.threshold == pytest.approx(0.9)
    a, b = standard.files
    assert (a.tp, a.fp, b.tp, b.fp) == (2, 1, 1, 0)
    assert standard.raw == pytest.approx(a.raw + b.raw)
    expected = 2 - 0.11 + scaled_sigmoid(-(449 - 420 + 1) / 50) / scaled_sigmoid(-1) - 1
    assert standard.raw == pytest.approx(expected)
    assert standard.normalised == pytest.approx(100 * (expected + 4) / 8)
    assert 0 < result.profiles["reward_low_FP_rate"].normalised < standard.normalised
    assert not math.isnan(result.profiles["reward_low_FN_rate"].normalised)


def test_a_threshold_chosen_elsewhere_is_applied_not_re_optimised() -> None:
    # Leave-one-category-out: this corpus is scored at the others' threshold.
    corpus = _corpus({"a": [400, 800, 200], "b": [420]})
    best = evaluate_corpus(corpus).profiles["standard"]
    given = {name: 0.95 for name in PROFILES}  # above every score: nothing detected
    held = evaluate_corpus(corpus, thresholds=given).profiles["standard"]
    assert held.threshold == 0.95
    assert all(f.tp == 0 and f.fp == 0 for f in held.files)
    assert held.normalised == pytest.approx(0.0)  # as the null detector
    assert held.normalised < best.normalised


def test_scores_outside_unit_interval_are_refused() -> None:
    series = _series()
    with pytest.raises(NabDataError):
        sweep(series, np.full(100, 1.5), UNIT)
    with pytest.raises(NabDataError):
        sweep(series, np.zeros(99), UNIT)


def test_load_corpus_reads_nab_layout(tmp_path: Path) -> None:
    (tmp_path / "realKnownCause").mkdir()
    lines = ["timestamp,value"] + [f"2014-01-01 00:{m:02d}:00,{m}.5" for m in range(30)]
    (tmp_path / "realKnownCause" / "x.csv").write_text("\n".join(lines) + "\n")
    windows = {
        "realKnownCause/x.csv": [["2014-01-01 00:10:00.000000", "2014-01-01 00:14:00.000000"]]
    }
    (tmp_path / "windows.json").write_text(json.dumps(windows))
    [(series, values)] = load_corpus(tmp_path)
    assert series.name == "realKnownCause/x.csv"
    assert series.window_indices() == [(10, 14)]
    assert values[3] == 3.5
    (tmp_path / "windows.json").write_text("{}")
    with pytest.raises(NabDataError, match="no entry"):
        load_corpus(tmp_path)
