"""A straight line through hourly residuals, each hour weighted by its usual scatter.

A room's residual against its neighbours scatters tens of times more in its
busy hours (visitors warm one gallery more than another, differently every
afternoon) than in its quiet ones (nights, mornings), and it does so at the
same hours every day. An unweighted line lets those hours swing the slope
and hide a drift for a day; weighted least squares, each hour by the scatter
its hour of the day showed on *earlier* days (so chosen before the hour's
value is seen, unlike a trim), lets the quiet hours carry the line.

The t statistic is the slope over its standard error from the robust scatter
of the standardised residuals (an hour off its usual scatter, an event's,
does not set the noise), and, as for the unweighted line, it must hold on the
window refitted without the hours more than ``trim`` robust scatters off it:
a drift is a line either way, an event's dip and recovery is not.
"""

from __future__ import annotations

import math

from twin.analytics.anomaly.robust_scale import mad_sd

__all__ = ["WeightedLine", "weighted_t", "weights"]

_ROUNDS = 4
_FLOOR = 0.5
"""No hour's scatter is taken below this share of the window's median one:
a slot that happened to be very quiet must not carry the line alone."""


_HALF_GAIN = 2.0**1.5
"""A line's t grows as its length to the power 1.5: each half of a drift's
window carries about 1 / 2 ** 1.5 of the whole window's t."""


class WeightedLine:
    """Weighted least squares of ``ys`` on the hour index, with its standardised residuals."""

    __slots__ = ("intercept", "slope", "std_res", "sxx")

    def __init__(self, ys: list[float], ws: list[float], keep: list[int]) -> None:
        total = sum(ws[i] for i in keep)
        mx = sum(ws[i] * i for i in keep) / total
        my = sum(ws[i] * ys[i] for i in keep) / total
        self.sxx = sum(ws[i] * (i - mx) ** 2 for i in keep)
        self.slope = sum(ws[i] * (i - mx) * (ys[i] - my) for i in keep) / max(self.sxx, 1e-300)
        self.intercept = my - self.slope * mx
        self.std_res = [
            math.sqrt(w) * (y - self.intercept - self.slope * i)
            for i, (w, y) in enumerate(zip(ws, ys, strict=True))
        ]


def weights(spreads: list[float]) -> list[float]:
    """Each hour's weight from its hour of the day's usual scatter (all 1: no
    scatter known in the window yet, the first days)."""
    known = sorted(s for s in spreads if not math.isnan(s) and s > 0.0)
    if not known:
        return [1.0] * len(spreads)
    floor = _FLOOR * known[len(known) // 2]
    return [1.0 / max(floor if math.isnan(s) else s, floor) ** 2 for s in spreads]


def weighted_t(
    ys: list[float], spreads: list[float], trim: float | None, needed: float = 0.0
) -> tuple[float, float]:
    """(t statistic, slope per hour) of the weighted line; t 0 if it does not hold.

    ``t`` is the plain weighted line's (robust scatter), no larger than the
    line's refitted without the hours more than ``trim`` robust scatters off
    it (``None``: the plain line alone); of opposite signs, or fewer than half
    the hours kept: 0. A plain t under ``needed`` is returned as it is (the
    tests below only ever lower it): the quiet hours cost one fit.
    """
    ws = weights(spreads)
    n = len(ys)
    if n < 3:
        return 0.0, 0.0
    every = list(range(n))
    plain = WeightedLine(ys, ws, every)
    spread = max(mad_sd(plain.std_res), 1e-12)
    t = plain.slope * math.sqrt(plain.sxx) / spread
    if trim is None or t == 0.0 or abs(t) < needed:
        return t, plain.slope
    keep = every
    line = plain
    for _ in range(_ROUNDS):
        limit = trim * max(mad_sd([line.std_res[i] for i in keep]), 1e-12)
        kept = [i for i in every if abs(line.std_res[i]) <= limit]
        if kept == keep or len(kept) < 3:
            break
        keep = kept
        line = WeightedLine(ys, ws, keep)
    if 2 * len(keep) < n:
        return 0.0, plain.slope
    t_kept = _classical_t(line, keep)
    if t * t_kept <= 0.0:
        return 0.0, plain.slope
    t = math.copysign(min(abs(t), abs(t_kept)), t)
    # One slope through the whole window: a heating failure's flat hours then
    # its steady fall (or a recovery's curve) fit a line with a large weighted
    # t, but its halves disagree; a drift's halves each carry their share.
    for part in (keep[: len(keep) // 2], keep[len(keep) // 2 :]):
        if len(part) < 3:
            return 0.0, plain.slope
        t_half = _classical_t(WeightedLine(ys, ws, part), part)
        if t_half * t <= 0.0:
            return 0.0, plain.slope
        t = math.copysign(min(abs(t), _HALF_GAIN * abs(t_half)), t)
    return t, plain.slope


def _classical_t(line: WeightedLine, keep: list[int]) -> float:
    """The slope's t on the hours kept, from their standardised residuals."""
    ss = sum(line.std_res[i] ** 2 for i in keep)
    spread = max(math.sqrt(ss / max(len(keep) - 2, 1)), 1e-12)
    return line.slope * math.sqrt(line.sxx) / spread
