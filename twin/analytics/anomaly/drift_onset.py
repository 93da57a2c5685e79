"""A drift's onset: a level residual that turns into a ramp (two-phase regression).

A drift begins somewhere. Before it the hourly residual is level, after it a
ramp. :class:`~twin.analytics.anomaly.drift_trend.TrendEvidence`'s straight
line over the ramp's own ``n`` hours has a free intercept, so its slope's
regressor spread is ``n**3 / 12``; the hinge

    r(t) = a + b * max(0, t - tau)

fitted over the whole history lets the level hours before ``tau`` pin the
intercept, and ``b``'s regressor spread approaches ``n**3 / 3`` when the flat
part is long: about twice the line's t at the same ramp age (the classical
two-phase regression, or broken-line, test: Hinkley 1971, Worsley 1983).

Its costs: the rooms' day-to-day wander before ``tau`` enters the scatter
(the line's free intercept ignores it), and ``tau`` is chosen from the data,
which raises the statistic on noise; so the hinge has its own bar
(``DriftTrendConfig.onset_t_min``), set from the sound sensors' noise.

Per hour: ``tau`` is the least-squares onset (the largest explained sum of
squares, i.e. the profile likelihood's maximum over ``tau``), found for every
candidate at once from suffix sums (``O(n)``); at that ``tau`` the slope's t
uses the MAD of the fit's residuals, and is no larger than the refit's
without the hours ``agree_trim`` robust scatters off it, taken as the
product's line takes it (``slow_line="agreeing_kept"``; :func:`_refit_t`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from twin.analytics.anomaly.robust_scale import mad_sd

__all__ = ["Hinge", "fit_hinge"]

_ROUNDS = 4  # refits without the hours off the hinge, as the line's


@dataclass(frozen=True, slots=True)
class Hinge:
    """A fitted hinge: its slope's t, slope per hour, onset (hours from the first
    hour given) and the ramp's hours after it."""

    t: float
    slope: float
    onset: int
    ramp: int


def fit_hinge(ys: list[float], min_part: int, trim: float | None) -> Hinge | None:
    """The hinge over ``ys`` (hourly, oldest first; NaN: no residual that hour)
    with at least ``min_part`` hours before the onset and after it; ``None`` if
    too few hours. ``trim``: the refit's bound (``None``: the plain fit alone)."""
    xs = [i for i, y in enumerate(ys) if not math.isnan(y)]
    vals = [ys[i] for i in xs]
    n = len(xs)
    if n < 2 * min_part or n < 4:
        return None
    tau = _best_onset(xs, vals, min_part)
    if tau is None:
        return None
    slope, intercept, szz = _fit_at(xs, vals, tau)
    if szz <= 0.0:
        return None
    res = [y - intercept - slope * max(0.0, x - tau) for x, y in zip(xs, vals, strict=True)]
    # The flat hours' wander and the ramp's noise alike: robust, as the line's.
    spread = max(mad_sd(res), 1e-12)
    t = slope * math.sqrt(szz) / spread
    if trim is not None:
        t = _agreed(t, _refit_t(xs, vals, tau, trim))
    ramp = len(ys) - 1 - tau
    return Hinge(t, slope, tau, ramp)


def _best_onset(xs: list[int], ys: list[float], min_part: int) -> int | None:
    """The candidate onset (an hour index) whose hinge explains most of ``ys``'s
    sum of squares (``Szy**2 / Szz``), from suffix sums over the hours after it."""
    n = len(xs)
    last = xs[-1]
    # Suffix sums over hours with x > tau: count, sum x, sum x^2, sum y, sum xy.
    total_y = sum(ys)
    best: int | None = None
    best_ess = -1.0
    k = n  # hours strictly after tau are xs[k:]
    c = sx = sxx = sy = sxy = 0.0
    for tau in range(last - min_part, -1, -1):
        while k > 0 and xs[k - 1] > tau:
            k -= 1
            x, y = float(xs[k]), ys[k]
            c += 1.0
            sx += x
            sxx += x * x
            sy += y
            sxy += x * y
        if c < min_part:
            continue
        if n - c < min_part:
            break  # fewer flat hours from here on
        # z = x - tau on the ramp, 0 before it.
        sz = sx - tau * c
        szz_raw = sxx - 2.0 * tau * sx + tau * tau * c
        szy_raw = sxy - tau * sy
        szz = szz_raw - sz * sz / n
        szy = szy_raw - sz * total_y / n
        if szz <= 0.0:
            continue
        ess = szy * szy / szz
        if ess > best_ess:
            best_ess, best = ess, tau
    return best


def _fit_at(xs: list[int], ys: list[float], tau: int) -> tuple[float, float, float]:
    """Least squares of ``ys`` on ``max(0, x - tau)``: slope, intercept, Szz."""
    zs = [max(0.0, float(x - tau)) for x in xs]
    n = len(zs)
    mz = sum(zs) / n
    my = sum(ys) / n
    szz = sum((z - mz) ** 2 for z in zs)
    if szz <= 0.0:
        return 0.0, my, 0.0
    slope = sum((z - mz) * (y - my) for z, y in zip(zs, ys, strict=True)) / szz
    return slope, my - slope * mz, szz


def _refit_t(xs: list[int], ys: list[float], tau: int, trim: float) -> float:
    """The hinge at ``tau`` refitted without the hours more than ``trim`` robust
    scatters off it, its t taken as the product's line takes its own
    (``slow_line="agreeing_kept"``): the refit's slope at the spread in time of
    the hours it kept, the smaller of its classical t on them and its t over
    every hour's MAD about that slope (a burst at the end of the history, a
    busy afternoon, is left out of the slope and still counts in the scatter).
    Fewer than half the hours kept: 0 (an event's dip and recovery)."""
    keep = list(range(len(xs)))
    slope = intercept = 0.0
    szz = 0.0
    for _ in range(_ROUNDS):
        slope, intercept, szz = _fit_at([xs[i] for i in keep], [ys[i] for i in keep], tau)
        if szz <= 0.0:
            return 0.0
        res = [ys[i] - intercept - slope * max(0.0, xs[i] - tau) for i in range(len(xs))]
        limit = trim * max(mad_sd([res[i] for i in keep]), 1e-12)
        kept = [i for i in range(len(xs)) if abs(res[i]) <= limit]
        if kept == keep or len(kept) < 3:
            break
        keep = kept
    if 2 * len(keep) < len(xs):
        return 0.0
    ss = sum((ys[i] - intercept - slope * max(0.0, xs[i] - tau)) ** 2 for i in keep)
    classical = slope * math.sqrt(szz) / max(math.sqrt(ss / max(len(keep) - 2, 1)), 1e-12)
    every = [y - slope * max(0.0, x - tau) for x, y in zip(xs, ys, strict=True)]
    over_every = abs(slope) * math.sqrt(szz) / max(mad_sd(every), 1e-12)
    return math.copysign(min(abs(classical), over_every), classical)


def _agreed(plain: float, refit: float) -> float:
    """The plain t, no larger than the refit's and of the same sign (else 0)."""
    if plain * refit <= 0.0:
        return 0.0
    return math.copysign(min(abs(plain), abs(refit)), plain)
