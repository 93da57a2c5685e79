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
(:class:`~twin.live_analytics.counter_trust.DistrustedCounters`).

When the counter counts again before its detection the mixture resolves:
``p = 0``, and the state given "working" has none of the added variance.
What the filter may give back is the booked part still in ``P``: the
fusions since (cameras, dwell priors) have used some of it. Each fusion
scales a variance component of a zone by ``(1 - K)^2`` while the zone's
variance falls by ``1 - K``; a prediction adds to ``P`` but leaves the
component. So the zone's variance now over its variance just after the last
widening, ``r``, clipped to 1, is taken as the share left (exact with no
fusion since, generous by a factor ``1/r`` at most for one fusion), the
smaller of the gate's two zones, and the give-back ``r g`` (``g`` the
booked variance; opposite-sign cross term as booked) is capped so ``P``
stays positive semi-definite: ``r g <= 1 / (b' P^+ b)``. Without it (the
first version, held out 309-311) a clean day's quiet spells added up:
coverage beside blocked counters 72.4 -> 93.3 %, but the clean runs'
97.96 -> 98.79 %, so it was kept off (docs/crowd.md, "Gate counters
reported stopped").

State: two floats per silent counter, and two per counter booked in the
state mode (its zones' variance just after its last widening).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.linalg

from twin.analytics.crowd import OccupancyEstimator
from twin.analytics.crowd.latent_crossings import LatentCrossings
from twin.live_analytics.unobserved_flow import UnobservedFlow

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
        # Per counter booked into the filter (apply): its zones' variance just after.
        self._after: dict[str, tuple[float, ...]] = {}
        # Runs over before a detection: (channel, booked in channel units, zones' after).
        self._resolved: list[tuple[int, float, tuple[float, ...]]] = []
        self._stopped: frozenset[str] = frozenset()
        self._ended: set[int] = set()  # channels with a run over since the last apply

    @property
    def booked(self) -> Mapping[str, tuple[float, float]]:
        """Per counter: (the run's start, the variance already added for it)."""
        return self._booked

    def set(self, silent: Iterable[SilentCounter], stopped: frozenset[str]) -> None:
        """The silent counters now; ``stopped`` are those reported stopped.

        A stopped counter keeps its booking for the catch-up; any other
        counter missing from ``silent`` counted again and starts afresh,
        and what it booked into the filter is given back (:meth:`apply`).
        """
        now = {s.sensor: s for s in silent if s.sensor in self._channel}
        self._stopped = stopped
        for s in stopped:
            self._after.pop(s, None)  # the catch-up takes the booking over
        for s, (since, done) in self._booked.items():
            c = now.get(s)
            if s not in stopped and (c is None or c.since != since):
                self._resolve(s, done)
                self._ended.add(self._channel[s])
        self._booked = {s: b for s, b in self._booked.items() if s in now or s in stopped}
        self._now = {}
        for s, c in now.items():
            if s in stopped:
                continue
            ch = self._channel[s]
            since, done = self._booked.get(s, (c.since, 0.0))
            if since != c.since:
                done = 0.0  # a new run
            p = stopped_probability(c.evidence, self._prior)
            want = p * (1.0 - p) * c.missed**2 + p * c.missed_var
            self._now[ch] = self._now.get(ch, 0.0) + want / self._n2(ch)
            if want > done:
                self._due[ch] = self._due.get(ch, 0.0) + (want - done) / self._n2(ch)
                done = want
            self._booked[s] = (c.since, done)

    def current(self) -> tuple[npt.NDArray[np.int64], Vector]:
        """The channels and their silent counters' mixture variance now (the band mode)."""
        return np.array(list(self._now), dtype=np.int64), np.array(list(self._now.values()))

    def widening(self) -> tuple[npt.NDArray[np.int64], Vector]:
        """The channels and the variance to add on them since the last step."""
        due, self._due = self._due, {}
        self._ended = set()
        self._resolved = []  # not applied to a filter: nothing to give back
        return np.array(list(due), dtype=np.int64), np.array(list(due.values()))

    def apply(self, est: OccupancyEstimator, latents: LatentCrossings | None = None) -> None:
        """The state mode, after the prediction: give back the resolved runs, add the growth.

        With ``latents`` the growth goes through each channel's latent
        (``latent_crossings.py``); a run that ended drops its latent first
        (marginalised, so the give-back sees the filter without it).
        """
        if latents is not None:
            live = {self._channel[s] for s in self._booked}
            latents.drop(sorted((latents.channels - live) | self._ended))
        self._ended = set()
        if self._resolved:
            give_back(est, self._resolved)
        self._resolved = []
        chans, var = self.widening()
        if latents is None:
            UnobservedFlow.widen(est, chans, var)
        else:
            latents.widen(chans, var)
        grown = set(chans[var > 0.0].tolist())
        d = est.P.diagonal()
        for s, (_since, done) in self._booked.items():
            c = self._channel[s]
            if done > 0.0 and s not in self._stopped and (c in grown or s not in self._after):
                self._after[s] = tuple(d[_zones(est, c)].tolist())

    def _resolve(self, sensor: str, done: float) -> None:
        after = self._after.pop(sensor, None)
        if after is not None and done > 0.0:
            ch = self._channel[sensor]
            self._resolved.append((ch, done / self._n2(ch), after))

    def _n2(self, ch: int) -> float:
        # One of n averaged counters: its missed crossings count 1/n.
        return max(float(self._per_channel[ch]), 1.0) ** 2


def _zones(est: OccupancyEstimator, ch: int) -> npt.NDArray[np.int64]:
    """The zones a channel joins (one where the other side is outside)."""
    return np.flatnonzero(est.graph.incidence[:, ch])


Run = tuple[int, float, tuple[float, ...]]  # (channel, booked variance, zones' variance after)


def give_back(est: OccupancyEstimator, runs: Sequence[Run]) -> None:
    """Give back, in order, the unused part of each run's booking (:func:`_give_back`).

    ``runs``: (channel, booked variance, its zones' variance just after).
    The cap keeping ``P`` positive semi-definite needs ``u' P^+ u`` over the
    whole state (zones, channels, cameras: 2,062 at 420 zones, where one
    least-squares solve took 2.2 s, and a step resolved 584 runs). So all
    the step's runs are given back uncapped, in order (each share on ``P``
    after the earlier ones), and one Cholesky factorisation of the result
    (on the states with variance) certifies it: if ``P`` is positive
    definite after, it was after each run, so no cap bound and the result
    is the capped one. Otherwise ``P`` is restored and the caps are computed
    with one factorisation (:func:`_give_back_capped`).
    """
    # On the filter's own states: a latent (latent_crossings.py) is unobserved, so
    # the marginal is the filter without it; on it the certificate would fail on
    # rounding (a tiny latent's conditional variance) and change clean days.
    n_live = est.P.diagonal()[: est.base_size] > 0.0
    nz = est.n_zones
    before = est.P[:nz, :nz].copy()  # the runs move only zones' entries
    for ch, booked, after in runs:
        z = _zones(est, ch)
        if not n_live[z].all():
            continue  # u is not in P's range: nothing can come back (as _give_back)
        c = _share(est, z, after) * booked
        if c > 0.0:
            sign = est.graph.incidence[z, ch]
            est.P[np.ix_(z, z)] -= c * np.outer(sign, sign)
    live = np.flatnonzero(n_live)
    try:
        scipy.linalg.cho_factor(est.P[np.ix_(live, live)], check_finite=False)
        return
    except np.linalg.LinAlgError:
        est.P[:nz, :nz] = before
    _give_back_capped(est, runs, live)


def _give_back_capped(
    est: OccupancyEstimator, runs: Sequence[Run], live: npt.NDArray[np.int64]
) -> None:
    """The runs one by one with their caps, ``P`` factored once (a cap bound somewhere).

    The caps need ``u' P^-1 u`` on ``P`` after the earlier runs: the runs'
    Gram matrix ``U' P^-1 U`` is updated by Sherman-Morrison after each
    (``(P - c u u')^-1 = P^-1 + c P^-1 u u' P^-1 / (1 - c u' P^-1 u)``).
    Once a cap binds, ``P`` is singular and the inverse undefined: the
    step's remaining runs keep their variance (the safe side: a wider band,
    as without the give-back). Where ``P`` is not positive definite on the
    states with variance, the runs go one least-squares solve each, as before.
    """
    try:
        factor = scipy.linalg.cho_factor(est.P[np.ix_(live, live)], check_finite=False)
    except np.linalg.LinAlgError:
        for ch, booked, after in runs:
            _give_back(est, ch, booked, after)
        return
    pos = np.full(est.P.shape[0], -1)
    pos[live] = np.arange(live.size)
    gates = [_zones(est, ch) for ch, _, _ in runs]
    u = np.zeros((live.size, len(runs)))
    inside = np.array([bool((pos[z] >= 0).all()) for z in gates], dtype=bool)
    for j, (ch, _, _) in enumerate(runs):
        if inside[j]:
            u[pos[gates[j]], j] = est.graph.incidence[gates[j], ch]
    gram = u.T @ scipy.linalg.cho_solve(factor, u, check_finite=False)
    for j, (ch, booked, after) in enumerate(runs):
        z, uu = gates[j], float(gram[j, j])
        c = _share(est, z, after) * booked if inside[j] and uu > 0.0 else 0.0
        if c <= 0.0:
            continue
        bound = c >= 1.0 / uu
        c = min(c, 1.0 / uu)
        sign = est.graph.incidence[z, ch]
        est.P[np.ix_(z, z)] -= c * np.outer(sign, sign)
        if bound:
            return  # P is singular now: the rest keep their variance this step
        col = gram[:, j].copy()
        gram += c * np.outer(col, col) / (1.0 - c * uu)


def _share(est: OccupancyEstimator, z: npt.NDArray[np.int64], after: tuple[float, ...]) -> float:
    """The zones' variance now over just after the widening, the smaller; at most 1."""
    was = np.array(after)
    if z.size == 0 or z.size != was.size or (was <= 0.0).any():
        return 0.0
    return min(1.0, float((est.P[z, z] / was).min()))


def _give_back(est: OccupancyEstimator, ch: int, booked: float, after: tuple[float, ...]) -> float:
    """Take back the part of ``booked`` (variance on channel ``ch``) fusions have not used.

    ``after``: the channel's zones' variance just after it was last added.
    Returns the variance taken back; never more than booked, ``P`` stays PSD.
    """
    z = _zones(est, ch)
    share = _share(est, z, after)
    if share <= 0.0:
        return 0.0
    n = est.base_size  # the filter's own states (see give_back)
    p = est.P[:n, :n]
    u = np.zeros(n)
    u[: est.graph.incidence.shape[0]] = est.graph.incidence[:, ch]
    # P - c u u' stays PSD iff u is in P's range and c <= 1 / (u' P^+ u).
    w = np.linalg.lstsq(p, u, rcond=None)[0]
    uw = float(u @ w)
    if uw <= 0.0 or not np.allclose(p @ w, u, atol=1e-9 * max(1.0, float(np.abs(p).max()))):
        return 0.0
    c = min(booked * share, 1.0 / uw)
    if c <= 0.0:
        return 0.0
    est.P[:n, :n] -= c * np.outer(u, u)  # the widening's B v B', opposite-sign cross term
    return c
