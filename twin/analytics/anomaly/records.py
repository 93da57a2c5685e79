"""The evidences' records: :func:`records_for` builds the one kind ``ScoreTuning`` asks for.

Each of :class:`StreamScore`'s three evidences is judged against its record,
a slowly decaying maximum on this stream. Two kinds share one interface
(:class:`Records`): the product's records at several decays, their scores
averaged (``decay_average.py``), and the single record at
``ScoreTuning.record_decay`` (the product until issue 14's eighth NAB
session; ``bench/nab_grids.py``'s per-reading and timed variants). So the
scorer's loop asks for a bar and never branches on the kind.
"""

from __future__ import annotations

from typing import Protocol

from twin.analytics.anomaly.decay_average import decay_average
from twin.analytics.anomaly.known_spikes import KnownSpikes
from twin.analytics.anomaly.score_tuning import ScoreTuning
from twin.analytics.anomaly.stream_rates import StreamRates

__all__ = ["Records", "SingleRecord", "records_for"]

_EVIDENCES = 3  # spike, shift, slow change


class Records(Protocol):
    """Per evidence, the bar a strength must beat; learns each reading."""

    @property
    def news(self) -> bool:
        """The last :meth:`bar`'s strength beat every record (a spike worth remembering)."""
        ...

    @property
    def most(self) -> bool:
        """The last :meth:`bar`'s strength beat more than half of the records."""
        ...

    def bar(self, k: int, strength: float, learn: bool, missed: int) -> float:
        """Evidence ``k``'s bar for ``strength`` (state before this reading), then learn it.

        ``learn``: the records learn this reading (from the 10th reading on);
        ``missed``: readings missed before it, for which the records decay too.
        """
        ...

    def floor(self, k: int) -> float:
        """Evidence ``k``'s floor: ``record_floor`` times its mean (0 before it is learnt)."""
        ...


class SingleRecord:
    """One record per evidence at the stream's ``record_decay`` (which a timed tuning rescales)."""

    __slots__ = ("_floor", "_rates", "_records", "_rise", "_spikes", "_typicals", "most", "news")

    def __init__(self, tuning: ScoreTuning, rates: StreamRates, rise: float) -> None:
        self._floor = tuning.record_floor
        self._rates = rates
        self._rise = rise
        self._spikes = KnownSpikes(tuning.spike_margin) if tuning.spike_margin else None
        self._records = [0.0] * _EVIDENCES
        self._typicals = [0.0] * _EVIDENCES
        self.news = True  # one record: beating it is beating them all
        self.most = True

    def bar(self, k: int, strength: float, learn: bool, missed: int) -> float:
        records, typicals = self._records, self._typicals
        record = records[k]
        # A record below one noise sigma means nothing (a perfectly flat
        # stream): its first real change must still score.
        bar = record if record > 1.0 else 1.0
        if learn:
            # Not before: the first readings' scale is still ~0, and their
            # astronomical |z| in this slow mean kept the record's floor
            # near 1e6 sigma for some 15,000 readings.
            rates = self._rates
            typical = typicals[k] + rates.typical_alpha * (strength - typicals[k])
            typicals[k] = typical
            decay = rates.record_decay
            if missed:
                decay **= missed + 1
            # The record decays, but not below a few times the typical
            # evidence: else pure noise beats it every few hundred readings.
            decayed = f if (f := self._floor * typical) > (d := record * decay) else d
            if k == 0 and self._spikes is not None:
                decayed = self._spikes.floor(strength, bar, decayed, self._rise)
            # One reading raises the record at most ``rise``-fold: the first
            # step of a flat stream (1e15 sigma) must not deafen it for good;
            # a repeating burst still climbs there in a few.
            rise = self._rise
            risen = strength if strength < rise * bar else rise * bar
            records[k] = risen if risen > decayed else decayed
        return bar

    def floor(self, k: int) -> float:
        return self._floor * self._typicals[k]


def records_for(tuning: ScoreTuning, rates: StreamRates, rise: float) -> Records:
    """The records ``tuning`` asks for: averaged over ``record_decays``, else one record."""
    if tuning.record_decays:
        return decay_average(tuning, rise)
    return SingleRecord(tuning, rates, rise)
