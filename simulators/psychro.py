"""Moist-air relations (Magnus saturation pressure, humidity ratio) for floats or arrays."""

from __future__ import annotations

from typing import TypeVar

import numpy as np

__all__ = ["ATM_PA", "humidity_ratio", "relative_humidity", "saturation_pressure"]

ATM_PA = 101_325.0
_EPS = 0.621945  # ratio of molar masses of water vapour and dry air

F = TypeVar("F", float, np.ndarray)


def saturation_pressure(temp_c: F) -> F:
    """Saturation vapour pressure over water in Pa (Alduchov and Eskridge's Magnus form)."""
    return 610.94 * np.exp(17.625 * temp_c / (temp_c + 243.04))  # type: ignore[no-any-return]


def humidity_ratio(temp_c: F, rh_pct: F) -> F:
    """kg of water vapour per kg of dry air at a temperature and relative humidity."""
    pv = rh_pct / 100.0 * saturation_pressure(temp_c)
    return _EPS * pv / (ATM_PA - pv)  # type: ignore[no-any-return]


def relative_humidity(temp_c: F, ratio: F) -> F:
    """Relative humidity in % for a temperature and humidity ratio (not clipped)."""
    pv = ratio * ATM_PA / (_EPS + ratio)
    return 100.0 * pv / saturation_pressure(temp_c)  # type: ignore[no-any-return]
