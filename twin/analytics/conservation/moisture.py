"""Equilibrium moisture content of wood, with mechanical-damage and corrosion bands.

EMC: the Hailwood-Horrobin sorption isotherm fitted to wood, as given in the
USDA Wood Handbook (FPL-GTR-190, 2010, and FPL-GTR-282, 2021), Chapter 4,
eq. 4-5, T in degC, h = RH / 100:

    M = 1800/W * [ K h / (1 - K h)
                   + (K1 K h + 2 K1 K2 K^2 h^2) / (1 + K1 K h + K1 K2 K^2 h^2) ]
    W  = 349 + 1.29 T + 0.0135 T^2
    K  = 0.805 + 0.000736 T - 0.00000273 T^2
    K1 = 6.27 - 0.00938 T - 0.000303 T^2
    K2 = 1.91 + 0.0407 T - 0.000293 T^2

Damage bands on EMC are those of the Image Permanence Institute,
"IPI's Guide to Sustainable Preservation Practices for Managing Storage
Environments" (2012), environmental risk table: mechanical damage OK for
5 <= EMC <= 12.5 %, otherwise risk; metal corrosion good below 7.0 %, OK
from 7.0 to 10.5 %, risk at 10.5 % and above.

Atmospheric corrosion of metals: ISO 9223:1992 "Corrosion of metals and
alloys - Corrosivity of atmospheres - Classification", clause 3 and Table 1:
time of wetness (TOW) is the time with RH > 80 % at T > 0 degC, classed
tau1 <= 10 h/a, tau2 10-250, tau3 250-2500, tau4 2500-5500, tau5 > 5500 h/a.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from twin.analytics.conservation.errors import InvalidInput

__all__ = [
    "CorrosionBand",
    "MechanicalBand",
    "MechanicalDamage",
    "TimeOfWetness",
    "TowCategory",
    "equilibrium_moisture_content",
    "mechanical_damage",
    "metal_corrosion_band",
    "tow_category",
]


def equilibrium_moisture_content(t_c: float, rh_percent: float) -> float:
    """Wood EMC in % of dry mass (Wood Handbook eq. 4-5, Hailwood-Horrobin)."""
    if not (math.isfinite(t_c) and 0.0 <= rh_percent < 100.0):
        raise InvalidInput(f"need finite T and 0 <= RH < 100, got T={t_c}, RH={rh_percent}")
    h = rh_percent / 100.0
    w = 349.0 + 1.29 * t_c + 0.0135 * t_c**2
    k = 0.805 + 0.000736 * t_c - 0.00000273 * t_c**2
    k1 = 6.27 - 0.00938 * t_c - 0.000303 * t_c**2
    k2 = 1.91 + 0.0407 * t_c - 0.000293 * t_c**2
    kh = k * h
    return (
        1800.0
        / w
        * (kh / (1.0 - kh) + (k1 * kh + 2.0 * k1 * k2 * kh**2) / (1.0 + k1 * kh + k1 * k2 * kh**2))
    )


class MechanicalBand(enum.StrEnum):
    OK = "ok"
    RISK_DRY = "risk_dry"
    RISK_DAMP = "risk_damp"


@dataclass(frozen=True, slots=True)
class MechanicalDamage:
    """EMC now, its swing from a reference climate, and the IPI band."""

    emc_percent: float
    emc_swing_percent: float | None
    band: MechanicalBand


def mechanical_damage(
    t_c: float, rh_percent: float, reference: tuple[float, float] | None = None
) -> MechanicalDamage:
    """IPI mechanical-damage band of the EMC at (T, RH).

    ``reference`` is the (T, RH) the object is acclimatised to, usually the
    30-day moving average; the swing is EMC(now) - EMC(reference), the
    moisture the wood must take up or lose, which is what drives strain from
    an RH fluctuation. The band is the IPI absolute band; the swing is
    reported for the caller's own limit (no single published swing limit
    fits all wooden objects).
    """
    emc = equilibrium_moisture_content(t_c, rh_percent)
    swing = None if reference is None else emc - equilibrium_moisture_content(*reference)
    if emc < 5.0:
        band = MechanicalBand.RISK_DRY
    elif emc > 12.5:
        band = MechanicalBand.RISK_DAMP
    else:
        band = MechanicalBand.OK
    return MechanicalDamage(emc, swing, band)


class CorrosionBand(enum.StrEnum):
    GOOD = "good"
    OK = "ok"
    RISK = "risk"


def metal_corrosion_band(t_c: float, rh_percent: float) -> CorrosionBand:
    """IPI metal-corrosion band from the EMC at (T, RH)."""
    emc = equilibrium_moisture_content(t_c, rh_percent)
    if emc < 7.0:
        return CorrosionBand.GOOD
    if emc < 10.5:
        return CorrosionBand.OK
    return CorrosionBand.RISK


class TowCategory(enum.StrEnum):
    """ISO 9223:1992 Table 1 time-of-wetness categories."""

    TAU1 = "tau1"
    TAU2 = "tau2"
    TAU3 = "tau3"
    TAU4 = "tau4"
    TAU5 = "tau5"


def tow_category(hours_per_year: float) -> TowCategory:
    """ISO 9223:1992 Table 1 category of an annual time of wetness (h/a)."""
    if hours_per_year < 0:
        raise InvalidInput("time of wetness cannot be negative")
    for limit, cat in (
        (10.0, TowCategory.TAU1),
        (250.0, TowCategory.TAU2),
        (2500.0, TowCategory.TAU3),
        (5500.0, TowCategory.TAU4),
    ):
        if hours_per_year <= limit:
            return cat
    return TowCategory.TAU5


class TimeOfWetness:
    """Streaming ISO 9223 time of wetness; O(1) state.

    Each reading's wetness holds until the next reading; intervals longer
    than ``max_gap_s`` are not counted. The annual rate extrapolates the wet
    share of the observed time to 8760 h.
    """

    def __init__(self, max_gap_s: float = 3600.0) -> None:
        if max_gap_s <= 0:
            raise InvalidInput("max_gap_s must be > 0")
        self.max_gap_s = max_gap_s
        self._last: tuple[float, bool] | None = None
        self.wet_s = 0.0
        self.observed_s = 0.0

    @staticmethod
    def is_wet(t_c: float, rh_percent: float) -> bool:
        return rh_percent > 80.0 and t_c > 0.0

    def update(self, ts: float, t_c: float, rh_percent: float) -> None:
        wet = self.is_wet(t_c, rh_percent)
        if self._last is not None:
            t0, wet0 = self._last
            if ts <= t0:
                return
            dt = ts - t0
            if dt <= self.max_gap_s:
                self.observed_s += dt
                if wet0:
                    self.wet_s += dt
        self._last = (ts, wet)

    @property
    def hours_per_year(self) -> float | None:
        if self.observed_s == 0.0:
            return None
        return 8760.0 * self.wet_s / self.observed_s

    @property
    def category(self) -> TowCategory | None:
        rate = self.hours_per_year
        return None if rate is None else tow_category(rate)
