"""Records at several decays, their scores averaged (``ScoreTuning.record_decays``).

The product's since issue 14's eighth NAB session (docs/measurements/anomaly-log.md: the
fully held-out NAB figure rose 62.7 -> 65.3; the fault bench and the synthetic
streams did not move).

:class:`StreamScore` judges each evidence against its record, a decaying
maximum; how fast the
record forgets is one constant (``ScoreTuning.record_decay``) on which NAB's
held-out figure hinges: with a slow decay one event's record still stands
when the next event comes, with a fast one the stream's usual bursts score
again. Instead of choosing one decay, this keeps, per evidence, one record
at each of several decays (each learnt exactly as the single record is:
the same floor, the same ten-fold rise limit) and scores a reading by the
**mean of the per-decay scores** ``max(0, 1 - bar_j / strength)``: the
equal-weight average of the detectors the decay axis would choose between,
with no weight fitted. A reading that beats only the fastest record scores
a fraction of what that record alone would give; one that beats them all
scores as any of them would.

Why the mean and not another combination: the max would be the fastest
decay alone, the min the slowest, the median the middle one, and the
geometric mean of the bars a record decaying at about the middle rate; each
of those is one of the single decays in another form. The mean is the
combination that is none of them.

The mean of the scores is ``1 - mean_j(min(bar_j, strength)) / strength``,
so :meth:`DecayAverage.bar` returns that mean as the one bar the score's
``1 - bar / strength`` rule uses; downstream (range novelty, one report per
event) nothing changes. With a single decay it is the single record bit for
bit. One thing does: :attr:`DecayAverage.news` tells :class:`StreamScore`
whether the spike beat every decay's record, and only then is its value
remembered as a known odd one; else the small scores of readings that beat
only the fastest record fill that ring, and a ceiling seen before scores
again.
"""

from __future__ import annotations

from twin.analytics.anomaly.score_tuning import ScoreTuning
from twin.analytics.anomaly.stream_rates import rates_for

__all__ = ["DecayAverage", "decay_average"]

_EVIDENCES = 3  # spike, shift, slow change: StreamScore's three evidences


def decay_average(tuning: ScoreTuning, rise: float) -> DecayAverage:
    """The records for ``tuning.record_decays``: unrolled for three decays (the grid's)."""
    if len(tuning.record_decays) == 3:
        return _ThreeDecays(tuning, rise)
    return DecayAverage(tuning, rise)


class DecayAverage:
    """Per evidence, one record per decay and the mean evidence that floors them."""

    __slots__ = (
        "_decays",
        "_floor",
        "_records",
        "_rise",
        "_typical_alpha",
        "_typicals",
        "most",
        "news",
    )

    def __init__(self, tuning: ScoreTuning, rise: float) -> None:
        if not tuning.record_decays:
            raise ValueError("record_decays is empty: use record_decay for one record")
        self._decays = tuning.record_decays
        self._floor = tuning.record_floor
        self._rise = rise
        # The records learn the mean evidence at the single record's rate.
        self._typical_alpha = rates_for(tuning).typical_alpha
        # Lists, not arrays: a list read hands back the float object, an
        # array read builds a new one (half of this path's time; the state
        # is about 450 bytes more per stream).
        self._records = [[0.0] * len(self._decays) for _ in range(_EVIDENCES)]
        self._typicals = [0.0] * _EVIDENCES
        self.news = False  # the last bar's strength beat every decay's record
        self.most = False  # ... more than half of them (ScoreTuning.spike_majority)

    def bar(self, k: int, strength: float, learn: bool, missed: int) -> float:
        """Evidence ``k``'s bar for ``strength`` (the mean of its per-decay scores); learns.

        ``learn``: the records learn this reading (from the 10th reading on,
        as the single record); ``missed``: readings missed before it, for
        which every record decays too.
        """
        decays = self._decays
        records = self._records[k]
        floor = 0.0
        if learn:
            typical = self._typicals[k]
            typical += self._typical_alpha * (strength - typical)
            self._typicals[k] = typical
            floor = self._floor * typical
        total = 0.0
        beaten = 0  # records the strength beat: all of them is news, most of them a majority
        for j in range(len(decays)):
            record = records[j]
            # A record below one noise sigma means nothing (the single record's rule).
            bar_j = record if record > 1.0 else 1.0
            beaten += strength > bar_j
            total += bar_j if bar_j < strength else strength
            if learn:
                decay = decays[j] ** (missed + 1) if missed else decays[j]
                decayed = record * decay
                decayed = floor if floor > decayed else decayed
                risen = strength if strength < self._rise * bar_j else self._rise * bar_j
                records[j] = risen if risen > decayed else decayed
        self.news = beaten == len(decays)
        self.most = 2 * beaten > len(decays)
        return total / len(decays)

    def floor(self, k: int) -> float:
        """Evidence ``k``'s floor: ``record_floor`` times its mean (0 before it is learnt)."""
        return self._floor * self._typicals[k]


class _ThreeDecays(DecayAverage):
    """:meth:`DecayAverage.bar` unrolled for three decays: the same operations in
    the same order (so the same floats bit for bit), at about half the cost."""

    __slots__ = ()

    def bar(self, k: int, strength: float, learn: bool, missed: int) -> float:
        records = self._records[k]
        r0, r1, r2 = records
        b0 = r0 if r0 > 1.0 else 1.0
        b1 = r1 if r1 > 1.0 else 1.0
        b2 = r2 if r2 > 1.0 else 1.0
        total = 0.0 + (b0 if b0 < strength else strength)
        total += b1 if b1 < strength else strength
        total += b2 if b2 < strength else strength
        beaten = (strength > b0) + (strength > b1) + (strength > b2)
        self.news = beaten == 3
        self.most = beaten >= 2
        if learn:
            typicals = self._typicals
            typical = typicals[k]
            typical += self._typical_alpha * (strength - typical)
            typicals[k] = typical
            floor = self._floor * typical
            d0, d1, d2 = self._decays
            if missed:
                d0, d1, d2 = d0 ** (missed + 1), d1 ** (missed + 1), d2 ** (missed + 1)
            rise = self._rise
            x = r0 * d0
            x = floor if floor > x else x
            y = strength if strength < (y := rise * b0) else y
            records[0] = y if y > x else x
            x = r1 * d1
            x = floor if floor > x else x
            y = strength if strength < (y := rise * b1) else y
            records[1] = y if y > x else x
            x = r2 * d2
            x = floor if floor > x else x
            y = strength if strength < (y := rise * b2) else y
            records[2] = y if y > x else x
        return total / 3
