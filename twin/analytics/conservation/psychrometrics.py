"""Dew point and surface condensation risk.

Magnus form of the saturation vapour pressure over water with the
coefficients of Alduchov & Eskridge (1996), "Improved Magnus form
approximation of saturation vapor pressure", J. Applied Meteorology 35(4),
601-609, eq. 21 (AERK): ``e_s(T) = 6.1094 exp(17.625 T / (T + 243.04))`` hPa,
valid -40 to +50 degC.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from twin.analytics.conservation.errors import InvalidInput

__all__ = [
    "MAGNUS_A",
    "MAGNUS_B_DEGC",
    "MAGNUS_C_HPA",
    "CondensationLevel",
    "CondensationRisk",
    "condensation_risk",
    "dew_point",
    "saturation_vapour_pressure",
]

MAGNUS_A = 17.625
MAGNUS_B_DEGC = 243.04
MAGNUS_C_HPA = 6.1094


def _check_rh(rh_percent: float) -> None:
    if not (0.0 < rh_percent <= 100.0):
        raise InvalidInput(f"relative humidity must be in (0, 100] %, got {rh_percent!r}")


def _check_t(t_c: float) -> None:
    if not math.isfinite(t_c) or t_c <= -MAGNUS_B_DEGC:
        raise InvalidInput(f"temperature must be finite and above -243 degC, got {t_c!r}")


def saturation_vapour_pressure(t_c: float) -> float:
    """Saturation vapour pressure over water in hPa (Alduchov & Eskridge 1996, eq. 21)."""
    _check_t(t_c)
    return MAGNUS_C_HPA * math.exp(MAGNUS_A * t_c / (t_c + MAGNUS_B_DEGC))


def dew_point(t_c: float, rh_percent: float) -> float:
    """Dew point in degC from air temperature (degC) and RH (%).

    Inverts the Magnus form: ``g = ln(RH/100) + a T / (b + T)``,
    ``T_d = b g / (a - g)`` (Alduchov & Eskridge 1996, eq. 21 coefficients).
    """
    _check_t(t_c)
    _check_rh(rh_percent)
    g = math.log(rh_percent / 100.0) + MAGNUS_A * t_c / (MAGNUS_B_DEGC + t_c)
    return MAGNUS_B_DEGC * g / (MAGNUS_A - g)


class CondensationLevel(enum.StrEnum):
    """How close a surface is to its dew point."""

    NONE = "none"
    WARNING = "warning"
    CONDENSING = "condensing"


@dataclass(frozen=True, slots=True)
class CondensationRisk:
    """Dew point of the air and the margin of a surface above it (K)."""

    dew_point_c: float
    margin_k: float
    surface_rh_percent: float
    level: CondensationLevel


def condensation_risk(
    air_t_c: float, rh_percent: float, surface_t_c: float, warning_margin_k: float = 2.0
) -> CondensationRisk:
    """Condensation risk of a surface at ``surface_t_c`` in air at (T, RH).

    Water condenses on a surface at or below the air's dew point. The RH the
    air would have if cooled to the surface temperature is
    ``100 e / e_s(T_surface)`` (same Magnus form); a margin below
    ``warning_margin_k`` (default 2 K, a common sensor-uncertainty allowance,
    our choice) raises a warning.
    """
    if warning_margin_k < 0:
        raise InvalidInput("warning_margin_k must be >= 0")
    td = dew_point(air_t_c, rh_percent)
    e = rh_percent / 100.0 * saturation_vapour_pressure(air_t_c)
    surface_rh = min(100.0, 100.0 * e / saturation_vapour_pressure(surface_t_c))
    margin = surface_t_c - td
    if margin <= 0.0:
        level = CondensationLevel.CONDENSING
    elif margin < warning_margin_k:
        level = CondensationLevel.WARNING
    else:
        level = CondensationLevel.NONE
    return CondensationRisk(td, margin, surface_rh, level)
