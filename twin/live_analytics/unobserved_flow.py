"""A counting channel that saw nothing this step: its flow is unknown, not zero.

When the only sensor of a channel (a people tracker's line crossings) is
offline, reading 0 crossings would tell the occupancy filter that nobody went
through the door: a zone people keep leaving would stay full, confidently.
Instead the step's crossings are imputed from the channel's recent flow
(an exponential average over ``RATE_WINDOW_S`` of the steps it was seen,
the usual fill for a missing traffic detector), and the filter's covariance
gets the variance of that guess: Poisson ``mu`` for the step's crossings
plus a rate that may be off by ``RATE_REL_SD`` for the whole outage. That
rate error is one error for all the outage's steps, so step ``k`` of an
outage adds ``RATE_REL_SD^2 mu^2 (2k - 1)``: after ``K`` steps the variance
is ``K mu + (RATE_REL_SD K mu)^2``. It enters the two zones of the gate
with opposite signs (a person through the door leaves one and enters the
other), like any crossing.

State: two floats and a counter per channel.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from twin.analytics.crowd import OccupancyEstimator

__all__ = ["RATE_REL_SD", "RATE_WINDOW_S", "TrackerChannels", "UnobservedFlow"]

RATE_WINDOW_S = 900.0
RATE_REL_SD = 0.5

Vector = npt.NDArray[np.float64]


class UnobservedFlow:
    """Recent flow per channel, and the imputation of the channels unseen in a step."""

    def __init__(self, n_channels: int) -> None:
        # Exponential average of reported crossings per second, normalised by its
        # weight so a short history is its plain mean (not pulled towards 0).
        self._sum = np.zeros(n_channels)
        self._weight = np.zeros(n_channels)
        self._outage_steps = np.zeros(n_channels, dtype=np.int64)

    def fill(
        self, counts: Vector, seen: npt.NDArray[np.int64], unseen: npt.NDArray[np.int64], dt: float
    ) -> Vector:
        """Learn from the ``seen`` channels' counts, impute the ``unseen`` ones in place.

        Returns the variance of each imputed count (aligned with ``unseen``).
        """
        if seen.size:
            a = 1.0 - math.exp(-dt / RATE_WINDOW_S)
            self._sum[seen] += a * (counts[seen] / dt - self._sum[seen])
            self._weight[seen] += a * (1.0 - self._weight[seen])
            self._outage_steps[seen] = 0
        if not unseen.size:
            return np.zeros(0)
        mu = self.rate[unseen] * dt
        counts[unseen] = mu
        self._outage_steps[unseen] += 1
        k = self._outage_steps[unseen]
        return mu + (RATE_REL_SD * mu) ** 2 * (2 * k - 1)

    @property
    def seen(self) -> npt.NDArray[np.bool_]:
        """Channels with a recent flow (seen at least once)."""
        return self._weight > 0

    @property
    def rate(self) -> Vector:
        """Recent reported crossings per second per channel (0 where never seen)."""
        return np.divide(
            self._sum, self._weight, out=np.zeros_like(self._sum), where=self._weight > 0
        )

    @staticmethod
    def widen(est: OccupancyEstimator, channels: npt.NDArray[np.int64], var: Vector) -> None:
        """Add the imputed crossings' variance to the zones on either side of each gate."""
        est.widen_channels(channels, var)


class TrackerChannels:
    """The counting channels only trackers' line crossings feed, seen or unseen per step."""

    def __init__(self, channels: npt.NDArray[np.int64], gates: tuple[str, ...]) -> None:
        self.channels = channels
        self._gates = gates
        self._flow = UnobservedFlow(2 * len(gates))
        self.unseen = np.zeros(2 * len(gates), dtype=bool)  # this step's unknown channels
        self._var = np.zeros(0)

    def fill(self, counts: Vector, crossed: dict[str, tuple[float, float]], dt: float) -> None:
        """Put the step's crossings (or, where unknown, their imputation) into ``counts``."""
        self.unseen[:] = False
        seen = []
        for ch in self.channels.tolist():
            got = crossed.get(self._gates[ch // 2])
            if got is None:
                self.unseen[ch] = True
            else:
                counts[ch] = got[ch % 2]
                seen.append(ch)
        self._var = self._flow.fill(
            counts, np.array(seen, dtype=np.int64), np.flatnonzero(self.unseen), dt
        )

    def widen(self, est: OccupancyEstimator) -> None:
        """After the prediction: the uncertainty of the imputed crossings."""
        if self._var.size:
            self._flow.widen(est, np.flatnonzero(self.unseen), self._var)
