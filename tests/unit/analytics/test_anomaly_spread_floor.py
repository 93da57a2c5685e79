"""ScoreTuning.spread_floor: the shift and slow evidences' floor from their own spread.

These tests pin what the mechanism does (docs/measurements/anomaly-log.md, issue 14's
nab48 session), not a NAB score.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from twin.analytics.anomaly.decay_average import HALF_NORMAL_MEAN_TO_MAD, decay_average
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning
from twin.analytics.anomaly.stream_score import StreamScore

_SPREAD = replace(DEFAULT_TUNING, spread_floor=True)


def _steady_then(tuning: ScoreTuning, strength: float) -> float:
    """Evidences that sat at 3 +- 0.2 for 20,000 readings; the shift's bar for ``strength``."""
    records = decay_average(tuning, 10.0)
    rng = np.random.default_rng(5)
    for steady in 3.0 + rng.uniform(-0.2, 0.2, (20_000, 3)):
        for k in range(3):
            records.bar(k, float(steady[k]), True, 0)
    return records.bar(1, strength, True, 0)


def test_a_sustained_change_of_a_few_spreads_beats_a_steady_evidences_floor() -> None:
    # The evidence sits high (mean 3) but steady (mean deviation 0.1): five
    # times its mean (15) is far above its own excursions, so a change to 5
    # (20 of its deviations above its mean) never beats the product's floor.
    assert _steady_then(DEFAULT_TUNING, 5.0) >= 5.0
    # From its spread the floor is 3 + 4 * 1.653 * 0.1, about 3.7: it scores.
    bar = _steady_then(_SPREAD, 5.0)
    assert bar < 4.0
    assert 1.0 - bar / 5.0 > 0.2


def test_the_mean_to_deviation_ratio_is_a_half_normals() -> None:
    # |N(0, 1)|, the evidence on white noise: mean over mean absolute deviation.
    y = np.abs(np.random.default_rng(0).normal(size=2_000_000))
    assert y.mean() / np.abs(y - y.mean()).mean() == pytest.approx(
        HALF_NORMAL_MEAN_TO_MAD, rel=2e-3
    )


def test_on_white_noise_the_floors_are_the_products() -> None:
    values = np.random.default_rng(11).normal(0.0, 1.0, 20_000)
    product, spread = StreamScore(), StreamScore(_SPREAD)
    ratios = []
    for i, v in enumerate(values):
        product.update(300.0 * i, float(v))
        spread.update(300.0 * i, float(v))
        if i >= 2000 and i % 500 == 0:
            p, s = product._records, spread._records  # the state under test
            assert s.floor(0) == p.floor(0)  # the spike keeps record_floor times its mean
            ratios.append([s.floor(k) / p.floor(k) for k in (1, 2)])
    mean = np.mean(ratios, axis=0)
    assert mean == pytest.approx([1.0, 1.0], abs=0.04)


def test_it_needs_the_averaged_records() -> None:
    with pytest.raises(ValueError, match="spread_floor"):
        ScoreTuning(spread_floor=True)
