"""ScoreTuning.noise_regime: the spread changes while the level stays in range.

These tests pin what the rule does and the product's choice
(docs/measurements/anomaly-log.md, "A changed noise regime", issue 14's
sixteenth NAB session), not a NAB score. NAB's whole-set threshold is 0.126.
"""

from __future__ import annotations

import random
from dataclasses import replace

from twin.analytics.anomaly.noise_regime import noise_regime
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning
from twin.analytics.anomaly.stream_rates import rates_for
from twin.analytics.anomaly.stream_score import StreamScore

_ON = replace(DEFAULT_TUNING, noise_regime=True)
_THRESHOLD = 0.126
_STEP = 300.0
_CHANGE = 3000


def _noise(seed: int, n: int, factor: float = 1.0, at: int = _CHANGE) -> list[float]:
    """Gaussian noise around 20, its sigma times ``factor`` from reading ``at`` on."""
    rng = random.Random(seed)
    return [20.0 + rng.gauss(0.0, 1.0) * (factor if i >= at else 1.0) for i in range(n)]


def _bursty(seed: int, n: int) -> list[float]:
    """A 2 % baseline (noise 0.2) with 3-reading bursts to 60 at 1 in 40 readings."""
    rng = random.Random(seed)
    values: list[float] = []
    while len(values) < n:
        if rng.random() < 1 / 40:
            values += [60.0 + rng.gauss(0.0, 5.0) for _ in range(3)]
        else:
            values.append(2.0 + rng.gauss(0.0, 0.2))
    return values[:n]


def _scores(tuning: ScoreTuning, values: list[float]) -> list[float]:
    scorer = StreamScore(tuning)
    return [scorer.update(i * _STEP, v) for i, v in enumerate(values)]


def _fired(scores: list[float], lo: int, hi: int) -> list[int]:
    return [i for i in range(lo, hi) if scores[i] >= _THRESHOLD]


def test_noise_that_collapses_to_a_quarter_is_reported_once_soon_after() -> None:
    for seed in range(4):
        values = _noise(seed, 5000, 0.25)
        on = _fired(_scores(_ON, values), _CHANGE, _CHANGE + 300)
        assert len(on) == 1 and on[0] < _CHANGE + 100, (seed, on)
        # The product sees nothing: every other evidence measures a residual,
        # and residuals that shrink beat no record.
        assert _fired(_scores(DEFAULT_TUNING, values), _CHANGE, _CHANGE + 300) == []


def test_noise_that_grows_fourfold_is_seen_by_the_regime_evidence_itself() -> None:
    # The product's spike evidence fires there too, so the regime's own
    # score is read: fed the residuals and a slow scale as StreamScore does.
    rates = rates_for(_ON)
    for seed in range(4):
        regime = noise_regime(_ON, rates, 6.0, 10.0, 1.0)
        assert regime is not None
        rng = random.Random(seed)
        slow = 1.0
        reports = []
        for i in range(5000):
            residual = rng.gauss(0.0, 4.0 if i >= _CHANGE else 1.0)
            if regime.update(residual, slow, 1e-9, 0, i >= 100) > 0.0:
                reports.append(i)
            slow += 0.002 * (min(abs(residual), 3.0 * slow) - slow)
        assert len(reports) == 1 and _CHANGE <= reports[0] < _CHANGE + 100, (seed, reports)


def test_plain_noise_gains_no_report() -> None:
    for seed in (0, 1):
        values = _noise(seed, 30_000)
        on, off = _scores(_ON, values), _scores(DEFAULT_TUNING, values)
        assert _fired(on, 0, len(values)) == _fired(off, 0, len(values))


def test_ordinary_bursts_of_a_bursty_stream_gain_no_report_once_seen() -> None:
    for seed in (0, 1, 2):
        values = _bursty(seed, 8000)
        on, off = _scores(_ON, values), _scores(DEFAULT_TUNING, values)
        assert _fired(on, 1000, len(values)) == _fired(off, 1000, len(values)), seed


def test_nothing_is_judged_while_the_slow_scale_is_still_the_first_readings() -> None:
    # The slow scale (weight 0.002) still weighs its first readings by more
    # than 1/e until about 500 readings: a collapse before that is not judged.
    values = _noise(0, 2000, 0.25, at=200)
    on, off = _scores(_ON, values), _scores(DEFAULT_TUNING, values)
    assert _fired(on, 0, 500) == _fired(off, 0, 500)


def test_the_product_keeps_the_noise_regime_off() -> None:
    assert DEFAULT_TUNING.noise_regime is False
    values = _noise(3, 5000, 0.25)
    assert _scores(DEFAULT_TUNING, values) == _scores(
        replace(DEFAULT_TUNING, noise_regime=False), values
    )



def _idling_quieter(seed: int, n: int, stretch: int = 400) -> list[float]:
    """Bursty stretches (as ``_bursty``) between idle ones, each idle stretch's
    noise ten times smaller than the last (0.02, 0.002, ...)."""
    busy = _bursty(seed, n)
    rng = random.Random(seed + 100)
    values = []
    for i, v in enumerate(busy):
        k = i // stretch
        values.append(v if k % 2 == 0 else 2.0 + rng.gauss(0.0, 0.2 * 10.0 ** -(k // 2 + 1)))
    return values


def test_idle_stretches_each_quieter_than_the_last_report_at_most_once() -> None:
    # Unbounded, the collapse's ratio s / f grows ten-fold with each stretch
    # and beats the records (raised at most ten-fold a reading) again each
    # time. Bounded as the rise is (a ratio within 1/6..6), the records learn
    # the bound: one report at most, however quiet the idling gets.
    for seed in (0, 1):
        values = _idling_quieter(seed, 6000)
        on, off = _scores(_ON, values), _scores(DEFAULT_TUNING, values)
        added = [i for i in _fired(on, 0, len(values)) if i not in _fired(off, 0, len(values))]
        assert len(added) <= 1, (seed, added)
