"""Records judged by how much of the stream they have seen (``ScoreTuning.young_records``).

A record is the decaying maximum of an evidence. One that has seen a few
hundred readings has not met the stream's usual bursts, yet ``1 - bar /
strength`` reads the same as for a record of thousands. Per decay ``d`` the
records keep their effective count ``c`` (the sum of the weights the decayed
maximum gives the readings it has seen; its limit ``M = 1 / (1 - d)``), and a
record is judged ``tau * ln(M / c)`` higher, ``tau`` the evidence's mean
(bias-corrected for the EWMA's youth). For an exponential tail of scale
``tau`` this is how far the maximum of ``c`` readings lies below the maximum
of ``M``, and it brings the chance that an ordinary reading beats the young
record down to the mature record's, about ``1 / M``
(docs/measurements/anomaly-log.md, "Young records"). The records still learn
the raw evidence; only the judgement changes.
"""

from __future__ import annotations

import math

from twin.analytics.anomaly.decay_average import DecayAverage
from twin.analytics.anomaly.score_tuning import ScoreTuning

__all__ = ["YoungRecords"]

_LAST = 2  # StreamScore's last evidence per reading (slow change): the counts move after it


class YoungRecords(DecayAverage):
    """:class:`DecayAverage` whose bars rise by the records' youth."""

    __slots__ = ("_counts", "_limits", "_seen", "_youth")

    def __init__(self, tuning: ScoreTuning, rise: float) -> None:
        super().__init__(tuning, rise)
        self._limits = tuple(1.0 / (1.0 - d) if d < 1.0 else math.inf for d in self._decays)
        self._counts = [0.0] * len(self._decays)
        self._youth = [0.0] * len(self._decays)  # ln(M / c) per decay, 0 before any reading
        self._seen = 0.0  # the mean evidence's EWMA weight sum: 1 - (1 - alpha)^m

    def bar(self, k: int, strength: float, learn: bool, missed: int) -> float:
        """As :meth:`DecayAverage.bar`, each decay's bar raised by ``tau * ln(M / c)``.

        Judged with the state before this reading (mean, counts), so a copy
        asked with ``learn`` False gives the same bar as the live call.
        """
        decays = self._decays
        records = self._records[k]
        seen = self._seen
        tau = self._typicals[k] / seen if seen > 0.0 else 0.0
        youth = self._youth
        floor = 0.0
        if learn:
            typical = self._typicals[k]
            typical += self._typical_alpha * (strength - typical)
            self._typicals[k] = typical
            floor = self._floor * typical
        total = 0.0
        news = True
        for j in range(len(decays)):
            record = records[j]
            bar_j = record if record > 1.0 else 1.0
            judged = bar_j + tau * youth[j]
            news = news and strength > judged
            total += judged if judged < strength else strength
            if learn:
                decay = decays[j] ** (missed + 1) if missed else decays[j]
                decayed = record * decay
                decayed = floor if floor > decayed else decayed
                risen = strength if strength < self._rise * bar_j else self._rise * bar_j
                records[j] = risen if risen > decayed else decayed
        self.news = news
        if learn and k == _LAST:
            self._age(missed)
        return total / len(decays)

    def _age(self, missed: int) -> None:
        """One reading learnt (after ``missed`` missed ones): counts, weight sum, youth."""
        self._seen += self._typical_alpha * (1.0 - self._seen)
        for j, d in enumerate(self._decays):
            count = self._counts[j] * (d ** (missed + 1) if missed else d) + 1.0
            self._counts[j] = count
            limit = self._limits[j]
            self._youth[j] = math.log(limit / count) if count < limit else 0.0
