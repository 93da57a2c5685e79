"""Dwell plausibility: what a zone's recent entries say about its occupancy (Little's law).

Counting in minus out drifts: every missed crossing stays in the sum for
ever. What stops the drift in a zone with no camera is that people do not
stay for ever. Little (1961), L = lambda W, in its time-dependent form for
an infinite-server system (every person stays a time with survival function
``S``): the number present is the entries weighted by the chance they are
still there, ``n(t) = sum_j e_j S(t - t_j)``. Its error does not grow with
time: it forgets a miscounted person once they would have left.

- A **transit** zone (a corridor, a passage, a stair: people walk through
  it) has a nearly fixed crossing time ``W = path / v``: ``S`` is 1 up to
  ``W``, then 0, so ``n`` is the entries of the last ``W`` seconds. The
  path is the zone's length between its gates; the walking speed comes from
  Weidmann's fundamental diagram at the zone's estimated density,
  ``v = v0 (1 - exp(-gamma (1/rho - 1/rho_max)))`` with v0 = 1.34 m/s,
  gamma = 1.913 m^-2, rho_max = 5.4 m^-2 (Weidmann (1993),
  "Transporttechnik der Fussgaenger", ETH Zuerich, IVT Schriftenreihe 90),
  or from a people tracker's measured speed where one is given.
- A **stay** zone (a gallery) with a known mean stay ``W`` has ``S(a) =
  exp(-a / W)``.

Both are pseudo-measurements with a relative error (``rel_sd``: how far a
real crowd strays from the diagram or the mean stay), fused by the Kalman
filter like a poor camera. Consecutive pseudo-measurements share most of
their entries, so their errors are correlated over ``W``; treating them as
independent would make the filter overconfident, so the variance is
multiplied by the number of steps in ``W``.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from twin.analytics.crowd.dwell_spread import DwellSpread
from twin.analytics.crowd.errors import InvalidInput

__all__ = ["DwellPrior", "DwellPriorConfig", "weidmann_speed"]

WEIDMANN_V0 = 1.34
WEIDMANN_GAMMA = 1.913
WEIDMANN_RHO_MAX = 5.4
# Below this speed a transit zone is jammed; the window stops growing there.
_MIN_SPEED = 0.15

Vector = npt.NDArray[np.float64]


def weidmann_speed(density_p_m2: Vector | float) -> Vector:
    """Mean walking speed (m/s) at a density (p/m^2), Weidmann (1993)."""
    rho = np.clip(np.asarray(density_p_m2, dtype=np.float64), 1e-3, WEIDMANN_RHO_MAX - 1e-3)
    v = WEIDMANN_V0 * (1.0 - np.exp(-WEIDMANN_GAMMA * (1.0 / rho - 1.0 / WEIDMANN_RHO_MAX)))
    return np.asarray(np.maximum(v, _MIN_SPEED))


@dataclass(frozen=True, slots=True)
class DwellPriorConfig:
    """Relative and absolute spread of the pseudo-measurement (fraction, people)."""

    transit_rel_sd: float = 0.3
    stay_rel_sd: float = 0.5
    abs_sd: float = 1.0
    # Transit zones' spread scaled by what the innovations show (dwell_spread.py).
    learned_spread: bool = True
    # A measured speed's censoring shortfall (transit_speed.py) in the
    # transit spread: the stay it comes from is short while people inside
    # have only part of theirs behind them (crowd-log, "The transit
    # prior's censored speed").
    censored_speed: bool = True


class DwellPrior:
    """Little's-law pseudo-measurements for some zones of a venue.

    ``transit``: zone index -> (path length m, floor area m^2); ``stay``: zone
    index -> mean stay s. State: the entries of the last ``max W`` seconds
    (transit) and one decaying sum per stay zone; bounded.
    """

    def __init__(
        self,
        n_zones: int,
        transit: Mapping[int, tuple[float, float]],
        stay: Mapping[int, float],
        config: DwellPriorConfig | None = None,
    ) -> None:
        self.config = config or DwellPriorConfig()
        for path, area in transit.values():
            if not (path > 0 and area > 0):
                raise InvalidInput("transit zones need a path > 0 m and an area > 0 m^2")
        if any(not w > 0 for w in stay.values()):
            raise InvalidInput("mean stay must be > 0 s")
        self._t_idx = np.array(sorted(transit), dtype=np.int64)
        self._path = np.array([transit[i][0] for i in self._t_idx], dtype=np.float64)
        self._area = np.array([transit[i][1] for i in self._t_idx], dtype=np.float64)
        self._max_w = float((self._path / _MIN_SPEED).max()) if len(self._t_idx) else 0.0
        self._s_idx = np.array(sorted(stay), dtype=np.int64)
        self._stay = np.array([stay[i] for i in self._s_idx], dtype=np.float64)
        self._stay_sum = np.zeros(len(self._s_idx))
        # (end time, duration, entries per transit zone) of recent steps.
        self._ring: deque[tuple[float, float, Vector]] = deque()
        self.crossing_time_s: Vector = np.zeros(len(self._t_idx))
        # Transit zones only: in stay zones (minutes-long, persistent errors)
        # it narrowed the simulator's galleries below the target (crowd-log).
        self._spread = DwellSpread(len(self._t_idx))

    @property
    def zones(self) -> Sequence[int]:
        return [*self._t_idx.tolist(), *self._s_idx.tolist()]

    def step(self, now: float, dt_s: float, entries: Vector) -> None:
        """Record one step's entries per zone (true crossings, all zones)."""
        if len(self._t_idx):
            self._ring.append((now, dt_s, entries[self._t_idx].copy()))
            while self._ring and self._ring[0][0] < now - self._max_w - self._ring[0][1]:
                self._ring.popleft()
        if len(self._s_idx):
            self._stay_sum = self._stay_sum * np.exp(-dt_s / self._stay) + entries[self._s_idx]

    def pseudo(
        self,
        now: float,
        dt_s: float,
        occupancy: Vector,
        speed: Mapping[int, float] | None = None,
        predicted: tuple[Vector, Vector] | None = None,
        censoring: Mapping[int, float] | None = None,
    ) -> tuple[npt.NDArray[np.int64], Vector, Vector]:
        """(zone indices, expected occupancy, variance) implied by the recent entries.

        ``predicted``: the filter's predicted occupancy and its variance per
        zone, before these are fused; with ``learned_spread`` a transit
        zone's variance is scaled by what its innovations show
        (``dwell_spread.py``). ``censoring``: per zone at a measured speed,
        the share by which the stay it came from is short
        (``TransitSpeed.censoring``); with ``censored_speed`` it is added to
        the relative spread (the delta method: ``z`` counts the entries of
        the last ``W``, so ``W`` short by a share ``d`` makes ``z`` short by
        about ``d z``).
        """
        cfg = self.config
        rows: list[npt.NDArray[np.int64]] = []
        means: list[Vector] = []
        variances: list[Vector] = []
        t_steps = np.ones(0)  # steps in each transit zone's window
        if len(self._t_idx) and self._ring:
            rho = np.clip(occupancy[self._t_idx], 0.0, None) / self._area
            v = weidmann_speed(rho)
            for k, i in enumerate(self._t_idx.tolist()):
                if speed and i in speed and speed[i] > _MIN_SPEED:
                    v[k] = speed[i]
            w = self._path / v
            self.crossing_time_s = w
            ends = np.array([r[0] for r in self._ring])
            durs = np.array([r[1] for r in self._ring])
            ent = np.stack([r[2] for r in self._ring])  # (steps, zones)
            # Share of each step's entries that happened less than W ago.
            share = np.clip((ends[:, None] - (now - w[None, :])) / durs[:, None], 0.0, 1.0)
            z = (share * ent).sum(axis=0)
            corr = np.maximum(1.0, w / dt_s)
            short = np.zeros(len(z))  # the measured speed's censored shortfall
            if cfg.censored_speed and censoring and speed:
                for k, i in enumerate(self._t_idx.tolist()):
                    if i in censoring and speed.get(i, 0.0) > _MIN_SPEED:  # speed used
                        short[k] = censoring[i]
            var = ((cfg.transit_rel_sd * z) ** 2 + (short * z) ** 2 + cfg.abs_sd**2) * corr
            rows.append(self._t_idx)
            means.append(z)
            variances.append(var)
            t_steps = corr
        if len(self._s_idx):
            z = self._stay_sum
            corr = np.maximum(1.0, self._stay / dt_s)
            rows.append(self._s_idx)
            means.append(z.copy())
            variances.append(((cfg.stay_rel_sd * z) ** 2 + cfg.abs_sd**2) * corr)
        if not rows:
            empty = np.zeros(0)
            return np.zeros(0, dtype=np.int64), empty, empty
        idx, mean, var = np.concatenate(rows), np.concatenate(means), np.concatenate(variances)
        nt = len(t_steps)  # transit rows come first
        if cfg.learned_spread and predicted is not None and nt:
            x, p = predicted
            t = idx[:nt]
            var[:nt] = self._spread.scale(mean[:nt] - x[t], p[t], var[:nt], t_steps)
        return idx, mean, var


def path_length(gate_positions: Sequence[tuple[float, float]], area_m2: float) -> float:
    """Walking distance through a zone: the longest span between its gates.

    With fewer than two gates, the side of a square of the zone's area.
    """
    pts = np.asarray(gate_positions, dtype=np.float64)
    if len(pts) < 2:
        return math.sqrt(area_m2)
    d = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(axis=-1))
    return float(max(d.max(), 0.5))
