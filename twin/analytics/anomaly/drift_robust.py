"""A straight line through hourly residuals that a room's busy hours cannot swing.

A room's residual against its neighbours scatters tens of times more in its
visiting hours (visitors warm one gallery more than another, differently each
afternoon) than at night. An ordinary least-squares line lets those hours
swing its slope: a drift's line is hidden for a day, and a burst near one end
of the window makes a line out of nothing. A trimmed refit resists them, but
it chooses which hours to keep by looking at them, so on a sound sensor it
finds lines through a lucky half of the hours, and its t is too large.

Here the line is Tukey's bisquare M-estimate: least squares reweighted, each
hour's weight falling smoothly to 0 at ``C`` robust scatters off the line,
with the scatter fixed from the plain line's residuals (their MAD: the quiet
hours') so that it cannot shrink to fit a chosen subset. Its t is the slope
over the M-estimator's own standard error (Huber's sandwich: the scatter of
the weighted residuals over their mean derivative), which grows when many
hours are weighted down, instead of the classical error of the hours kept.
No hour is chosen by hand; the weights follow from the one scatter.
"""

from __future__ import annotations

import math

from twin.analytics.anomaly.robust_scale import mad_sd

__all__ = ["C", "robust_t"]

C = 4.685
"""Bisquare's tuning constant: 95 % efficiency on Gaussian noise (the textbook value)."""

_ROUNDS = 6  # reweighting rounds (the slope settles in three or four)
_SETTLED = 1e-3
"""A round that moves the slope by less than this share of its noise ends the reweighting."""
_MIN_SLOPE_INFO = 0.1
"""Mean derivative of the weights' influence below this: most hours are weighted
out (a dip and recovery), so the line says nothing."""


def robust_t(ys: list[float], halves: bool = True, needed: float = 0.0) -> tuple[float, float]:
    """(t statistic, slope per hour) of the bisquare line through ``ys`` (one a
    hour, none missing); t 0 when most hours are far off any line, or when
    (``halves``) either half of the window slopes the other way. A t under
    ``needed`` is returned unchecked (the halves only ever lower it)."""
    t, slope = _bisquare(ys)
    if halves and t != 0.0 and abs(t) >= needed:
        mid = len(ys) // 2
        for part in (ys[:mid], ys[mid:]):
            # A drift is a line in each half too; a room's busy day between
            # two quiet nights leans a line one way in one half and back in
            # the other.
            if _bisquare(part)[1] * slope <= 0.0:
                return 0.0, slope
    return t, slope


def _bisquare(ys: list[float]) -> tuple[float, float]:
    n = len(ys)
    if n < 3:
        return 0.0, 0.0
    centre = (n - 1) / 2.0
    xs = [i - centre for i in range(n)]
    sxx = n * (n * n - 1) / 12.0
    # The plain line's scatter fixes the scale (a robust start, a repeated
    # median, gave a tighter scale and larger t on sound sensors too).
    slope = sum(x * y for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = sum(ys) / n
    res = [y - intercept - slope * x for x, y in zip(xs, ys, strict=True)]
    cut = C * max(mad_sd(res), 1e-12)
    for _ in range(_ROUNDS):
        # One pass of weighted sums (the weights from the last line's residuals).
        sw = swx = swy = swxx = swxy = 0.0
        for x, y, r in zip(xs, ys, res, strict=True):
            u = r / cut
            if -1.0 < u < 1.0:
                v = 1.0 - u * u
                w = v * v
                sw += w
                swx += w * x
                swy += w * y
                swxx += w * x * x
                swxy += w * x * y
        det = sw * swxx - swx * swx
        if sw <= 0.0 or det <= 0.0:
            return 0.0, slope
        new = (sw * swxy - swx * swy) / det
        intercept = (swy - new * swx) / sw
        res = [y - intercept - new * x for x, y in zip(xs, ys, strict=True)]
        settled = abs(new - slope) <= _SETTLED * cut / math.sqrt(sxx)
        slope = new
        if settled:
            break
    # Huber's sandwich for an M-estimate of a line: var(slope) =
    # s^2 E[psi^2] / E[psi']^2 / Sxx, psi(u) = u (1 - u^2)^2 in scatter units.
    psi2 = 0.0
    dpsi = 0.0
    for r in res:
        u = r / cut
        if abs(u) < 1.0:
            v = 1.0 - u * u
            psi2 += (r * v * v) ** 2
            dpsi += v * (1.0 - 5.0 * u * u)
    psi2 /= n
    dpsi /= n
    if dpsi < _MIN_SLOPE_INFO:
        return 0.0, slope
    se = math.sqrt(psi2 * n / (n - 2)) / dpsi / math.sqrt(sxx)
    return slope / max(se, 1e-300), slope
