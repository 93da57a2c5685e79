"""The variants of :class:`ScoreTuning` that ``bench/nab_select.py`` chooses between.

The grid varies every constant of :class:`ScoreTuning`: the residual
scales' rates, the records' decay and floor, and the spike record's margin
over the stream's usual bursts (72 variants with every rate per reading;
scale weight 0.02 left out: it was the worst in every fold of the earlier
9-variant grid), and the same constants with the records' decay (and the
report decay) per 5 minutes of the stream's time instead of per reading
(``ScoreTuning.timed``; 72 more, no spike margin). The nested choice is
printed for the whole grid, for the per-reading half alone (the old
parametrisation), the timed half alone and without the spike margin, so
what each adds is itself measured held out. ``AVERAGED_GRID`` (12 more)
offers the scores of records at all three decays averaged
(``ScoreTuning.record_decays``) as one more value of the decay axis of the
36 per-reading variants without the spike margin (``--grids
per_reading,averaged``: ``--grids`` runs only some parts); ``VISITS_GRID`` (``--grids visits``) is
``AVERAGED_GRID`` with the profiles' bins weighed per visit
(``ScoreTuning.profile_per_visit``: issue 14's eleventh NAB session, not
kept on). ``LAGGED_GRID`` (36 more, ``--grids lagged``) is
``AVERAGED_GRID`` with range novelty also against the range 3, 6 or 24 h
before (``ScoreTuning.range_lag_s``: issue 14's twelfth NAB session, on at
24 h), so ``--grids averaged,lagged`` offers the lag as an axis with "off"
among its values; since then the product is a row of ``LAGGED_GRID``, and
the visits grid sits on the rows without the lag.
Removed with their options (docs/anomaly.md's table of options tried names
the commit that last holds each grid): the records held through an excursion
(``escalation``, eighth NAB session), and in issue 14's seventeenth NAB
session run length (``runs``), the held spike scale (``held``), young
records (``young``), quiet spells (``quiet``), the noise regime
(``regime``) and HTM's likelihood (``likelihood``, ``likelihood_product``).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from itertools import product
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning  # noqa: E402

__all__ = [
    "AVERAGED_DECAYS",
    "AVERAGED_GRID",
    "DURATIONS_GRID",
    "GRID",
    "GRIDS",
    "KNOWN_GRID",
    "LAGGED_GRID",
    "MAJORITY_GRID",
    "PER_READING_GRID",
    "RANGE_LAGS",
    "TIMED_GRID",
    "UNREPORTED_GRID",
    "VISITS_GRID",
]

# The per-reading axes: scale rate, slow scale rate, record decay, record floor.
_SCALES = (0.01, 0.005)
_SLOWS = (0.0, 0.002)
_DECAYS = (0.999, 0.9995, 0.9998)
_FLOORS = (4.0, 5.0, 6.0)


PER_READING_GRID: tuple[ScoreTuning, ...] = tuple(
    ScoreTuning(
        scale_alpha=a,
        slow_scale_alpha=s,
        record_decay=d,
        record_floor=f,
        spike_margin=m,
    )
    for a, s, d, f, m in product(_SCALES, _SLOWS, _DECAYS, _FLOORS, (0.0, 1.1))
)
# Decays per 5 minutes: 0.9995, 0.9998 and 0.9999 are half-lives of 4.8, 12
# and 24 days. Evidence weights and scale rates stay per reading: timed, they
# were far worse on the whole set already (56.9 held out; docs/anomaly.md).
TIMED_GRID: tuple[ScoreTuning, ...] = tuple(
    ScoreTuning(
        scale_alpha=a,
        slow_scale_alpha=s,
        record_decay=d,
        record_floor=f,
        timed=timed,
    )
    for timed, a, s, d, f in product(
        (("records",), ("records", "report")),
        _SCALES,
        _SLOWS,
        (0.9995, 0.9998, 0.9999),
        _FLOORS,
    )
)
# Records at all three of the per-reading grid's decays, their scores
# averaged (issue 14, seventh NAB session): one more value of the decay axis,
# on the same 12 scale / slow / floor combinations without the spike margin.
AVERAGED_DECAYS = _DECAYS
AVERAGED_GRID: tuple[ScoreTuning, ...] = tuple(
    ScoreTuning(
        scale_alpha=a,
        slow_scale_alpha=s,
        record_floor=f,
        record_decays=AVERAGED_DECAYS,
    )
    for a, s, f in product(_SCALES, _SLOWS, _FLOORS)
)
# The same 12 with the profiles' bins weighed per visit (``ScoreTuning.profile_per_visit``;
# issue 14, eleventh NAB session, not kept on): ``--grids visits`` is the product row with it.
VISITS_GRID: tuple[ScoreTuning, ...] = tuple(
    replace(t, profile_per_visit=True) for t in AVERAGED_GRID
)
# The same 12 with range novelty judged against the range as it stood 3, 6 or
# 24 h before (``ScoreTuning.range_lag_s``; issue 14, twelfth NAB session):
# ``--grids averaged,lagged`` offers the lag as an axis with "off" among its values.
RANGE_LAGS = (3 * 3600.0, 6 * 3600.0, 24 * 3600.0)
LAGGED_GRID: tuple[ScoreTuning, ...] = tuple(
    replace(t, range_lag_s=lag) for lag in RANGE_LAGS for t in AVERAGED_GRID
)
# The 24-h rows of ``LAGGED_GRID`` (the product's among them) with the durations
# of each evidence judged too (``ScoreTuning.durations``; issue 14, eighteenth NAB
# session, off): ``--grids averaged,lagged,durations`` offers them as an axis.
DURATIONS_GRID: tuple[ScoreTuning, ...] = tuple(
    replace(t, durations=True) for t in LAGGED_GRID if t.range_lag_s == 24 * 3600.0
)
# The same 12 with a duration report only for an event not reported at all
# (``ScoreTuning.duration_unreported``; issue 14, twentieth NAB session, off):
# ``--grids averaged,lagged,unreported`` offers them as an axis.
UNREPORTED_GRID: tuple[ScoreTuning, ...] = tuple(
    replace(t, duration_unreported=True) for t in DURATIONS_GRID
)
# The same 12 with the duration record knowing the stream's own spells (no
# decay; no report before a spell closed: ``ScoreTuning.duration_known``; issue
# 14, twenty-first NAB session): ``--grids averaged,lagged,unreported,known``.
KNOWN_GRID: tuple[ScoreTuning, ...] = tuple(
    replace(t, duration_known=True) for t in UNREPORTED_GRID
)
# The same 12 with a one-reading spike scored only when it beats most of the
# averaged records (``ScoreTuning.spike_majority``; issue 14, twenty-second NAB
# session, the product's since then): ``--grids averaged,lagged,unreported,known,majority``.
MAJORITY_GRID: tuple[ScoreTuning, ...] = tuple(replace(t, spike_majority=True) for t in KNOWN_GRID)
# The same 12 with a spike report withheld when its GPD tail probability on
# the stream's own peaks is above 1 % (``ScoreTuning.spike_tail_risk``; issue
# 14, nab52 session, the product's since then):
# ``--grids averaged,lagged,unreported,known,majority,tail``.
SPIKE_TAIL_RISK = 0.01
TAIL_GRID: tuple[ScoreTuning, ...] = tuple(
    replace(t, spike_tail_risk=SPIKE_TAIL_RISK) for t in MAJORITY_GRID
)
GRIDS: dict[str, tuple[ScoreTuning, ...]] = {
    "per_reading": PER_READING_GRID,
    "timed": TIMED_GRID,
    "averaged": AVERAGED_GRID,
    "visits": VISITS_GRID,
    "lagged": LAGGED_GRID,
    "durations": DURATIONS_GRID,
    "unreported": UNREPORTED_GRID,
    "known": KNOWN_GRID,
    "majority": MAJORITY_GRID,
    "tail": TAIL_GRID,
}
GRID: tuple[ScoreTuning, ...] = (
    PER_READING_GRID
    + TIMED_GRID
    + AVERAGED_GRID
    + VISITS_GRID
    + LAGGED_GRID
    + DURATIONS_GRID
    + UNREPORTED_GRID
    + KNOWN_GRID
    + MAJORITY_GRID
    + TAIL_GRID
)
assert DEFAULT_TUNING in GRID
