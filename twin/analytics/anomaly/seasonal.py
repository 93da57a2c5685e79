"""Time-of-day and time-of-week profiles: the residual of a periodic stream.

A residual against a recent level cannot see a regime change in a strongly
periodic series (a holiday in visitor counts, taxi demand, CO2 from
occupancy): the value is ordinary for the level, wrong for the hour. Each
profile keeps an exponentially weighted mean per time bin (a fixed number of
bins: bounded state, learned online from timestamps). Whether the stream is
periodic is decided online too: each model's (level, daily, weekly)
exponentially weighted absolute prediction error is tracked and the seasonal
residual is only used while a seasonal model predicts clearly (10 %) better
than the level.
"""

from __future__ import annotations

import math
from array import array

from twin.analytics.anomaly.likelihood import AnomalyLikelihood

__all__ = ["SeasonalProfile", "SeasonalResidual"]

_DAY = 86400.0
_WEEK = 7.0 * _DAY
# Residuals are winsorised at this many scales before they move the scale.
_CLIP = 3.0
# A seasonal model must predict this much better than the level to be used:
# on plain noise the models' error estimates differ by chance by a few %.
_MARGIN = 0.9


class SeasonalProfile:
    """Mean value per bin of a period (e.g. 48 half-hours of a day), in O(bins) state.

    A bin's first reading sets it; later readings move it by ``alpha`` (or
    ``1 / visits`` while that is larger, so early estimates are plain means).
    """

    __slots__ = ("_alpha", "_bins", "_period", "means", "visits")

    def __init__(self, period: float, bins: int, alpha: float) -> None:
        self._period = period
        self._bins = bins
        self._alpha = alpha
        # Single precision and visits counted only as far as the weight needs
        # (1 / visits stops mattering at 1 / alpha): 5 bytes a bin.
        self.means = array("f", bytes(4 * bins))
        self.visits = array("B", bytes(bins))

    def bin_of(self, ts: float) -> int:
        # Multiply before dividing: readings on the bin grid stay exact.
        return int(ts % self._period * self._bins // self._period) % self._bins

    def predict(self, index: int) -> float:
        """The bin's mean, or NaN if the bin has not been seen yet."""
        return self.means[index] if self.visits[index] else math.nan

    def learn(self, index: int, value: float) -> None:
        visits = self.visits[index]
        if visits < 0xFF:
            visits += 1
            self.visits[index] = visits
        weight = max(self._alpha, 1.0 / visits)
        self.means[index] += weight * (value - self.means[index])


class SeasonalResidual:
    """Surprise of a reading against the best-predicting daily or weekly profile.

    Each profile's absolute residual, in units of ``threshold`` robust scales
    (like the spike evidence), feeds its own :class:`AnomalyLikelihood` at
    every reading, so both stay trained; :meth:`update` returns the surprise
    of the profile that currently predicts best, or 0 while the plain level
    predicts better (the stream is not periodic).
    """

    __slots__ = (
        "_err_alpha",
        "_errors",
        "_likelihoods",
        "_models",
        "_scale_alpha",
        "_scales",
        "_threshold",
    )

    def __init__(
        self,
        threshold: float,
        day_bins: int = 48,
        week_bins: int = 336,
        alpha: float = 0.2,
        scale_alpha: float = 0.01,
        err_alpha: float = 0.01,
    ) -> None:
        self._threshold = threshold
        self._models = (
            SeasonalProfile(_DAY, day_bins, alpha),
            SeasonalProfile(_WEEK, week_bins, alpha),
        )
        self._likelihoods = (AnomalyLikelihood(), AnomalyLikelihood())
        self._scales = [0.0, 0.0]
        self._errors = [0.0, 0.0, 0.0]  # level, daily, weekly
        self._scale_alpha = scale_alpha
        self._err_alpha = err_alpha

    @property
    def periodic(self) -> bool:
        """Whether a seasonal profile currently predicts better than the level."""
        errors = self._errors
        return min(errors[1], errors[2]) < _MARGIN * errors[0]

    def update(self, ts: float, value: float, level: float) -> float:
        errors = self._errors
        a = self._err_alpha
        level_error = abs(value - level)
        errors[0] += a * (level_error - errors[0])
        evidence = [0.0, 0.0]
        for k, model in enumerate(self._models):
            index = model.bin_of(ts)
            predicted = model.predict(index)
            if predicted != predicted:  # unseen bin: no better than the level
                errors[k + 1] += a * (level_error - errors[k + 1])
            else:
                residual = abs(value - predicted)
                scale = self._scales[k]
                if scale > 0.0:
                    evidence[k] = residual / (scale * self._threshold)
                    clipped = min(residual, _CLIP * scale)
                    self._scales[k] = scale + self._scale_alpha * (clipped - scale)
                else:
                    self._scales[k] = residual
                errors[k + 1] += a * (residual - errors[k + 1])
            model.learn(index, value)
        # Both likelihoods learn every reading; only the one in use is judged.
        best = 1 if errors[1] <= errors[2] else 2
        used = errors[best] < _MARGIN * errors[0]
        daily = self._likelihoods[0].update(evidence[0], used and best == 1)
        weekly = self._likelihoods[1].update(evidence[1], used and best == 2)
        return daily if best == 1 else weekly
