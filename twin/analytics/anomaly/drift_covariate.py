"""The visitors' heat taken out of a sensor's hourly drift residual.

A busy gallery's afternoon moves its thermometer's residual against the
neighbours by tens of times its night's scatter, and a different afternoon
each day, so the usual level per hour of the day cannot remove it and the
slow path's line is fitted through it. The zone's CO2 follows the same
visitors (both settle within about half an hour of a change in the crowd,
so their hourly means move together): the zone's CO2 change since the same
hour yesterday explains part of the thermometer's change since then, which
:class:`~twin.analytics.anomaly.neighbour_drift.NeighbourDrift` compares
with the neighbours' (each room's crowd differs from yesterday's by its own
amount, so the visitors' part comes out before the median).

:class:`CovariateFit` learns, per sensor and online, the coefficient of the
sensor's change on the covariate's and returns the change less that
part. Why the coefficient does not absorb a drift: it is learnt from
hour-to-hour differences of both changes, in which a 0.5 degC/week drift
is a constant 0.003 degC an hour, and CO2 does not drift with the
thermometer, so the drift is uncorrelated with the covariate's differences
(which average to zero over the visitors' coming and going) and adds only
noise to the slope, not bias. A bounded influence (Huber weights at 1.345
robust scales, the textbook constant) keeps one wild hour (a CO2 sensor's
own fault, a door left open) from setting it; it forgets with a week's time
constant, as the usual level per hour does.

The first :data:`BURN_IN_H` differences only teach the scales (a wild
first pair would otherwise set the coefficient); a pair far out in the
covariate is shrunk as a whole, keeping its slope and bounding its leverage.

State: nine floats.
"""

from __future__ import annotations

import math

__all__ = ["BURN_IN_H", "HUBER_K", "CovariateFit"]

HUBER_K = 1.345
"""Huber's constant (95 % efficiency under Gaussian noise): not tuned here."""

BURN_IN_H = 24
"""Hours whose differences only teach the scales: every hour of the day once."""

_CLIP = 5.0  # no hour moves a scale more than this many of it (as the fast path)
_MEAN_ABS_TO_SD = 1.2533


class CovariateFit:
    """Residual and covariate in, per hour; the residual less the covariate's part out."""

    __slots__ = (
        "_forget",
        "_learn",
        "_n",
        "_prev_c",
        "_prev_r",
        "_scale",
        "_scale_c",
        "_sxx",
        "_sxy",
    )

    def __init__(self, forget: float = 1.0 / 168.0, learn: float = 0.1) -> None:
        self._forget = forget  # per hour: a week's memory
        self._learn = learn  # one hour's weight in the scales
        self._sxx = 0.0
        self._sxy = 0.0
        self._n = 0  # differences seen
        self._scale = math.nan  # usual size of the differences' misfit
        self._scale_c = math.nan  # ...and of the covariate's differences
        self._prev_r = math.nan
        self._prev_c = math.nan

    @property
    def coefficient(self) -> float:
        """The residual's change per unit of the covariate's (0 until learnt)."""
        return self._sxy / self._sxx if self._sxx > 0.0 else 0.0

    def adjust(self, residual: float, covariate: float) -> float:
        """Learn from this hour (NaN covariate: the hour is not explained and
        breaks the differences) and return ``residual`` less the covariate's part."""
        if math.isnan(covariate) or math.isnan(residual):
            self._prev_r = self._prev_c = math.nan
            return residual
        beta = self.coefficient
        # The coefficient of the hours before this one: a drift's hour is
        # explained by what was learnt without it.
        out = residual - beta * covariate
        dr = residual - self._prev_r
        dc = covariate - self._prev_c
        self._prev_r, self._prev_c = residual, covariate
        if math.isnan(dr):
            return out
        self._n += 1
        if self._n > BURN_IN_H:
            # A pair far out in the covariate (a CO2 sensor's spike or stuck
            # hour ending) is shrunk towards zero as a whole: its slope kept,
            # its weight bounded. A pair far off the line counts less (Huber).
            shrink = min(1.0, _CLIP * self._scale_c / max(abs(dc), 1e-300))
            dr, dc = shrink * dr, shrink * dc
            miss = abs(dr - beta * dc)
            limit = HUBER_K * self._scale
            weight = 1.0 if miss <= limit else limit / miss
            keep = 1.0 - self._forget
            self._sxx = keep * self._sxx + weight * dc * dc
            self._sxy = keep * self._sxy + weight * dc * dr
            miss = abs(dr - self.coefficient * dc)
        else:
            miss = abs(dr - beta * dc)
        self._scale = _learn_scale(self._scale, miss, self._learn)
        self._scale_c = _learn_scale(self._scale_c, abs(dc), self._learn)
        return out


def _learn_scale(scale: float, size: float, learn: float) -> float:
    """A running sigma from absolute sizes, clipped so one wild hour cannot set it."""
    size *= _MEAN_ABS_TO_SD
    if math.isnan(scale):
        return max(size, 1e-12)
    return max(scale + learn * (min(size, _CLIP * scale) - scale), 1e-12)
