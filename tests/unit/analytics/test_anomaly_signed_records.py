"""ScoreTuning.signed_records: each evidence judged against the records of its own sign.

Issue 14's twenty-seventh NAB session (off). On a stream whose routine
bursts go up, one record per evidence makes a drop beat the bursts' size;
with a record per sign it beats only the stream's earlier drops. These tests
pin the mechanism, not a NAB score.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from twin.analytics.anomaly.decay_average import DecayAverage, decay_average
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning
from twin.analytics.anomaly.stream_score import StreamScore

_SIGNED = replace(DEFAULT_TUNING, signed_records=True)
_BURST = 12.0  # sigma: every 150th reading, upward
_DROP_AT = 5000


def _scores(tuning: ScoreTuning) -> list[float]:
    rng = np.random.default_rng(3)
    values = 100.0 + rng.normal(0.0, 1.0, 5200)
    # A low value before the records learn (reading 10 on): the range already
    # holds it, so the later drop is no new extreme; only the records judge it.
    values[5] = 70.0
    values[300:_DROP_AT:150] += _BURST
    values[_DROP_AT] -= _BURST / 2
    scorer = StreamScore(tuning)
    return [scorer.update(300.0 * i, float(x)) for i, x in enumerate(values)]


def test_a_drop_half_the_routine_bursts_scores_only_against_its_own_sign() -> None:
    product, signed = _scores(DEFAULT_TUNING), _scores(_SIGNED)
    assert product[_DROP_AT] == 0.0  # the bursts set the one bar it must beat
    assert signed[_DROP_AT] > 0.126  # above NAB's whole-set threshold
    # The upward bursts are judged against the same (upward) records either way.
    bursts = range(1050, _DROP_AT, 150)
    assert [signed[i] for i in bursts] == [product[i] for i in bursts]


def test_the_other_sign_decays_to_the_shared_floor() -> None:
    tuning = replace(DEFAULT_TUNING, signed_records=True)
    records = decay_average(tuning, 10.0)
    assert isinstance(records, DecayAverage)
    for _ in range(20):
        records.bar(0, 1.0, True, 0)
    records.bar(0, 40.0, True, 0)  # one upward spike: its sign's records rise ten-fold
    assert records.bar(0, 8.0, False, 0) == 8.0  # every upward record above 8
    # The downward records learnt nothing: decayed to the shared floor (here
    # below 1 sigma, so the bar is the 1-sigma minimum).
    assert records.floor(0) < 1.0
    assert records.bar(0, 8.0, False, 0, negative=True) == 1.0
    # Off, the sign is ignored: one record per evidence.
    plain = decay_average(DEFAULT_TUNING, 10.0)
    for _ in range(20):
        plain.bar(0, 1.0, True, 0)
    plain.bar(0, 40.0, True, 0)
    assert plain.bar(0, 8.0, False, 0, negative=True) == plain.bar(0, 8.0, False, 0)


def test_signed_records_need_the_averaged_records() -> None:
    with pytest.raises(ValueError, match="signed_records"):
        ScoreTuning(signed_records=True)
