"""What each column of an export holds: time, date, an index, or a channel with its unit."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "Channel",
    "ColumnPlan",
    "header_zone",
    "number_and_unit",
    "plan_columns",
    "unit_from_text",
]

_TIME_NAMES = re.compile(r"(date|time|timestamp|datum|zeit|fecha|heure|日期|时间|時間)", re.I)
_DATE_ONLY = re.compile(r"^\W*(date|datum|fecha|日期)\W*$", re.I)
_TIME_ONLY = re.compile(r"^\W*(time|zeit|heure|hora|时间|時間)\W*$", re.I)
_EPOCH_NAMES = re.compile(r"^\W*(unix\s*time|unixtime|epoch|posix)", re.I)
_INDEX_NAMES = re.compile(
    r"^\W*(no|nr|#|index|idx|record|recnbr|rec|sample|point|s/n|id)\W*$", re.I
)
# "Temperature (°C)", "RH [%]", "Light {klx}"
_BRACKETED = re.compile(r"^(.*?)[\s_-]*[\(\[\{]\s*([^\)\]\}]+?)\s*[\)\]\}]\s*$")
# A unit written last: "Temperature °C", "Temp degF", "RH %", "Lux klx"
_TRAILING = re.compile(
    r"^(.*?)[\s_-]*(°\s?[CF]|º\s?[CF]|deg\s?[CF]|%\s?RH|%rh|RH%|%|ppm|klx|kilolux|lux|lx|"
    r"klxh|lxh|lx\s?h|lux[\s-]?hours?|mm/s|µW/lm|uW/lm)\s*$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Channel:
    column: int
    name: str  # header text without the unit
    unit: str | None  # as written in the export


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    stamp: int | None  # date-time (or date) column
    time: int | None  # separate time-of-day column
    epoch: int | None  # epoch seconds column (preferred: no zone to guess)
    channels: list[Channel]


def _normalise_unit(u: str) -> str:
    u = u.strip().replace("º", "°").replace("Â°", "°")
    compact = u.replace(" ", "")
    low = compact.lower()
    table = {
        "°c": "degC", "degc": "degC", "c": "degC", "°f": "degF", "degf": "degF", "f": "degF",
        "%rh": "%RH", "rh%": "%RH", "%": "%", "ppm": "ppm", "lx": "lx", "lux": "lx",
        "klx": "klx", "kilolux": "klx", "lxh": "lx*h", "luxhours": "lx*h", "lux-hours": "lx*h",
        "luxhour": "lx*h", "klxh": "klx*h", "µw/lm": "uW/lm", "uw/lm": "uW/lm", "mm/s": "mm/s",
    }  # fmt: skip
    return table.get(low, compact)


def _plausible_unit(u: str) -> bool:
    """Short and unit-like: ``°C``, ``%RH``, ``klx``; not ``LGR S/N: 10234567``."""
    return 0 < len(u) <= 12 and not re.search(r"\d{3,}|:", u)


def unit_from_text(text: str) -> tuple[str, str | None]:
    """``"Gallery 2 Temperature (°C)"`` -> ``("Gallery 2 Temperature", "degC")``.

    Brackets that hold something other than a unit (a serial number) are
    dropped and the unit looked for before them (``"Temp, °C (LGR S/N: 1)"``).
    Units pint does not know are kept as written (reported by the importer).
    """
    t = text.strip()
    for _ in range(3):
        m = _BRACKETED.match(t)
        if not (m and m.group(2)):
            break
        if _plausible_unit(m.group(2)):
            return m.group(1).strip(" ,;") or t, _normalise_unit(m.group(2))
        t = m.group(1).strip()
    m = _TRAILING.match(t)
    if m and m.group(1).strip(" ,;"):
        return m.group(1).strip(" ,;"), _normalise_unit(m.group(2))
    return t, None


def header_zone(text: str) -> str | None:
    """A fixed UTC offset a time column's header declares (``Date Time, GMT+01:00``)."""
    m = _HEADER_ZONE.search(text)
    if m is None:
        return None
    sign, hh, mm = m.group(2) or "+", m.group(3) or "0", m.group(4) or "0"
    if int(hh) == 0 and int(mm) == 0:
        return "UTC"
    return f"UTC{sign}{int(hh):02d}:{int(mm):02d}"


