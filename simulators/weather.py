"""An outdoor weather series with a daily cycle: temperature, humidity, daylight."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simulators.psychro import humidity_ratio, relative_humidity

__all__ = ["Weather", "WeatherParams", "WeatherState"]


@dataclass(frozen=True, slots=True)
class WeatherParams:
    mean_temp_c: float = 12.0
    daily_amplitude_c: float = 5.0
    warmest_hour: float = 15.0
    mean_rh_pct: float = 70.0
    noise_temp_c: float = 1.0
    noise_tau_h: float = 6.0
    clear_sky_lux: float = 100_000.0
    sunrise_h: float = 6.5
    sunset_h: float = 19.0


@dataclass(frozen=True, slots=True)
class WeatherState:
    temp_c: float
    rh_pct: float
    humidity_ratio: float
    daylight_lux: float
    co2_ppm: float


class Weather:
    """Sine daily cycle plus slow AR(1) weather noise and cloud cover.

    Absolute humidity stays near constant over a day while temperature swings,
    so relative humidity falls in the afternoon as it does outdoors.
    """

    def __init__(self, rng: np.random.Generator, params: WeatherParams | None = None) -> None:
        self.params = params or WeatherParams()
        self._rng = rng
        self._temp_noise = 0.0
        self._cloud = 0.3
        p = self.params
        self._dew_ratio = humidity_ratio(p.mean_temp_c - 2.0, p.mean_rh_pct)

    def step(self, dt_s: float, local_hour: float) -> WeatherState:
        p = self.params
        a = math.exp(-dt_s / (p.noise_tau_h * 3600.0))
        sd = math.sqrt(max(0.0, 1.0 - a * a))
        self._temp_noise = a * self._temp_noise + p.noise_temp_c * sd * float(
            self._rng.standard_normal()
        )
        self._cloud = float(
            np.clip(a * self._cloud + (1 - a) * 0.3 + 0.3 * sd * self._rng.standard_normal(), 0, 1)
        )
        phase = 2.0 * math.pi * (local_hour - p.warmest_hour) / 24.0
        temp = p.mean_temp_c + p.daily_amplitude_c * math.cos(phase) + self._temp_noise
        ratio = self._dew_ratio * (1.0 + 0.1 * self._cloud)
        rh = min(100.0, relative_humidity(temp, ratio))
        ratio = min(ratio, humidity_ratio(temp, 100.0))
        lux = 0.0
        if p.sunrise_h < local_hour < p.sunset_h:
            sun = math.sin(math.pi * (local_hour - p.sunrise_h) / (p.sunset_h - p.sunrise_h))
            lux = p.clear_sky_lux * sun * (1.0 - 0.75 * self._cloud)
        return WeatherState(temp, rh, ratio, lux, 420.0)
