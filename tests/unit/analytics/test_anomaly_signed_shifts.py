"""ScoreTuning.signed_shifts: the shift and slow evidences' floors per sign.

Issue 14's nab49 session (off). On a stream whose upward excursions are
routine, the shared floor (``record_floor`` times the evidence's mean size)
is set by the upward side, and a sustained drop must beat it. With a floor
per sign a drop beats only its own sign's. These tests pin the mechanism,
not a NAB score.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from twin.analytics.anomaly.decay_average import DecayAverage
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning
from twin.analytics.anomaly.signed_shifts import SignedShifts
from twin.analytics.anomaly.stream_score import StreamScore

_ON = replace(DEFAULT_TUNING, signed_shifts=True)
_THRESHOLD = 0.1262  # NAB's whole-set standard threshold today


def _learn(records: DecayAverage, readings: int) -> None:
    """The shift evidence as nab48 measured it on counts: up ~1.8, down ~1.3 on average."""
    for i in range(readings):
        negative = i % 2 == 1
        records.bar(1, 1.3 if negative else 1.8, True, 0, negative)


def test_a_drop_beats_its_own_signs_floor_not_the_shared_one() -> None:
    signed, shared = SignedShifts(_ON, 10.0), DecayAverage(DEFAULT_TUNING, 10.0)
    _learn(signed, 20_000)
    _learn(shared, 20_000)
    assert shared.floor(1) == pytest.approx(5 * 1.55, rel=0.01)  # the shared floor
    assert signed.floor(1) == shared.floor(1)  # the duration evidence reads the same
    # A downward evidence of 7: under the shared floor (7.75), over the drops' own (6.5).
    assert shared.bar(1, 7.0, False, 0, True) == 7.0  # not beaten: scores 0
    assert signed.bar(1, 7.0, False, 0, True) == pytest.approx(6.5, rel=0.01)
    # Upward, the bar is the up side's own floor (9), higher than the shared one.
    assert signed.bar(1, 8.5, False, 0, False) == 8.5


def test_a_sign_without_history_is_floored_at_white_noises_value() -> None:
    signed = SignedShifts(_ON, 10.0)
    for _ in range(20_000):
        signed.bar(1, 0.3, True, 0, False)  # only small upward readings, never a downward one
    white = 5 * math.sqrt(2 / math.pi)
    assert signed.bar(1, 100.0, False, 0, True) == pytest.approx(white, rel=0.01)
    assert signed.bar(1, 100.0, False, 0, False) == pytest.approx(white, rel=0.01)


def test_the_spike_is_judged_as_without_the_option() -> None:
    signed, plain = SignedShifts(_ON, 10.0), DecayAverage(DEFAULT_TUNING, 10.0)
    rng = np.random.default_rng(0)
    for x in rng.normal(0.0, 1.0, 3000):
        assert signed.bar(0, abs(x), True, 0, x < 0) == plain.bar(0, abs(x), True, 0)


def _scores(tuning: ScoreTuning, values: np.ndarray) -> np.ndarray:
    scorer = StreamScore(tuning)
    return np.array([scorer.update(300.0 * i, float(x)) for i, x in enumerate(values)])


def test_a_sustained_drop_on_a_stream_with_routine_upward_bursts() -> None:
    rng = np.random.default_rng(1)
    values = 100.0 + rng.normal(0.0, 1.0, 6000)
    # A low value before the records learn: the range already holds it, so
    # the drop is no new extreme; only the evidences judge it.
    values[5] = 50.0
    for at in range(300, 5000, 60):
        values[at : at + 6] += 4.0  # routine upward bursts
    values[5000:5060] -= 2.5  # the drop: 60 readings
    product, signed = _scores(DEFAULT_TUNING, values), _scores(_ON, values)
    assert product[5000:5060].max() < _THRESHOLD
    assert signed[5000:5060].max() > _THRESHOLD
    # The bursts are reported no more often than today.
    assert (signed[1000:5000] >= _THRESHOLD).sum() <= (product[1000:5000] >= _THRESHOLD).sum()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_white_noise_gets_no_more_reports(seed: int) -> None:
    values = np.random.default_rng(seed).normal(0.0, 1.0, 20_000)
    product, signed = _scores(DEFAULT_TUNING, values), _scores(_ON, values)
    assert (signed[1000:] >= _THRESHOLD).sum() <= (product[1000:] >= _THRESHOLD).sum()


def test_signed_shifts_need_the_averaged_records() -> None:
    with pytest.raises(ValueError, match="signed_shifts"):
        ScoreTuning(signed_shifts=True)
