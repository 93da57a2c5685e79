"""Zone occupancy reconciled from gate counters and direct counts (Kalman filter).

State: the occupancy of every zone and a relative bias for every counting
channel (gate x direction): a channel that reports ``c`` people really saw
``c (1 + b)``. Flow conservation gives a linear prediction over an interval
with channel counts ``c`` and the zone/channel incidence matrix ``B``:

    n_k = n_{k-1} + B c + B diag(c) b_{k-1}        b_k = b_{k-1} (random walk)

so ``x = [n; b]`` evolves as ``x_k = F x_{k-1} + [B c; 0]`` with
``F = [[I, B diag(c)], [0, I]]`` - the Kalman filter of Kalman (1960),
"A New Approach to Linear Filtering and Prediction Problems", J. Basic
Engineering 82(1), 35-45, with the bias carried in the state as in
Friedland (1969), "Treatment of bias in recursive filtering", IEEE Trans.
Automatic Control 14(4), 359-367. Direct counts (people_count sensors,
cameras) are measurements of one zone; "the venue is empty" at closing is a
measurement of zero everywhere. Those measurements are what make the channel
biases observable, so a drifting counter is corrected over days.

Occupancy cannot be negative: the reported estimate is projected onto
``n >= 0`` (and ``b >= -0.9``), the estimate-projection method of Simon
(2010), "Kalman filtering with state constraints: a survey of linear and
nonlinear algorithms", IET Control Theory & Applications 4(8), 1303-1318,
with the identity weighting, which reduces to clipping. The filter itself
runs on the unconstrained state: clipping inside the recursion would throw
away the very innovation (a predicted -3 corrected to 0 at closing) that
tells it a counter over-counts exits.

Noise model (our choice, documented in docs/crowd.md): a channel's count
error has variance ``count_rel_sd^2 c + count_abs_sd^2`` (Poisson-like, grows
with the flow); biases walk with ``bias_sd_per_day`` per sqrt(day); a direct
count of n has variance ``direct_rel_sd^2 n^2 + direct_abs_sd^2``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from twin.analytics.crowd.errors import InvalidInput, UnknownZone
from twin.analytics.crowd.graph import GateCount, GateLike, ZoneGraph

__all__ = ["OccupancyConfig", "OccupancyEstimate", "OccupancyEstimator"]

_BIAS_FLOOR = -0.9


@dataclass(frozen=True, slots=True)
class OccupancyConfig:
    """Noise parameters of the estimator (people, fractions, per day)."""

    count_rel_sd: float = 0.3
    count_abs_sd: float = 0.5
    bias_sd_initial: float = 0.1
    bias_sd_per_day: float = 0.02
    direct_rel_sd: float = 0.05
    direct_abs_sd: float = 1.0
    empty_sd: float = 0.5
    initial_sd: float = 5.0


@dataclass(frozen=True, slots=True)
class OccupancyEstimate:
    """Occupancy per zone with its standard deviation, and counter biases."""

    occupancy: Mapping[str, float]
    sd: Mapping[str, float]
    channel_bias: Mapping[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return float(sum(self.occupancy.values()))


class OccupancyEstimator:
    """Kalman-style occupancy of every zone of a venue; state size zones + 2 x gates."""

    def __init__(
        self,
        zones: Sequence[str],
        gates: Iterable[GateLike],
        config: OccupancyConfig | None = None,
        initial: Mapping[str, float] | None = None,
    ) -> None:
        self.graph = ZoneGraph(zones, gates)
        self.config = config or OccupancyConfig()
        nz, nc = len(self.graph.zones), self.graph.n_channels
        self._nz = nz
        self.x: npt.NDArray[np.float64] = np.zeros(nz + nc, dtype=np.float64)
        for zone, value in (initial or {}).items():
            self.x[self._zone(zone)] = value
        var = np.concatenate(
            [np.full(nz, self.config.initial_sd**2), np.full(nc, self.config.bias_sd_initial**2)]
        )
        self.P: npt.NDArray[np.float64] = np.diag(var)

    def _zone(self, zone: str) -> int:
        try:
            return self.graph.zone_index[zone]
        except KeyError:
            raise UnknownZone(zone) from None

    def predict(
        self,
        counts: Iterable[GateCount] | Mapping[str, tuple[float, float]],
        dt_s: float,
    ) -> None:
        """Advance one interval of ``dt_s`` seconds with the gate counts seen in it."""
        if not dt_s > 0.0:
            raise InvalidInput("dt_s must be > 0")
        c = self.graph.channel_vector(counts)
        nz = self._nz
        inc = self.graph.incidence
        bc = inc * c  # B diag(c): (nz, nc)
        # x' = F x + [B c; 0], F = [[I, B diag(c)], [0, I]]
        n = self.x[:nz] + inc @ c + bc @ self.x[nz:]
        # P' = F P F^T + Q, written blockwise to avoid building F.
        p = self.P
        pnn, pnb, pbb = p[:nz, :nz], p[:nz, nz:], p[nz:, nz:]
        new_pnb = pnb + bc @ pbb
        new_pnn = pnn + bc @ pnb.T + pnb @ bc.T + bc @ pbb @ bc.T
        cfg = self.config
        q_counts = cfg.count_rel_sd**2 * c + cfg.count_abs_sd**2 * (c > 0)
        new_pnn += (inc * q_counts) @ inc.T
        new_pbb = pbb + np.eye(len(c)) * cfg.bias_sd_per_day**2 * dt_s / 86400.0
        self.P = np.block([[new_pnn, new_pnb], [new_pnb.T, new_pbb]])
        self.x[:nz] = n

    def _scalar_update(self, h: npt.NDArray[np.float64], z: float, r: float) -> None:
        ph = self.P @ h
        s = float(h @ ph) + r
        k = ph / s
        self.x = self.x + k * (z - float(h @ self.x))
        self.P = self.P - np.outer(k, ph)
        self.P = 0.5 * (self.P + self.P.T)

    def observe(self, zone: str, count: float, sd: float | None = None) -> None:
        """Fuse a direct count of one zone (camera, people_count sensor)."""
        if not (count >= 0.0 and math.isfinite(count)):
            raise InvalidInput(f"count must be finite and >= 0, got {count}")
        cfg = self.config
        if sd is None:
            sd = math.hypot(cfg.direct_rel_sd * count, cfg.direct_abs_sd)
        h = np.zeros_like(self.x)
        h[self._zone(zone)] = 1.0
        self._scalar_update(h, count, sd * sd)

    def observe_many(self, counts: Mapping[str, float]) -> None:
        """Fuse direct counts of several zones at once.

        The same result as calling :meth:`observe` for each zone in turn (the
        counts' errors are independent, so the sequential scalar updates and one
        block update agree), but one block update costs a few matrix products
        where zone-by-zone updates cost a full pass over the covariance each.
        """
        if not counts:
            return
        cfg = self.config
        idx = np.fromiter((self._zone(z) for z in counts), dtype=np.intp, count=len(counts))
        z = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if not (np.all(np.isfinite(z)) and np.all(z >= 0.0)):
            raise InvalidInput("counts must be finite and >= 0")
        r = (cfg.direct_rel_sd * z) ** 2 + cfg.direct_abs_sd**2
        ph = self.P[:, idx]  # P H^T, (n, m)
        s = ph[idx, :] + np.diag(r)
        k = np.linalg.solve(s, ph.T).T  # P H^T S^-1 (S symmetric)
        self.x = self.x + k @ (z - self.x[idx])
        self.P = self.P - k @ ph.T
        self.P = 0.5 * (self.P + self.P.T)

    def observe_empty(self, zones: Iterable[str] | None = None) -> None:
        """The venue (or these zones) is known empty, e.g. after closing."""
        r = self.config.empty_sd**2
        for zone in self.graph.zones if zones is None else zones:
            h = np.zeros_like(self.x)
            h[self._zone(zone)] = 1.0
            self._scalar_update(h, 0.0, r)

    def estimate(self) -> OccupancyEstimate:
        """The estimate projected onto occupancy >= 0 and bias >= -0.9."""
        nz = self._nz
        sd = np.sqrt(np.clip(np.diag(self.P), 0.0, None))
        occ = np.clip(self.x[:nz], 0.0, None)
        bias = np.clip(self.x[nz:], _BIAS_FLOOR, None)
        zones = self.graph.zones
        return OccupancyEstimate(
            occupancy={z: float(occ[i]) for i, z in enumerate(zones)},
            sd={z: float(sd[i]) for i, z in enumerate(zones)},
            channel_bias={
                self.graph.channel_name(j): float(bias[j]) for j in range(self.graph.n_channels)
            },
        )
