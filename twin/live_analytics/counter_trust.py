"""Gate counters the occupancy filter stops trusting: a stopped count is missing, not zero.

A blocked beam (or a dead device behind a live gateway) keeps reporting the
same cumulative count. Read as data, that says nobody crossed: the zones on
either side drift by everyone who did, while their band says they are sure.
Once the anomaly watch reports the counter stopped
(:class:`~twin.analytics.anomaly.counter_silence.CounterSilence`), the
service hands the tracker a :class:`CounterOutage` per stopped counter and
the counter's channel is fed from the outage instead:

- **Crossings.** The detector knows how many the counter should have counted
  since its last increment (its learnt share of the venue's other counters'
  crossings, per half-hour of the day). The tracker imputes the growth of that
  figure each step. The first step after the detection carries the whole
  silence so far: the spell before detection is backdated in one catch-up
  step, not replayed. Measurements fused meanwhile are not revisited, but
  what the cameras beside the gate learnt from them is booked as variance
  at that step (:attr:`DistrustedCounters.caught_up`, ``silence_learning.py``).
- **Uncertainty.** The growth of the outage's variance (the clusters'
  Poisson noise and the share's day-to-day spread, one error for the whole
  outage) is added to the two zones of the gate with opposite signs, like an
  offline tracker's imputed crossings (the caller hands :meth:`counts`' channels
  to :meth:`twin.live_analytics.unobserved_flow.UnobservedFlow.widen`).
- **Trust again.** When the counter counts again the detector ends the
  outage; its channel is a measurement again from that step on. What the
  outage added to the band stays until a camera or the empty venue removes it.

A channel with a second, working counter keeps that one's counts alone.
State: two floats per stopped counter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["CounterOutage", "DistrustedCounters"]

Vector = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class CounterOutage:
    """A gate counter reported stopped: since when, and the crossings it has missed.

    ``missed`` and ``missed_var``: mean and variance of the crossings it
    should have reported since ``since`` (device time of its last increment),
    in its own reported units.
    """

    sensor: str
    since: float
    missed: float
    missed_var: float


class DistrustedCounters:
    """Which counters of a venue are out of service, and their channels' imputation."""

    def __init__(self, channel: Mapping[str, int], per_channel: Vector) -> None:
        self._channel = channel
        self._per_channel = per_channel
        self._now: dict[str, CounterOutage] = {}
        self.caught_up: tuple[int, ...] = ()  # channels whose outage began this step
        # (channel, missed, variance) of this step's catch-ups left to a latent.
        self.fused: tuple[tuple[int, float, float], ...] = ()
        # sensor -> (missed, variance) already imputed into the filter.
        self._used: dict[str, tuple[float, float]] = {}

    @property
    def sensors(self) -> frozenset[str]:
        """The counters whose counts are not used now."""
        return frozenset(self._now)

    def stopped(self, sensor: str) -> bool:
        return sensor in self._now

    def on_gate(self, gate: int) -> tuple[str, ...]:
        """The distrusted counters of gate ``gate`` (channels ``2 gate``, ``2 gate + 1``)."""
        return tuple(sorted(s for s in self._now if self._channel[s] // 2 == gate))

    def set(self, outages: Iterable[CounterOutage]) -> None:
        """The stopped counters now (all of them: one missing from the list is trusted)."""
        now = {o.sensor: o for o in outages if o.sensor in self._channel}
        for s in self._used.keys() - now.keys():
            del self._used[s]  # it counts again: its next outage starts afresh
        self._now = now

    def counts(
        self,
        pending: Vector,
        booked: Mapping[str, tuple[float, float]] | None = None,
        latent: frozenset[int] = frozenset(),
    ) -> tuple[Vector, npt.NDArray[np.int64], Vector]:
        """The step's counts per channel, and the imputed channels with their variance.

        ``pending``: the step's summed increments per channel. A stopped
        counter adds none; the reading that ends its outage ends it before
        the step is taken (the watch sees every reading first), so its
        count is in ``pending`` and it is trusted again. ``booked``: per
        counter, (start of its silence, variance already added for it
        before the detection, ``silence_suspicion.py``): the catch-up adds
        only the rest of the outage's variance. ``latent``: channels whose
        silence is a state of the filter (``latent_crossings.py``): their
        catch-up is not counted here but listed in :attr:`fused`, to be
        fused as a measurement of that state.
        """
        self.caught_up = ()
        self.fused = ()
        if not self._now:
            return pending / np.maximum(self._per_channel, 1.0), _NO_CH, _NO_VAR
        working = self._per_channel.copy()
        imputed: dict[int, list[tuple[float, float]]] = {}
        whole: dict[int, list[float]] = {}  # the outages' whole variance (a latent's measurement)
        first: set[int] = set()
        for s, o in self._now.items():
            ch = self._channel[s]
            working[ch] -= 1.0
            if s not in self._used:
                first.add(ch)
                since, done = (booked or {}).get(s, (o.since, 0.0))
                self._used[s] = (0.0, done if since == o.since else 0.0)
            m0, v0 = self._used[s]
            # The detector's figures only grow during an outage; never impute less than 0.
            dm, dv = max(0.0, o.missed - m0), max(0.0, o.missed_var - v0)
            self._used[s] = (max(m0, o.missed), max(v0, o.missed_var))
            imputed.setdefault(ch, []).append((dm, dv))
            whole.setdefault(ch, []).append(o.missed_var)
        counts = pending / np.maximum(working, 1.0)
        chans, var = [], []
        for ch, got in imputed.items():
            if working[ch] > 0.0:
                continue  # another counter on this channel still counts
            counts[ch] = sum(m for m, _ in got) / len(got)
            v = sum(v for _, v in got) / len(got) ** 2
            if ch in first and ch in latent:  # fused as the latent's measurement instead
                self.fused += ((ch, float(counts[ch]), sum(whole[ch]) / len(got) ** 2),)
                counts[ch], v = 0.0, 0.0
            elif ch in first:  # the silence before the detection, in one step
                self.caught_up += (ch,)
            chans.append(ch)
            var.append(v)
        return counts, np.array(chans, dtype=np.int64), np.array(var)


_NO_CH = np.zeros(0, dtype=np.int64)
_NO_VAR = np.zeros(0)
