"""evidence.py and records.py: the scorer's options behind one interface each."""

from __future__ import annotations

import numpy as np
import pytest

from twin.analytics.anomaly.decay_average import DecayAverage
from twin.analytics.anomaly.evidence import extra_evidences
from twin.analytics.anomaly.records import SingleRecord, records_for
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning
from twin.analytics.anomaly.stream_rates import rates_for
from twin.analytics.anomaly.stream_score import StreamScore


def test_the_product_builds_no_extra_evidence_and_the_likelihood_is_one() -> None:
    assert extra_evidences(DEFAULT_TUNING, 6.0) == ()
    assert len(extra_evidences(ScoreTuning(likelihood=12.0), 6.0)) == 1


def test_an_extra_evidence_is_fused_by_max_it_only_adds_scores() -> None:
    # The likelihood as a second opinion: every reading scores at least what
    # the product scores (fused by max before the one-report rule) on a stream
    # where it fires; the report rule may then drop a later, smaller score.
    rng = np.random.default_rng(3)
    values = rng.normal(0.0, 1.0, 3000)
    values[1500:1510] += 25.0
    values[2100:2110] += 8.0  # smaller than the record the first burst left
    ts = 300.0 * np.arange(len(values))
    off, on = (
        StreamScore(DEFAULT_TUNING),
        StreamScore(
            ScoreTuning(
                record_decays=DEFAULT_TUNING.record_decays, range_lag_s=86_400.0, likelihood=8.0
            )
        ),
    )
    a = [off.update(t, v) for t, v in zip(ts.tolist(), values.tolist(), strict=True)]
    b = [on.update(t, v) for t, v in zip(ts.tolist(), values.tolist(), strict=True)]
    assert max(b[2100:2110]) > max(a[2100:2110])


def test_records_for_gives_one_record_or_the_averaged_records() -> None:
    one = ScoreTuning()
    assert isinstance(records_for(one, rates_for(one), 10.0), SingleRecord)
    assert isinstance(records_for(DEFAULT_TUNING, rates_for(DEFAULT_TUNING), 10.0), DecayAverage)


def test_one_freak_reading_raises_a_record_at_most_ten_fold() -> None:
    tuning = ScoreTuning()
    records = SingleRecord(tuning, rates_for(tuning), 10.0)
    assert records.bar(0, 1000.0, True, 0) == 1.0  # the bar before it: a fresh record's 1 sigma
    assert records.bar(0, 0.0, True, 0) == 10.0  # it counted for ten times that bar
    assert records.news  # one record: a spike that beats it beats them all


@pytest.mark.parametrize("decay", [0.999, 0.9995])
def test_the_single_record_is_the_averaged_records_with_one_decay_bit_for_bit(
    decay: float,
) -> None:
    # decay_average.py's promise, now that the single record lives in records.py:
    # the same score (1 - bar / strength when beaten) for every reading.
    one, avg = ScoreTuning(record_decay=decay), ScoreTuning(record_decays=(decay,))
    single, averaged = SingleRecord(one, rates_for(one), 10.0), DecayAverage(avg, 10.0)
    rng = np.random.default_rng(0)
    beaten = 0
    for i in range(5000):
        strength = float(abs(rng.standard_cauchy()))
        missed = int(rng.integers(0, 40)) if i % 97 == 0 else 0
        for k in range(3):
            a = single.bar(k, strength, i >= 10, missed)
            b = averaged.bar(k, strength, i >= 10, missed)
            assert (1.0 - a / strength if strength > a else 0.0) == (
                1.0 - b / strength if strength > b else 0.0
            )
            beaten += strength > a
    assert beaten > 20  # the records were beaten (51 times here), not only compared


def test_a_removed_option_is_refused_not_ignored() -> None:
    with pytest.raises(TypeError):
        ScoreTuning(quiet_spells=True)  # type: ignore[call-arg]
