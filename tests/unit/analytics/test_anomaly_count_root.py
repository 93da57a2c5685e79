"""ScoreTuning.count_root: count streams scored on their Anscombe square root.

Issue 14, twenty-sixth NAB session (off in the product). On overdispersed
counts with a daily cycle the busy hours' residuals outgrow the day's scale;
the root makes the spread nearly level-free. A stream that is not a count
(a fraction or a negative value in its settling) scores exactly as without
the option; a stream that qualified stays on the root, whatever comes later.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from bench.nab_select import score_with
from bench.nab_synthetic import counts
from twin.analytics.anomaly.count_root import anscombe
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING
from twin.analytics.anomaly.stream_score import StreamScore

_ROOT = replace(DEFAULT_TUNING, count_root=True)
_DAY = 86400.0


def _busy_share_of_large_z(root: bool) -> tuple[float, float]:
    """Share of |z| > 4 in the busy and quiet halves of the day, the true mean as prediction.

    Gamma-Poisson counts (shape 4) around a daily cycle of mean 21; the scale is
    an EWMA of |residual| at 0.01 winsorised at 3 scales, as the scorer's.
    """
    rng = np.random.default_rng(7)
    t = 300.0 * np.arange(20_000)
    mean = 20.0 * (1.0 + 0.8 * np.sin(2.0 * math.pi * (t % _DAY) / _DAY)) + 1.0
    values = rng.poisson(rng.gamma(4.0, mean / 4.0)).astype(np.float64)
    busy = mean > 21.0
    predicted = mean
    if root:
        values = np.array([anscombe(v) for v in values])
        predicted = np.array([anscombe(m) for m in mean])
    large = np.zeros(len(t), dtype=bool)
    scale = 1.0
    for i, r in enumerate((values - predicted).tolist()):
        large[i] = abs(r) > 4.0 * 1.2533 * scale  # sigma from the mean absolute deviation
        scale += 0.01 * (min(abs(r), 3.0 * 1.2533 * scale) - scale)
    large[:500] = False  # the scale's warm-up
    return float(large[busy].mean()), float(large[~busy].mean())


def test_the_root_evens_the_busy_hours_tail() -> None:
    busy, quiet = _busy_share_of_large_z(root=False)
    busy_root, quiet_root = _busy_share_of_large_z(root=True)
    assert busy > 5.0 * quiet  # without it, the busy hours hold the tail
    assert busy_root < 0.5 * busy
    assert busy_root < 3.0 * quiet_root + 0.002  # with it, the two halves are alike


def test_count_streams_fire_less_with_the_root() -> None:
    for seed in (0, 1, 2):
        t, v = counts(seed)
        start = math.ceil(0.15 * len(v))
        product = int((score_with(DEFAULT_TUNING, t, v)[start:] >= 0.1262).sum())
        root = int((score_with(_ROOT, t, v)[start:] >= 0.1262).sum())
        assert root < product, seed


def test_a_qualified_count_stream_is_scored_on_its_root_throughout() -> None:
    t, v = counts(3)
    v = v[:3000].copy()
    v[1500] += 0.5  # a fraction after the settling: mapped, not a switch of units
    v[2200] = -2.0  # a negative value too: the root is mirrored below 0
    on, off = StreamScore(_ROOT), StreamScore(DEFAULT_TUNING)
    for ts, x in zip(t.tolist(), v.tolist(), strict=False):
        assert on.update(ts, x) == off.update(ts, anscombe(x))


def test_a_stream_that_is_not_a_count_is_untouched() -> None:
    rng = np.random.default_rng(5)
    t = 300.0 * np.arange(3000)
    whole = np.round(50.0 + rng.normal(0.0, 5.0, len(t)))
    for first_fraction in (0, 7, 20):  # at the start, inside and at the end of the settling
        v = whole.copy()
        v[first_fraction] += 0.25
        assert np.array_equal(score_with(_ROOT, t, v), score_with(DEFAULT_TUNING, t, v))
    negative = whole - 60.0  # integers, but not counts
    assert np.array_equal(score_with(_ROOT, t, negative), score_with(DEFAULT_TUNING, t, negative))


def test_anscombe_is_continuous_and_increasing_on_every_real() -> None:
    xs = np.linspace(-50.0, 50.0, 2001)
    ys = np.array([anscombe(x) for x in xs])
    assert np.all(np.diff(ys) > 0.0)
    assert abs(anscombe(1e-12) - anscombe(-1e-12)) < 1e-9
    assert anscombe(0.0) == 2.0 * math.sqrt(0.375)
