"""ScoreTuning.durations: how long an evidence stays up, judged against its earlier spells.

These tests pin what the mechanism does (issue 14's eighteenth NAB session;
in the product since the twenty-first, with ``duration_unreported`` and
``duration_known``), not a NAB score. ``_ON`` is ``durations`` alone.
NAB's whole-set threshold is about 0.126.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from twin.analytics.anomaly.evidence_durations import GAP, EvidenceDurations
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning
from twin.analytics.anomaly.stream_score import StreamScore

# The product before issue 14's twenty-first NAB session: no duration evidence.
_OFF = replace(DEFAULT_TUNING, durations=False, duration_unreported=False, duration_known=False)
_ON = replace(_OFF, durations=True)
_THRESHOLD = 0.126


def _scores(tuning: ScoreTuning, values: np.ndarray) -> np.ndarray:
    scorer = StreamScore(tuning)
    return np.array([scorer.update(i * 300.0, float(v)) for i, v in enumerate(values)])


def _blips_then_oscillation(seed: int) -> np.ndarray:
    """Noise 1 with six-reading +-6 blip clusters every 290 readings, then the
    same +-6 kept up for 300 readings (from 4300): no larger, only longer."""
    rng = np.random.default_rng(seed)
    values = rng.normal(0.0, 1.0, 5000)
    for start in range(500, 4000, 290):
        values[start : start + 6] += 6.0 * np.array([1.0, -1.0] * 3)
    values[4300:4600] += 6.0 * np.array([1.0, -1.0] * 150)
    return values


@pytest.mark.parametrize("seed", [0, 1])
def test_a_sustained_oscillation_no_larger_than_earlier_blips_is_reported_once(seed: int) -> None:
    values = _blips_then_oscillation(seed)
    on, off = _scores(_ON, values), _scores(_OFF, values)
    # Without durations nothing in the event beats the blips' records.
    assert off[4300:4700].max() < _THRESHOLD
    fired = np.flatnonzero(on[4300:4700] >= _THRESHOLD)
    assert len(fired) == 1  # once per spell, not every reading it lasts
    assert fired[0] < 4 * GAP  # twice the record (the blips' GAP floor) and a little
    # Before the event the option reports nothing the product does not.
    assert np.array_equal(on[:4300] >= _THRESHOLD, off[:4300] >= _THRESHOLD)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_plain_noise_gains_no_report(seed: int) -> None:
    # Includes the warm-up: the slow evidences carry the first readings'
    # astronomical |z| for a hundred readings, and the mean under the floor
    # starts at 0; neither may read as a long spell.
    values = np.random.default_rng(seed).normal(0.0, 1.0, 20_000)
    on, off = _scores(_ON, values), _scores(_OFF, values)
    assert np.array_equal(on >= _THRESHOLD, off >= _THRESHOLD)


def _run(spells: EvidenceDurations, ups: list[bool], judge: bool = True) -> list[float]:
    out = []
    for up in ups:
        spells.tick(0)
        out.append(spells.observe(0, 10.0 if up else 0.0, 1.0, judge))
    return out


def test_a_spell_is_reported_once_when_it_lasts_twice_its_record() -> None:
    spells = EvidenceDurations(decay=1.0, typical_alpha=1.0)
    _run(spells, [False])  # down once after the warm-up: spells may start
    # A 15-reading spell sets the record (above the GAP floor).
    assert max(_run(spells, [True] * 15 + [False] * (GAP + 1))) == 0.0
    assert spells.state()[0] == 15.0
    out = _run(spells, [True] * 40)
    assert [i for i, s in enumerate(out) if s > 0.0] == [30]  # 31 readings > 2 x 15
    assert out[30] == pytest.approx(1.0 - 15.0 / 31.0)


def _spell_after_a_report(report: float, before: int) -> list[float]:
    """A record of 15, then a 40-reading spell; the stream reported ``report``
    ``before`` readings before the spell's first reading (0: at it)."""
    spells = EvidenceDurations(decay=1.0, typical_alpha=1.0)
    _run(spells, [False])
    _run(spells, [True] * 15 + [False] * (GAP + 1))
    if before:
        spells.tick(0)  # a reading the stream reported on another evidence
        spells.observe(0, 0.0, 1.0, True)
        spells.fired(report)
        _run(spells, [False] * (before - 1))
        return _run(spells, [True] * 40)
    out = _run(spells, [True])
    spells.fired(report)  # the spell's first reading was reported (another evidence)
    return out + _run(spells, [True] * 39)


@pytest.mark.parametrize("before", [0, 1, GAP])
def test_an_event_reported_as_strongly_gets_no_second_report(before: int) -> None:
    # One report per event: the spell's own report would score about 0.52.
    assert max(_spell_after_a_report(0.9, before)) == 0.0


@pytest.mark.parametrize(("report", "before"), [(0.2, 0), (0.9, GAP + 1)])
def test_a_weaker_or_older_report_does_not_silence_the_spell(report: float, before: int) -> None:
    # A report under the spell's own score (the product's 0.04-0.12 at the
    # start of an oscillation), or one before the event's span, is not this
    # event's report as strong as it.
    out = _spell_after_a_report(report, before)
    assert [i for i, s in enumerate(out) if s > 0.0] == [30]
    assert out[30] == pytest.approx(1.0 - 15.0 / 31.0)


def test_short_dips_do_not_end_a_spell_and_long_ones_do() -> None:
    spells = EvidenceDurations(decay=1.0, typical_alpha=1.0)
    _run(spells, [False])
    # Up every other reading (an oscillation across zero): one spell of 21 readings.
    _run(spells, [True, False] * 10 + [True] + [False] * (GAP + 1))
    assert spells.state()[0] == 21.0
    # Down longer than GAP between: two spells of 5, the record stays 21.
    _run(spells, [True] * 5 + [False] * (GAP + 1) + [True] * 5 + [False] * (GAP + 1))
    assert spells.state()[0] == 21.0


def test_the_warm_ups_spell_is_neither_learnt_nor_reported() -> None:
    spells = EvidenceDurations(decay=1.0, typical_alpha=1.0)
    _run(spells, [True] * 50, judge=False)
    out = _run(spells, [True] * 50)  # still the same spell: the evidence never went down
    assert max(out) == 0.0
    _run(spells, [False] * (GAP + 1))
    assert spells.state()[0] == float(GAP)  # not learnt


def test_the_duration_record_decays() -> None:
    spells = EvidenceDurations(decay=0.99, typical_alpha=1.0)
    _run(spells, [False])
    _run(spells, [True] * 60 + [False] * (GAP + 1))
    assert spells.state()[0] == 60.0  # learnt when the spell ended
    _run(spells, [False] * 50)
    assert spells.state()[0] == pytest.approx(60.0 * 0.99**50)
    _run(spells, [False] * 500)
    assert spells.state()[0] == float(GAP)  # never below the floor


def test_the_product_has_durations_on_and_off_builds_none() -> None:
    assert DEFAULT_TUNING.durations
    assert StreamScore()._durations is not None
    assert StreamScore(_OFF)._durations is None
