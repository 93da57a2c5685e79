"""Cached linear conversions between units, computed once with pint."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

__all__ = ["Linear", "UnitError", "canonical_unit", "conversion"]


class UnitError(ValueError):
    """A unit pint does not know, or two units that do not convert."""


@dataclass(frozen=True, slots=True)
class Linear:
    """``canonical = value * scale + offset``: every unit change we need is affine."""

    scale: float = 1.0
    offset: float = 0.0

    @property
    def identity(self) -> bool:
        return self.scale == 1.0 and self.offset == 0.0

    def __call__(self, value: float) -> float:
        return value * self.scale + self.offset


# Spellings found in venue files and logger exports that pint reads differently
# or not at all. Relative humidity is a percentage to pint.
_ALIASES: dict[str, str] = {
    "%RH": "percent",
    "%rh": "percent",
    "% RH": "percent",
    "RH%": "percent",
    "%": "percent",
    "fraction": "dimensionless",
    "ratio": "dimensionless",
    "1": "dimensionless",
    "°C": "degC",
    "°F": "degF",
    "ºC": "degC",
    "ºF": "degF",
    "C": "degC",
    "F": "degF",
    "lux": "lx",
    "Lux": "lx",
    "LUX": "lx",
    "klux": "klx",
    "people": "count",
    "lxh": "lx*h",
    "lux-hours": "lx*h",
    "lux hours": "lx*h",
    "Klxh": "klx*h",
    "klxh": "klx*h",
    "uW/lm": "microwatt/lumen",
    "µW/lm": "microwatt/lumen",
    "μW/lm": "microwatt/lumen",
}

# Canonical unit per dimension, for sensors whose venue definition names none
# (auto-registered devices): what the platform stores.
_CANONICAL_BY_DIMENSION: dict[str, str] = {
    "[temperature]": "degC",
    "[luminosity] / [length] ** 2": "lx",
    "[length] / [time]": "mm/s",
    "[luminosity] * [time] / [length] ** 2": "lx*h",
}

_lock = threading.Lock()
_registry: Any = None


def _ureg() -> Any:
    # pint takes about half a second to build its registry: only when needed.
    global _registry
    with _lock:
        if _registry is None:
            import pint

            _registry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
        return _registry


def _parse(unit: str) -> Any:
    name = _ALIASES.get(unit.strip(), unit.strip())
    try:
        return _ureg().Unit(name)
    except Exception as exc:  # pint raises several unrelated types
        raise UnitError(f"unknown unit {unit!r}") from exc


@functools.lru_cache(maxsize=1024)
def conversion(source: str, canonical: str) -> Linear:
    """The affine map from ``source`` to ``canonical``; raises :class:`UnitError`."""
    if source == canonical:
        return Linear()
    src, dst = _parse(source), _parse(canonical)
    if src.dimensionality != dst.dimensionality:
        raise UnitError(f"cannot convert {source!r} ({src.dimensionality}) to {canonical!r}")
    q = _ureg().Quantity
    try:
        zero = float(q(0.0, src).to(dst).magnitude)
        one = float(q(1.0, src).to(dst).magnitude)
    except Exception as exc:
        raise UnitError(f"cannot convert {source!r} to {canonical!r}: {exc}") from exc
    return Linear(scale=_snap(one - zero), offset=_snap(zero))


def _snap(x: float) -> float:
    """pint's float arithmetic leaves 5/9 as 0.55555555555554: snap to the simple
    fraction it stands for, so 68 degF stores as 20.0, not 19.99999999999997."""
    f = Fraction(x).limit_denominator(10_000)
    return float(f) if abs(float(f) - x) <= 1e-9 * max(1.0, abs(x)) else x


@functools.lru_cache(maxsize=256)
def canonical_unit(source: str) -> str:
    """The unit the platform stores a quantity of ``source``'s dimension in.

    Dimensionless units (percent, ppm, fraction) have no single canonical
    unit: they stay as declared unless the sensor's definition names one.
    """
    dim = str(_parse(source).dimensionality)
    return _CANONICAL_BY_DIMENSION.get(dim, source)
