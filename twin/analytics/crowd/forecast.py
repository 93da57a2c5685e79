"""Short-horizon occupancy forecasts: Holt-Winters and seasonal naive.

Additive Holt-Winters with a damped trend (Winters, P. R. (1960)
"Forecasting sales by exponentially weighted moving averages", Management
Science 6(3), 324-342; damping from Gardner, E. S. and McKenzie, E. (1985)
"Forecasting trends in time series", Management Science 31(10), 1237-1246),
in the component form of Hyndman, R. J. and Athanasopoulos, G.,
"Forecasting: Principles and Practice", 3rd ed. (2021), section 8.3:

    l_t = alpha (y_t - s_{t-m}) + (1 - alpha)(l_{t-1} + phi b_{t-1})
    b_t = beta (l_t - l_{t-1}) + (1 - beta) phi b_{t-1}
    s_t = gamma (y_t - l_{t-1} - phi b_{t-1}) + (1 - gamma) s_{t-m}
    yhat_{t+h|t} = l_t + (phi + ... + phi^h) b_t + s_{t+h-m(k+1)},  k = floor((h-1)/m)

The season is one day of intervals (m = 288 at 5 min). State is bounded:
level, trend, m seasonal values, and 2m values buffered for initialisation
(level = mean of the first season, trend = difference of the first two
seasons' means / m, seasonal = first season minus its mean). Forecasts are
clipped at zero: occupancy cannot be negative.

The seasonal-naive forecast (yhat_{t+h} = y_{t+h-m}) is the baseline that
``bench/crowd_forecast.py`` compares against.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from twin.analytics.crowd.errors import InvalidInput

__all__ = ["HoltWinters", "HoltWintersParams", "SeasonalNaive", "fit_holt_winters"]


@dataclass(frozen=True, slots=True)
class HoltWintersParams:
    alpha: float = 0.3
    beta: float = 0.01
    gamma: float = 0.2
    phi: float = 0.9

    def __post_init__(self) -> None:
        for name in ("alpha", "beta", "gamma"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise InvalidInput(f"{name} must be within [0, 1]")
        if not 0.0 < self.phi <= 1.0:
            raise InvalidInput("phi must be within (0, 1]")


class HoltWinters:
    """Streaming additive damped Holt-Winters forecaster for one zone."""

    def __init__(self, period: int, params: HoltWintersParams | None = None) -> None:
        if period < 2:
            raise InvalidInput("period must be >= 2")
        self.period = period
        self.params = params or HoltWintersParams()
        self._init: list[float] | None = []
        self.level = 0.0
        self.trend = 0.0
        self.season = np.zeros(period, dtype=np.float64)
        self._t = 0  # observations absorbed after initialisation

    @property
    def ready(self) -> bool:
        return self._init is None

    def update(self, y: float) -> float | None:
        """Absorb one observation; returns the one-step error (None while initialising)."""
        if not math.isfinite(y):
            raise InvalidInput("observation must be finite")
        if self._init is not None:
            self._init.append(y)
            if len(self._init) == 2 * self.period:
                buffered, self._init = self._init, None
                self._initialise(buffered)
            return None
        p = self.params
        m = self.period
        i = self._t % m
        s_old = float(self.season[i])
        base = self.level + p.phi * self.trend
        err = y - (base + s_old)
        level = p.alpha * (y - s_old) + (1.0 - p.alpha) * base
        self.trend = p.beta * (level - self.level) + (1.0 - p.beta) * p.phi * self.trend
        self.season[i] = p.gamma * (y - base) + (1.0 - p.gamma) * s_old
        self.level = level
        self._t += 1
        return err

    def _initialise(self, ys: Sequence[float]) -> None:
        m = self.period
        first = np.asarray(ys[:m], dtype=np.float64)
        second = np.asarray(ys[m:], dtype=np.float64)
        self.level = float(first.mean())
        self.trend = float((second.mean() - first.mean()) / m)
        self.season = first - first.mean()
        # Run the recursions over the second season so the state is at its end.
        for y in second:
            self.update(float(y))

    def forecast(self, steps: int) -> npt.NDArray[np.float64]:
        """Forecasts for 1..steps intervals ahead, ``(steps,) float``, clipped at 0."""
        if not self.ready:
            raise InvalidInput("forecaster needs two full seasons of observations first")
        if steps < 1:
            raise InvalidInput("steps must be >= 1")
        phi = self.params.phi
        h = np.arange(1, steps + 1)
        damp = h.astype(np.float64) if phi == 1.0 else phi * (1.0 - phi**h) / (1.0 - phi)
        idx = (self._t + h - 1) % self.period
        out = self.level + damp * self.trend + self.season[idx]
        return np.clip(out, 0.0, None)


class SeasonalNaive:
    """Forecast = the value one season earlier; bounded ring of one season."""

    def __init__(self, period: int) -> None:
        if period < 1:
            raise InvalidInput("period must be >= 1")
        self.period = period
        self._ring: deque[float] = deque(maxlen=period)

    @property
    def ready(self) -> bool:
        return len(self._ring) == self.period

    def update(self, y: float) -> None:
        self._ring.append(y)

    def forecast(self, steps: int) -> npt.NDArray[np.float64]:
        if not self.ready:
            raise InvalidInput("seasonal naive needs one full season first")
        if not 1 <= steps <= self.period:
            raise InvalidInput("steps must be within 1..period")
        return np.asarray(list(self._ring)[:steps], dtype=np.float64)


def _sse(params: npt.NDArray[np.float64], y: npt.NDArray[np.float64], period: int) -> float:
    a, b, g, phi = (float(v) for v in params)
    hw = HoltWinters(period, HoltWintersParams(a, b, g, phi))
    total = 0.0
    for v in y:
        e = hw.update(float(v))
        if e is not None:
            total += e * e
    return total


def fit_holt_winters(history: npt.ArrayLike, period: int) -> HoltWintersParams:
    """Parameters minimising the one-step squared error on ``history`` (needs scipy).

    Shape: ``history`` is ``(n,)`` with n >= 3 periods.
    """
    from scipy.optimize import minimize  # optional extra "analytics"

    y = np.asarray(history, dtype=np.float64)
    if y.ndim != 1 or y.size < 3 * period:
        raise InvalidInput("need at least three seasons of history")
    res = minimize(
        _sse,
        x0=np.array([0.3, 0.01, 0.2, 0.9]),
        args=(y, period),
        method="L-BFGS-B",
        bounds=[(0.0, 1.0), (0.0, 0.2), (0.0, 1.0), (0.8, 1.0)],
        options={"maxiter": 60},
    )
    a, b, g, phi = (float(v) for v in res.x)
    return HoltWintersParams(a, b, g, phi)
