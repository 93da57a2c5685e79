"""ScoreTuning.quiet_spells: a spell without the stream's usual excursions.

These tests pin what the rule does and the product's choice
(docs/measurements/anomaly-log.md, "Quiet spells", issue 14's fifteenth NAB
session: measured on NAB and **off** in the product), not a NAB score. NAB's
whole-set threshold is 0.126.
"""

from __future__ import annotations

import random
from dataclasses import replace

from twin.analytics.anomaly.quiet_spell import QuietSpell
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning
from twin.analytics.anomaly.stream_score import StreamScore

_ON = replace(DEFAULT_TUNING, quiet_spells=True)
_THRESHOLD = 0.126
_STEP = 300.0
_SPELL = (4000, 4800)


def _bursty(seed: int, n: int, stop: tuple[int, int] | None = None) -> list[float]:
    """A 2 % baseline (noise 0.2) with 3-reading bursts to 60 starting at 1 in 40
    readings (a batch CPU); with ``stop``, no burst starts in that range of readings."""
    rng = random.Random(seed)
    values: list[float] = []
    while len(values) < n:
        quiet = stop is not None and stop[0] <= len(values) < stop[1]
        if not quiet and rng.random() < 1 / 40:
            values += [60.0 + rng.gauss(0.0, 5.0) for _ in range(3)]
        else:
            values.append(2.0 + rng.gauss(0.0, 0.2))
    return values[:n]


def _reported(tuning: ScoreTuning, values: list[float]) -> list[float]:
    scorer = StreamScore(tuning)
    return [scorer.update(i * _STEP, v) for i, v in enumerate(values)]


def _fired(scores: list[float], lo: int, hi: int) -> list[int]:
    return [i for i in range(lo, hi) if scores[i] >= _THRESHOLD]


def test_the_bursts_stopping_is_reported_once_inside_the_spell() -> None:
    for seed in (0, 1):
        values = _bursty(seed, 6000, _SPELL)
        on = _fired(_reported(_ON, values), *_SPELL)
        assert len(on) == 1, (seed, on)
        # 800 readings without a burst at 1 in 40: about 20 expected bursts
        # missed; it is reported once the spell's evidence beats the records
        # of the ordinary gaps two-fold, not at its first reading.
        assert on[0] > _SPELL[0] + 100, (seed, on)
        # The product sees nothing there: every evidence measures what happens.
        assert _fired(_reported(DEFAULT_TUNING, values), *_SPELL) == []


def test_ordinary_gaps_between_bursts_do_not_score_once_the_records_have_seen_them() -> None:
    # Known limit (measured): in the first ~800 readings, while the records
    # have seen few spells, an ordinary long gap can score (3 of 8 seeds).
    for seed in (0, 1, 2):
        values = _bursty(seed, 8000)
        off, on = _reported(DEFAULT_TUNING, values), _reported(_ON, values)
        extra = [i for i in range(1000, 8000) if on[i] >= _THRESHOLD and on[i] != off[i]]
        assert extra == [], (seed, extra)


def test_gaussian_noise_gains_no_more_reports_than_the_product_makes() -> None:
    # Excursions beyond 3 scales are 0.27 % of Gaussian readings, so a spell's
    # evidence is about Exp(1) and must beat its records two-fold; but the rate
    # is learnt from about one excursion per 370 readings, and a spell that
    # starts while it is estimated high scores. Measured (a known limit, one
    # reason it is off): 10 more reports on 3 x 50,000 readings, against the
    # product's own 14; seeds 6-8: 3 more against 19.
    extra = own = 0
    for seed in (3, 4, 5):
        rng = random.Random(seed)
        values = [rng.gauss(0.0, 1.0) for _ in range(50_000)]
        off, on = _reported(DEFAULT_TUNING, values), _reported(_ON, values)
        own += sum(s >= _THRESHOLD for s in off)
        extra += sum(b >= _THRESHOLD and a != b for a, b in zip(off, on, strict=True))
    assert extra <= own, (extra, own)


def test_a_small_blip_does_not_end_a_spell_judged_against_the_bursts_scale() -> None:
    quiet = QuietSpell((0.999,), 5.0, 0.002, 0.001, 3.0, 10.0)
    for _ in range(2):  # two bursts at a scale of 5: the stream has a rate
        quiet.update(50.0, 5.0, 0, True, True)
        for _ in range(40):
            quiet.update(0.0, 5.0, 0, True, True)
    before = quiet.evidence
    # The scale has collapsed to 0.1; a blip of 2 is 20 of it but under 3 x 5.
    quiet.update(2.0, 0.1, 0, True, True)
    assert quiet.evidence > before
    quiet.update(20.0, 0.1, 0, True, True)  # beyond 3 x 5: a burst ends the spell
    assert quiet.evidence == 0.0


def test_the_product_keeps_quiet_spells_off() -> None:
    assert DEFAULT_TUNING.quiet_spells is False
    values = _bursty(0, 6000, _SPELL)
    assert _reported(DEFAULT_TUNING, values) == _reported(replace(_ON, quiet_spells=False), values)
    assert _fired(_reported(DEFAULT_TUNING, values), *_SPELL) == []
