"""records.py: one record or the averaged records, behind one interface."""

from __future__ import annotations

import numpy as np
import pytest

from twin.analytics.anomaly.decay_average import DecayAverage
from twin.analytics.anomaly.records import SingleRecord, records_for
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning
from twin.analytics.anomaly.stream_rates import rates_for


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
    with pytest.raises(TypeError):
        ScoreTuning(likelihood=12.0)  # type: ignore[call-arg]
