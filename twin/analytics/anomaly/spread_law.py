"""A stream's own mean-spread law (Taylor's power law), learnt online.

Overdispersed counts spread more when they are high: ``spread ~ a * mean ** b``
(Taylor 1961; ``b`` about 0.5 for Poisson counts, 0 for a stream whose noise does
not follow its level). The residual scales are EWMAs over about 100 and 500
readings, so on a daily cycle they lag the spread and the busy hours' ``|z|``
gets a heavy tail (issue 14, eleventh NAB session). :class:`SpreadLaw` fits
``b`` per reading as Taylor's log-log regression (``log |residual|`` on
``log prediction``; forecast's Guerrero method is the same law, ``b = 1 -
lambda``) with EWMA moments, and gives the factor ``(p / m) ** b`` by which a
scale learnt around level ``m`` (the geometric mean of the predictions at the
scale's own rate) becomes the spread at the current prediction ``p``.

Half of ``b`` is used (``_B_SHARE``). ``b`` is 0 (the factor 1, today's
product) until the fit is clear: enough readings, a level that varies, a slope
many standard errors above 0, and no negative value seen (a power law needs a
positive mean). O(1): ten floats.
"""

from __future__ import annotations

import math

__all__ = ["SpreadLaw"]

# EWMA weight of the fit's moments: about 2,000 readings (a week of 5-minute data).
_FIT_ALPHA = 0.001
# Readings before the fit is used (the moments are plain means until 1 / alpha).
_FIT_MIN = 500
# The level must vary this much (sd of log prediction) for a slope to mean anything.
_MIN_LOG_SD = 0.1
# The slope must be this many standard errors above 0.
_T_MIN = 4.0
# log |residual| is winsorised this far from its mean (Gaussian: sd about 1.1).
_Y_CLIP = 4.0
# Taylor's exponents for the spread lie in [0, 1] (variance exponents 1-2 for counts).
_B_MAX = 1.0
# Half the fitted exponent is used: a residual's spread is the noise's and the
# predictors' misfit, and the whole fitted law lost 4.4 points on NAB in-sample
# (issue 14, twenty-fifth NAB session: 0.5 and 1 looked at).
_B_SHARE = 0.5
# The factor is bounded so a prediction near 0 cannot make a scale vanish or explode.
_F_MIN, _F_MAX = 0.25, 4.0


class SpreadLaw:
    """Taylor's exponent of one stream and the scale factor it implies."""

    __slots__ = (
        "_mean",
        "_mean_slow",
        "_n",
        "_positive",
        "_sx",
        "_sxx",
        "_sxy",
        "_sy",
        "_syy",
        "b",
    )

    def __init__(self) -> None:
        self._n = 0
        self._sx = self._sy = self._sxx = self._sxy = self._syy = 0.0
        self._mean = self._mean_slow = 0.0  # log prediction at the scales' rates
        self._positive = True
        self.b = 0.0

    def factors(self, prediction: float, floor: float) -> tuple[float, float]:
        """The fast and slow scales' factors at ``prediction`` (1, 1 while ``b`` is 0)."""
        b = self.b * _B_SHARE
        if b == 0.0:
            return 1.0, 1.0
        x = math.log(prediction if prediction > floor else floor)
        return _bounded(math.exp(b * (x - self._mean))), _bounded(
            math.exp(b * (x - self._mean_slow))
        )

    def learn(
        self,
        value: float,
        prediction: float,
        residual: float,
        floor: float,
        scale_weight: float,
        slow_weight: float,
    ) -> None:
        """Learn from a reading's prediction and residual; the weights are the scales'."""
        if value < 0.0:
            self._positive = False  # not a positive stream: no power law, for good
            self.b = 0.0
        if not self._positive:
            return
        # log of 0 is undefined: predictions and residuals below the resolution floor count as it.
        x = math.log(prediction if prediction > floor else floor)
        a = abs(residual)
        y = math.log(a if a > floor else floor)
        n = self._n + 1
        if n > 1:  # log |r| has a long left tail (a residual near 0): winsorised
            my = self._sy
            y = my - _Y_CLIP if y < my - _Y_CLIP else (my + _Y_CLIP if y > my + _Y_CLIP else y)
        self._n = n
        if n == 1:
            self._mean = self._mean_slow = x
        else:
            self._mean += scale_weight * (x - self._mean)
            self._mean_slow += slow_weight * (x - self._mean_slow)
        w = 1.0 / n if n * _FIT_ALPHA < 1.0 else _FIT_ALPHA
        self._sx += w * (x - self._sx)
        self._sy += w * (y - self._sy)
        self._sxx += w * (x * x - self._sxx)
        self._sxy += w * (x * y - self._sxy)
        self._syy += w * (y * y - self._syy)
        self.b = self._fit(n)

    def _fit(self, n: int) -> float:
        if n < _FIT_MIN:
            return 0.0
        mx, my = self._sx, self._sy
        vxx = self._sxx - mx * mx
        if vxx < _MIN_LOG_SD * _MIN_LOG_SD:
            return 0.0
        cxy = self._sxy - mx * my
        slope = cxy / vxx
        if slope <= 0.0:
            return 0.0
        # An EWMA at weight a holds about (2 - a) / a independent readings.
        n_eff = min(float(n), (2.0 - _FIT_ALPHA) / _FIT_ALPHA)
        resid = self._syy - my * my - slope * cxy
        se = math.sqrt((resid if resid > 0.0 else 0.0) / (vxx * n_eff))
        if slope < _T_MIN * se:
            return 0.0
        return slope if slope < _B_MAX else _B_MAX


def _bounded(f: float) -> float:
    return _F_MIN if f < _F_MIN else (_F_MAX if f > _F_MAX else f)
