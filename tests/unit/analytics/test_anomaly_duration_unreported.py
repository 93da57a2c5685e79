"""ScoreTuning.duration_unreported: a duration report only for an event not reported at all.

Issue 14's twentieth NAB session; in the product since the twenty-first,
with ``duration_known``. These tests pin the mechanism on small constructed
streams, not a NAB score; "product" below is the product before durations
(``_OFF``). NAB's whole-set threshold is about 0.126.
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
_DURATIONS = replace(_OFF, durations=True)
_UNREPORTED = replace(_DURATIONS, duration_unreported=True)
_THRESHOLD = 0.126


def _scores(tuning: ScoreTuning, values: np.ndarray) -> np.ndarray:
    scorer = StreamScore(tuning)
    return np.array([scorer.update(i * 300.0, float(v)) for i, v in enumerate(values)])


def _blips_then(seed: int, amplitude: np.ndarray) -> np.ndarray:
    """Noise 1 with six-reading +-6 blip clusters every 290 readings, then an
    oscillation of ``amplitude`` (300 readings) from reading 4300."""
    rng = np.random.default_rng(seed)
    values = rng.normal(0.0, 1.0, 5000)
    for start in range(500, 4000, 290):
        values[start : start + 6] += 6.0 * np.array([1.0, -1.0] * 3)
    values[4300:4600] += amplitude * np.array([1.0, -1.0] * 150)
    return values


@pytest.mark.parametrize("seed", [0, 1])
def test_an_event_already_reported_however_weakly_gets_no_duration_report(seed: int) -> None:
    # A +-6 oscillation starting at once: its first readings beat the blips'
    # records by a little (the product reports them, weakly); then it lasts.
    values = _blips_then(seed, np.full(300, 6.0))
    product = _scores(_OFF, values)
    assert 0.0 < product[4300:4320].max() < _THRESHOLD  # reported, weakly
    durations = _scores(_DURATIONS, values)
    assert (durations[4300:4700] >= _THRESHOLD).sum() == 1  # the duration report
    # With the option, the event's weak report silences its duration report.
    assert np.array_equal(_scores(_UNREPORTED, values), product)


@pytest.mark.parametrize("seed", [0, 1])
def test_an_event_nothing_reported_keeps_its_duration_report(seed: int) -> None:
    # The same oscillation growing to +-5 over 30 readings: no reading beats
    # the blips' records, so the product reports nothing of it.
    values = _blips_then(seed, 5.0 * np.minimum(1.0, np.arange(300) / 30.0))
    product = _scores(_OFF, values)
    assert product[4300:4700].max() == 0.0
    unreported = _scores(_UNREPORTED, values)
    fired = np.flatnonzero(unreported[4300:4700] >= _THRESHOLD)
    assert len(fired) == 1  # once, as with durations alone
    assert np.array_equal(unreported, _scores(_DURATIONS, values))
    assert np.array_equal(unreported[:4300], product[:4300])


@pytest.mark.parametrize("seed", [0, 1])
def test_plain_noise_gains_no_report(seed: int) -> None:
    values = np.random.default_rng(seed).normal(0.0, 1.0, 20_000)
    on, off = _scores(_UNREPORTED, values), _scores(_OFF, values)
    assert np.array_equal(on >= _THRESHOLD, off >= _THRESHOLD)


def _spell_after_a_report(unreported: bool, reported: float, before: int) -> list[float]:
    spells = EvidenceDurations(decay=1.0, typical_alpha=1.0, unreported=unreported)
    out = []
    for up in [False] + [True] * 15 + [False] * (GAP + 1) + [False] * (40 - before):
        spells.tick(0)
        out.append(spells.observe(0, 10.0 if up else 0.0, 1.0, True))
    spells.fired(reported)  # a weak report, ``before`` readings before the spell
    for up in [False] * (before - 1) + [True] * 40:
        spells.tick(0)
        out.append(spells.observe(0, 10.0 if up else 0.0, 1.0, True))
    return out


def test_a_weak_report_just_before_the_spell_silences_it_only_with_the_option() -> None:
    # Without the option a report weaker than the duration's own score does not
    # count (nineteenth session); with it, any report of the event does.
    assert max(_spell_after_a_report(False, 0.01, 1)) == pytest.approx(1.0 - 15.0 / 31.0)
    assert max(_spell_after_a_report(True, 0.01, 1)) == 0.0
    assert max(_spell_after_a_report(True, 0.01, GAP)) == 0.0
    # A report more than GAP readings before the spell is another event's.
    assert max(_spell_after_a_report(True, 0.01, GAP + 1)) == pytest.approx(1.0 - 15.0 / 31.0)


def test_the_option_needs_durations_and_the_product_has_it_on() -> None:
    with pytest.raises(ValueError, match="duration_unreported"):
        ScoreTuning(duration_unreported=True)
    assert DEFAULT_TUNING.duration_unreported is True
    assert DEFAULT_TUNING.durations is True