_HEADER_ZONE = re.compile(r"\b(GMT|UTC)\s*(?:([+-])\s*(\d{1,2})(?::?(\d{2}))?)?\b", re.I)
_NUM_UNIT = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*([^\d\s].{0,11})?\s*$")


def number_and_unit(cell: str) -> tuple[float, str | None] | None:
    """``"20.57 °C"`` -> ``(20.57, "°C")``: loggers that write the unit in every cell."""
    m = _NUM_UNIT.match(cell)
    if m is None:
        return None
    return float(m.group(1).replace(",", ".")), m.group(2)


def plan_columns(header: Sequence[str], sample_rows: Sequence[Sequence[str]]) -> ColumnPlan:
    """Assign roles from header names, checked against the first data rows."""
    ncols = max((len(r) for r in sample_rows), default=len(header))
    names = list(header) + [f"column {i + 1}" for i in range(len(header), ncols)]
    stamp = time = epoch = None
    channels: list[Channel] = []
    for i, name in enumerate(names[:ncols]):
        col = [r[i].strip() for r in sample_rows if i < len(r)]
        if _EPOCH_NAMES.match(name) and all(re.fullmatch(r"\d{9,10}(\.\d+)?", v) for v in col if v):
            epoch = i
            continue
        if stamp is None and (_TIME_NAMES.search(name) or not header) and _looks_like_date(col):
            stamp = i
            continue
        if stamp is not None and time is None and _TIME_ONLY.match(name):
            time = i
            continue
        # Without a header, a column counting 1, 2, 3 is the record number.
        unnamed = i >= len(header) or not header[i].strip()
        if _INDEX_NAMES.match(name) or _DATE_ONLY.match(name) or (unnamed and _is_counter(col)):
            continue
        if not _mostly_numbers(col):
            continue  # text columns: alarms, flags, comments
        label, unit = unit_from_text(name)
        if unit is None:
            unit = _unit_in_cells(col)
        channels.append(Channel(i, label, unit))
    if stamp is None and epoch is None:
        for i in range(ncols):
            if _looks_like_date([r[i] for r in sample_rows if i < len(r)]):
                stamp = i
                channels = [c for c in channels if c.column != i]
                break
    if stamp is None and epoch is None:
        raise ValueError("no time stamp column found; give --time-col")
    return ColumnPlan(stamp, time, epoch, channels)


_DATEISH = re.compile(r"^\s*(\d{1,4}[-/. ]\w{1,9}\.?[-/. ,]+\d{1,4}|[A-Za-z]{3,9}\.? \d{1,2})")


def _looks_like_date(col: Sequence[str]) -> bool:
    vals = [v for v in col if v.strip()]
    return bool(vals) and sum(bool(_DATEISH.match(v)) for v in vals) >= 0.8 * len(vals)


def _mostly_numbers(col: Sequence[str]) -> bool:
    vals = [v.strip() for v in col if v.strip()]
    if not vals:
        return True  # a channel that is blank at the start still is one
    good = sum(number_and_unit(v) is not None for v in vals)
    return good >= 0.5 * len(vals)


def _is_counter(col: Sequence[str]) -> bool:
    """A record number column (1, 2, 3, ...) rather than a measurement."""
    vals = [v.strip() for v in col if v.strip()]
    if len(vals) < 3 or not all(v.isdigit() for v in vals):
        return False
    nums = [int(v) for v in vals]
    return all(b - a == 1 for a, b in itertools.pairwise(nums))


def _unit_in_cells(col: Sequence[str]) -> str | None:
    units = [u for v in col if (nu := number_and_unit(v)) is not None and (u := nu[1])]
    if not units:
        return None
    common = max(set(units), key=units.count)
    return _normalise_unit(common) if _plausible_unit(common.strip()) else None
