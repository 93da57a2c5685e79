"""ScoreTuning.duration_known: the duration record knows the stream's own spells.

Issue 14's twenty-first NAB session; in the product since then, with
``durations`` and ``duration_unreported``. With those two alone the record
decayed to its floor between a stream's weekly spells, and before any spell
it knew nothing; on event-free synthetic counts each made one false duration
report. These tests pin the mechanism, not a NAB score. NAB's whole-set
threshold is about 0.126. "Product" below is the product before durations
(``_OFF``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bench.nab_select import score_with
from bench.nab_synthetic import counts
from twin.analytics.anomaly.evidence_durations import GAP, EvidenceDurations
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning
from twin.analytics.anomaly.stream_score import StreamScore

# The product before issue 14's twenty-first NAB session: no duration evidence.
_OFF = replace(DEFAULT_TUNING, durations=False, duration_unreported=False, duration_known=False)
_UNREPORTED = replace(_OFF, durations=True, duration_unreported=True)
_KNOWN = replace(_UNREPORTED, duration_known=True)
_THRESHOLD = 0.126


def _spells(known: bool, lengths: list[int], quiet: int) -> list[float]:
    """Each spell's duration score: spells of ``lengths`` readings, ``quiet`` apart."""
    spells = EvidenceDurations(decay=0.9995, typical_alpha=1.0, unreported=True, known=known)
    found = []
    for length in lengths:
        best = 0.0
        for up in [False] * quiet + [True] * length:
            spells.tick(0)
            best = max(best, spells.observe(0, 10.0 if up else 0.0, 1.0, True))
        found.append(best)
    return found


def test_a_spell_no_longer_than_twice_an_old_one_is_not_news() -> None:
    # 12 readings, then 22 three thousand readings later (a week of 5-minute
    # readings is 2,016): the decaying record is back at its floor (GAP, 10),
    # so 22 beats it twice (reported at 21); the known record still holds 12.
    assert _spells(False, [12, 22], 3000)[1] == pytest.approx(1.0 - GAP / 21)
    assert _spells(True, [12, 22], 3000) == [0.0, 0.0]
    # One longer than twice the old spell is news all the same.
    assert _spells(True, [12, 25], 3000)[1] == pytest.approx(1.0 - 12 / 25)


def test_no_duration_report_before_a_spell_has_closed() -> None:
    # The first spell: its record is the floor, which knows nothing.
    assert _spells(False, [25], 50) == [pytest.approx(1.0 - GAP / 21)]
    assert _spells(True, [25], 50) == [0.0]
    # Once one has closed, the next spell twice as long is reported.
    assert _spells(True, [25, 51], 50)[1] == pytest.approx(1.0 - 25 / 51)


@pytest.mark.parametrize("seed", [138, 143])
def test_a_weekly_spell_on_event_free_counts_is_not_reported(seed: int) -> None:
    # Synthetic gamma-Poisson counts (bench/nab_synthetic.py, design seeds of
    # the twenty-first session): a Monday morning's spell beat the decayed
    # record (10) twice and made one false row; with the record knowing the
    # earlier Mondays' spells, the scores are the product's.
    t, v = counts(seed)
    product = score_with(_OFF, t, v)
    unreported = score_with(_UNREPORTED, t, v)
    extra = np.flatnonzero(unreported != product)
    assert len(extra) == 1 and unreported[extra[0]] >= _THRESHOLD
    assert np.array_equal(score_with(_KNOWN, t, v), product)


def _blips_then_growing(seed: int) -> np.ndarray:
    """Noise 1, six-reading +-6 blip clusters every 290 readings, then a +-5
    oscillation growing over 30 readings (300 readings) from reading 4300."""
    rng = np.random.default_rng(seed)
    values = rng.normal(0.0, 1.0, 5000)
    for start in range(500, 4000, 290):
        values[start : start + 6] += 6.0 * np.array([1.0, -1.0] * 3)
    amplitude = 5.0 * np.minimum(1.0, np.arange(300) / 30.0)
    values[4300:4600] += amplitude * np.array([1.0, -1.0] * 150)
    return values


def _scores(tuning: ScoreTuning, values: np.ndarray) -> np.ndarray:
    scorer = StreamScore(tuning)
    return np.array([scorer.update(i * 300.0, float(v)) for i, v in enumerate(values)])


@pytest.mark.parametrize("seed", [0, 1])
def test_an_oscillation_longer_than_the_blips_keeps_its_duration_report(seed: int) -> None:
    # What the duration evidence is for (grok_asg_anomaly #0): the product
    # reports nothing of it; the blips' spells are the record it beats.
    values = _blips_then_growing(seed)
    assert _scores(_OFF, values)[4300:4700].max() == 0.0
    known = _scores(_KNOWN, values)
    assert (known[4300:4700] >= _THRESHOLD).sum() == 1


def test_the_option_needs_durations_and_the_product_has_it_on() -> None:
    with pytest.raises(ValueError, match="duration_known"):
        ScoreTuning(duration_known=True)
    assert DEFAULT_TUNING == _KNOWN
    assert DEFAULT_TUNING.duration_known is True
