"""A gate counter gone silent but not yet reported stopped: a soft distrust.

Until :class:`~twin.analytics.anomaly.counter_silence.CounterSilence` reaches
its bound (5-75 min into a blockage in ``bench/blocked_counters.py``), a
blocked counter's zeros are read as "nobody crossed", with a band as sure as
on a clean day. The detector already has the evidence against it:
``e = -ln P(no count since its last increment | working)``. With a prior
``pi`` that a counter is stopped at a given open moment
(``AnalyticsConfig.counter_stopped_prior``) and ``P(no count | stopped) = 1``,
Bayes gives the posterior

    p = 1 / (1 + (1 - pi) / pi * exp(-e)).

Its crossings since then are a mixture: as read (prob ``1 - p``) or as read
plus the missed crossings ``M`` (prob ``p``; ``M`` has the detector's mean
``m`` and variance ``v``, as at a detection). The mixture's variance is
``p (1 - p) m^2 + p v``; it is added to the gate's two zones with opposite
signs (``UnobservedFlow.widen``). The mean is left where the counts put it:
the catch-up at the detection adds the whole ``m`` (nothing to subtract), a
working counter's quiet spell moves no estimate (only its band), and a
camera beside the gate, now less sure of the counts, moves the zone itself.

The variance only grows inside a filter, so each step adds the growth of
that figure over the most booked so far in the run (it falls again as ``p``
nears 1). At the detection the outage's own variance (``v``) is due; the
booked amount is in the band already, so the catch-up takes only the rest
(:class:`~twin.live_analytics.counter_trust.DistrustedCounters`). When the
counter counts again, what was added stays until a camera or the empty
venue removes it, like an outage's. On a working counter ``e`` is about
Exp(1) at a run's end, so ``p`` stays near ``pi e^e``, and a day of quiet
spells adds up: held out (seeds 309-311) coverage beside blocked counters
72.4 -> 93.3 %, but the clean runs' 97.96 -> 98.79 %, so it is an option,
off by default (docs/crowd.md, "Gate counters reported stopped").

State: two floats per silent counter.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["SilenceSuspicion", "SilentCounter", "stopped_probability"]

Vector = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SilentCounter:
    """A counter silent since ``since`` (device time of its last increment).

    ``evidence``: the detector's ``-ln P(no count | working)``; ``missed`` and
    ``missed_var``: the crossings it would have missed if stopped, in its own
    reported units.
    """

    sensor: str
    since: float
    evidence: float
    missed: float
    missed_var: float


def stopped_probability(evidence: float, prior: float) -> float:
    """Posterior that the counter is stopped, from the silence's evidence and the prior."""
    if prior <= 0.0:
        return 0.0
    if prior >= 1.0:
        return 1.0
    # Logistic in the log-odds: no overflow however long the silence.
    x = evidence + math.log(prior / (1.0 - prior))
    return 1.0 / (1.0 + math.exp(-x)) if x > -700.0 else 0.0


class SilenceSuspicion:
    """Per counting channel: the band owed to its silent counters, booked per run."""

    def __init__(self, channel: Mapping[str, int], per_channel: Vector, prior: float) -> None:
        self._channel = channel
        self._per_channel = per_channel
        self._prior = prior
        # sensor -> (since, variance added in this run so far, in its own units)
        self._booked: dict[str, tuple[float, float]] = {}
        self._due: dict[int, float] = {}  # channel -> growth since the last step
        self._now: dict[int, float] = {}  # channel -> the mixture's variance now

    @property
    def booked(self) -> Mapping[str, tuple[float, float]]:
        """Per counter: (the run's start, the variance already added for it)."""
        return self._booked

    def set(self, silent: Iterable[SilentCounter], stopped: frozenset[str]) -> None:
        """The silent counters now; ``stopped`` are those reported stopped.

        A stopped counter keeps its booking for the catch-up; any other
        counter missing from ``silent`` counted again and starts afresh.
        """
        now = {s.sensor: s for s in silent if s.sensor in self._channel}
        self._booked = {s: b for s, b in self._booked.items() if s in now or s in stopped}
        self._now = {}
        for s, c in now.items():
            if s in stopped:
                continue
            ch = self._channel[s]
            # One of n averaged counters: its missed crossings count 1/n.
            n2 = max(float(self._per_channel[ch]), 1.0) ** 2
            since, done = self._booked.get(s, (c.since, 0.0))
            if since != c.since:
                done = 0.0  # a new run
            p = stopped_probability(c.evidence, self._prior)
            want = p * (1.0 - p) * c.missed**2 + p * c.missed_var
            self._now[ch] = self._now.get(ch, 0.0) + want / n2
            if want > done:
                self._due[ch] = self._due.get(ch, 0.0) + (want - done) / n2
                done = want
            self._booked[s] = (c.since, done)

    def current(self) -> tuple[npt.NDArray[np.int64], Vector]:
        """The channels and their silent counters' mixture variance now (the band mode)."""
        return np.array(list(self._now), dtype=np.int64), np.array(list(self._now.values()))

    def widening(self) -> tuple[npt.NDArray[np.int64], Vector]:
        """The channels and the variance to add on them since the last step."""
        due, self._due = self._due, {}
        return np.array(list(due), dtype=np.int64), np.array(list(due.values()))
