"""Presets for logger exports: what differs between makers' software.

The reader finds separators, preambles, headers, time columns and units by
the data itself, so a preset only settles what the data cannot: whether
``03/04/2025`` is day-first, and the date format when the maker fixes one.
Presets follow each maker's published export description as we read it (see
``docs/import.md``); ``generic`` takes everything from options.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PRESETS", "Preset"]


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    description: str
    dayfirst: bool = True
    date_format: str | None = None


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("generic", "any time stamp + value(s) CSV; options decide", dayfirst=True),
        Preset(
            "hanwell",
            "Hanwell EMS/RadioLog exports: one file per point, unit in the point name, "
            "UK day-first dates",
        ),
        Preset(
            "tinytag",
            "Tinytag Explorer exports: preamble with logger details, day-first dates; "
            "the time column may carry the date",
        ),
        Preset("meaco", "Meaco Meacom exports: day-first dates, separate date and time columns"),
        Preset(
            "rotronic",
            "Rotronic HW4 / RMS exports: day-first dates; ';' and a decimal comma "
            "on European systems",
        ),
        Preset(
            "tandd",
            "T&D (TR-7, TR-72) CSV: year-first dates and a Unixtime column, used when present",
            dayfirst=False,
            date_format="%Y/%m/%d",
        ),
        Preset("us", "month-first dates (US locale exports of any maker)", dayfirst=False),
    )
}
