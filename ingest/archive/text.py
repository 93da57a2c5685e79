"""Logger exports as text: encoding, separator, preamble and header.

Loggers' software writes CSV for spreadsheets: a byte-order mark or none,
UTF-8 or a Windows code page (a Latin-1 degree sign), ``,`` or ``;`` (with a
decimal comma) or tab, and a preamble of 3 to 12 lines (logger name, serial,
start time, ...) before the header. The header is found by the data, not by
vendor strings: it is the line just above the first run of lines that share
the file's usual field count and start with a time stamp.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections import Counter
from dataclasses import dataclass

__all__ = ["Layout", "decode", "find_layout", "split_line"]

_DELIMITERS = (",", ";", "\t")
# A date or a date-time at the start of a field: 2025-11-21, 21/11/2025, 21.11.25,
# 21/Nov/2025, 21 Nov 2025, 11/21/2025 2:30 PM, or epoch seconds.
_STAMP = re.compile(
    r"^\s*\"?\s*(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/. ]\d{1,2}[-/. ]\d{2,4}"
    r"|\d{1,2}[-/. ][A-Za-z]{3,9}\.?[-/. ]\d{2,4}|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}"
    r"|\d{9,10}(\.\d+)?\b)"
)
_RUN = 3  # lines that must agree before data is believed to start


@dataclass(frozen=True, slots=True)
class Layout:
    delimiter: str
    decimal: str  # "." or ","
    header_line: int | None  # 0-based index into lines; None if there is no header
    first_data_line: int
    header: list[str]
    preamble: list[str]


def decode(raw: bytes) -> str:
    """Bytes to text: BOMs honoured, UTF-8 if valid, else Windows-1252 (a Latin-1 superset)."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if raw.startswith(bom):
            return raw[len(bom) :].decode(enc, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def split_line(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _field_count(lines: list[str], delimiter: str) -> tuple[int, float]:
    counts = Counter(len(split_line(x, delimiter)) for x in lines)
    n, hits = counts.most_common(1)[0]
    return n, hits / max(1, len(lines))


def find_layout(lines: list[str], *, delimiter: str | None = None) -> Layout:
    """Separator, decimal mark, header and where data starts. Raises ValueError."""
    # The usual field count is judged on the last lines (past any preamble).
    tail = [x for x in lines[-400:] if x.strip()][-200:]
    if not tail:
        raise ValueError("the file is empty")
    if delimiter is None:
        best: tuple[float, int, str] | None = None
        for d in _DELIMITERS:
            n, share = _field_count(tail, d)
            if n >= 2 and (best is None or (share, n) > (best[0], best[1])):
                best = (share, n, d)
        if best is None:
            raise ValueError("no separator found: need at least a time and a value per line")
        delimiter = best[2]
    ncols, _ = _field_count(tail, delimiter)
    start = None
    for i, line in enumerate(lines):
        if _is_data(line, delimiter, ncols) and all(
            _is_data(x, delimiter, ncols) for x in lines[i + 1 : i + _RUN] if x.strip()
        ):
            start = i
            break
    if start is None:
        raise ValueError(f"no run of {_RUN} data lines with {ncols} fields starting with a time")
    header_line = None
    for j in range(start - 1, -1, -1):
        if lines[j].strip():
            fields = split_line(lines[j], delimiter)
            # A header names every column; a shorter line is preamble ("Logger,TG-4").
            if len(fields) == ncols and not _is_data(lines[j], delimiter, len(fields)):
                header_line = j
            break
    header = split_line(lines[header_line], delimiter) if header_line is not None else []
    header = [h.strip().strip("\ufeff").strip() for h in header]
    if header_line is not None and _units_row(header):
        # Names on one line, units on the next (T&D, Campbell): join them.
        above = next((j for j in range(header_line - 1, -1, -1) if lines[j].strip()), None)
        names = split_line(lines[above], delimiter) if above is not None else []
        if len(names) == len(header):
            header = [
                f"{n.strip()} ({u})" if u else n.strip() for n, u in zip(names, header, strict=True)
            ]
            header_line = above
    end = header_line if header_line is not None else start
    preamble = [x for x in lines[:end] if x.strip()]
    decimal = (
        "," if delimiter != "," and _decimal_comma(lines[start : start + 50], delimiter) else "."
    )
    return Layout(delimiter, decimal, header_line, start, header, preamble)


def _is_data(line: str, delimiter: str, ncols: int) -> bool:
    if not line.strip():
        return False
    fields = split_line(line, delimiter)
    if len(fields) != ncols:
        return False
    return any(_STAMP.match(f) for f in fields[:3])


_DEC_COMMA = re.compile(r"^\s*-?\d+,\d+\s*$")


def _decimal_comma(lines: list[str], delimiter: str) -> bool:
    for line in lines:
        for f in split_line(line, delimiter)[1:]:
            if _DEC_COMMA.match(f):
                return True
    return False


_UNIT_CELLS = {
    "°c", "°f", "degc", "degf", "c", "f", "%rh", "rh%", "%", "ppm", "lx", "lux", "klx",
    "lxh", "klxh", "lux-hours", "uw/lm", "µw/lm", "mm/s", "deg c", "deg f", "ºc", "ºf",
}  # fmt: skip


def _units_row(cells: list[str]) -> bool:
    """A header line of only units (and blanks), under the names line."""
    units = [c.strip().lower() for c in cells if c.strip()]
    return bool(units) and all(u in _UNIT_CELLS for u in units)
