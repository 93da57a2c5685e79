"""The shift and slow evidences judged per sign, floor included (``ScoreTuning.signed_shifts``).

Issue 14, nab49 session (off). :class:`DecayAverage` judges each evidence
against one set of records and one floor, ``record_floor`` times the
evidence's mean size, whatever its sign. On right-skewed streams (counts)
the smoothed evidences' noise is not sign-symmetric (nab48 measured the
event-free design counts: the downward shift evidence never passed 4.2-4.6,
the upward reached 8-9.5, the shared floor about 8), so a sustained drop is
judged against a bar the upward noise set. Here the shift and slow
evidences keep their records twice, one set per sign of their EWMA:

- a reading is judged against, and raises, its own sign's records; the other
  sign's decay (to their own floor) and learn nothing, so both stay in time;
- each sign's floor is ``record_floor`` times the mean of **that sign's
  readings only**. Those records are only ever compared with readings of
  their sign, so the noise they guard against is the evidence's size given
  that sign. On white noise that conditional mean is the shared mean
  (``sqrt(2 / pi)`` for a half-normal), so the floor is today's; counting
  the other sign's readings as 0 would halve it there (mean times the
  sign's share) and let white noise through;
- guarded: a sign's floor is never below the shared floor's white-noise
  value, ``record_floor * sqrt(2 / pi)``, grown in as the shared mean grows
  in (its weight ``1 - (1 - alpha) ** n``), so a sign the stream has
  rarely shown does not get a floor of a few small readings.

The spike stays sign-blind (:class:`DecayAverage` as in the product): one
reading's sign in noise is a coin flip, and splitting its records cost NAB
a third more spike false rows (nab47). The shared means are still learnt:
the duration evidence reads :meth:`floor`, which stays the shared floor.
"""

from __future__ import annotations

import math

from twin.analytics.anomaly.decay_average import DecayAverage
from twin.analytics.anomaly.score_tuning import ScoreTuning

__all__ = ["SignedShifts"]

_WHITE_MEAN = math.sqrt(2.0 / math.pi)  # mean of |N(0, 1)|: each evidence's on white noise


class SignedShifts(DecayAverage):
    """:class:`DecayAverage` with the shift and slow evidences' records and floors per sign."""

    __slots__ = ("_means", "_weight")

    def __init__(self, tuning: ScoreTuning, rise: float) -> None:
        super().__init__(tuning, rise)
        # Records 3 and 4: the shift's and the slow evidence's for a negative
        # sign (1 and 2 hold the positive sign's).
        self._records += [[0.0] * len(self._decays) for _ in range(2)]
        # Per sign, the mean of that sign's readings: index set - 1 (up 0, 1; down 2, 3).
        self._means = [0.0] * 4
        self._weight = [0.0, 0.0]  # per evidence, the shared mean's grown-in weight

    def bar(
        self, k: int, strength: float, learn: bool, missed: int, negative: bool = False
    ) -> float:
        if k == 0:
            return super().bar(k, strength, learn, missed)
        own, other = (k + 2, k) if negative else (k, k + 2)
        floor = other_floor = 0.0
        if learn:
            alpha = self._typical_alpha
            typicals = self._typicals
            typicals[k] += alpha * (strength - typicals[k])  # the shared mean (floor())
            means = self._means
            means[own - 1] += alpha * (strength - means[own - 1])
            weight = self._weight[k - 1] + alpha * (1.0 - self._weight[k - 1])
            self._weight[k - 1] = weight
            guard = _WHITE_MEAN * weight
            own_mean, other_mean = means[own - 1], means[other - 1]
            floor = self._floor * (own_mean if own_mean > guard else guard)
            other_floor = self._floor * (other_mean if other_mean > guard else guard)
        decays = self._decays
        records = self._records[own]
        rise = self._rise
        total = 0.0
        beaten = 0
        for j, d in enumerate(decays):
            record = records[j]
            bar_j = record if record > 1.0 else 1.0  # below one noise sigma means nothing
            beaten += strength > bar_j
            total += bar_j if bar_j < strength else strength
            if learn:
                decayed = record * (d ** (missed + 1) if missed else d)
                decayed = floor if floor > decayed else decayed
                risen = strength if strength < rise * bar_j else rise * bar_j
                records[j] = risen if risen > decayed else decayed
        if learn:  # the other sign's records decay to their own floor and learn nothing
            others = self._records[other]
            for j, d in enumerate(decays):
                x = others[j] * (d ** (missed + 1) if missed else d)
                others[j] = other_floor if other_floor > x else x
        self.news = beaten == len(decays)
        self.most = 2 * beaten > len(decays)
        return total / len(decays)
