"""The shift and slow evidences judged per sign, floor included (``ScoreTuning.signed_shifts``).

Issue 14, nab49 session (off). :class:`DecayAverage` judges each evidence
against one set of records and one floor, ``record_floor`` times the
evidence's mean size, whatever its sign. On right-skewed streams (counts)
the smoothed evidences' noise is not sign-symmetric (nab48 measured the
event-free design counts: the downward shift evidence never passed 4.2-4.6,
the upward reached 8-9.5, the shared floor about 8), so a sustained drop is
judged against a bar the upward noise set. Here the shift and slow
evidences keep one floor per sign of their EWMA:

- each sign's floor is ``record_floor`` times the mean of **that sign's
  readings only**. A sign's bar is only ever compared with readings of that
  sign, so the noise it guards against is the evidence's size given that
  sign. On white noise that conditional mean is the shared mean
  (``sqrt(2 / pi)`` for a half-normal), so the floor is today's; counting
  the other sign's readings as 0 would halve it there (mean times the
  sign's share) and let white noise through;
- guarded: a sign's floor is never below the shared floor's white-noise
  value, ``record_floor * sqrt(2 / pi)``, grown in as the shared mean grows
  in (its weight ``1 - (1 - alpha) ** n``), so a sign the stream has
  rarely shown does not get a floor of a few small readings;
- the records stay shared, resting on the lower of the two floors, and a
  reading raises them only when it beats its own sign's floor: an event's
  records then still cover the opposite swing that follows it (when the
  predictors have learnt the event and it ends). The first variant, a set of
  records per sign, lost NAB points exactly there (shift false rows 24 ->
  38, mostly such reversals; docs/measurements/anomaly-log.md, nab49).

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
    """:class:`DecayAverage` with the shift and slow evidences' floors per sign."""

    __slots__ = ("_means", "_weight")

    def __init__(self, tuning: ScoreTuning, rise: float) -> None:
        super().__init__(tuning, rise)
        # Per sign, the mean of that sign's readings: shift up, slow up, shift down, slow down.
        self._means = [0.0] * 4
        self._weight = [0.0, 0.0]  # per evidence, the shared mean's grown-in weight

    def _floors(self, k: int, negative: bool) -> tuple[float, float]:
        """Evidence ``k``'s floor for this sign and for the other one."""
        guard = _WHITE_MEAN * self._weight[k - 1]
        up, down = self._means[k - 1], self._means[k + 1]
        up_floor = self._floor * (up if up > guard else guard)
        down_floor = self._floor * (down if down > guard else guard)
        return (down_floor, up_floor) if negative else (up_floor, down_floor)

    def bar(
        self, k: int, strength: float, learn: bool, missed: int, negative: bool = False
    ) -> float:
        if k == 0:
            return super().bar(k, strength, learn, missed)
        own_floor = self._floors(k, negative)[0]  # as it stood before this reading
        low = learnt = 0.0
        if learn:
            alpha = self._typical_alpha
            typicals = self._typicals
            typicals[k] += alpha * (strength - typicals[k])  # the shared mean (floor())
            at = k + 1 if negative else k - 1
            self._means[at] += alpha * (strength - self._means[at])
            self._weight[k - 1] += alpha * (1.0 - self._weight[k - 1])
            learnt, other_floor = self._floors(k, negative)
            # The shared records rest on the lower floor; each sign's bar on its own.
            low = learnt if learnt < other_floor else other_floor
        decays = self._decays
        records = self._records[k]
        rise = self._rise
        total = 0.0
        beaten = 0
        for j, d in enumerate(decays):
            record = records[j]
            bar_j = record if record > own_floor else own_floor
            bar_j = bar_j if bar_j > 1.0 else 1.0  # below one noise sigma means nothing
            beaten += strength > bar_j
            total += bar_j if bar_j < strength else strength
            if learn:
                decayed = record * (d ** (missed + 1) if missed else d)
                decayed = low if low > decayed else decayed
                # Within its own sign's noise a reading teaches the records nothing:
                # else the upward noise of a count would set the bar for its drops.
                if strength > learnt:
                    risen = strength if strength < rise * bar_j else rise * bar_j
                    decayed = risen if risen > decayed else decayed
                records[j] = decayed
        self.news = beaten == len(decays)
        self.most = 2 * beaten > len(decays)
        return total / len(decays)
