"""Time stamps of logger exports: formats, day-first or month-first, and local time.

Every distinct date string is parsed once and every distinct time of day
once (a year of 10-minute logging has 365 dates and 144 times), so a file of
millions of rows costs dictionary look-ups, not ``strptime`` calls. Local
times without a zone are turned into UTC with the zone's rules per distinct
hour; a time in a repeated hour (clocks going back) is resolved by the order
of the file (a step back in wall time marks the second pass), and a time in a
skipped hour (clocks going forward) cannot exist and is reported.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

__all__ = ["DATE_FORMATS", "StampResult", "parse_stamps"]

# Date formats tried when none is given, as loggers' software writes them.
DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d",
    "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y",
    "%d/%m/%y", "%m/%d/%y", "%d.%m.%y", "%d-%m-%y", "%y-%m-%d", "%y/%m/%d",
    "%d/%b/%Y", "%d-%b-%Y", "%d %b %Y", "%d/%b/%y", "%d-%b-%y", "%d %b %y",
    "%d %B %Y", "%b %d %Y", "%B %d %Y", "%b %d, %Y", "%B %d, %Y",
)  # fmt: skip
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_TIME = re.compile(
    r"^(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,](\d{1,6}))?)?\s*([AaPp])?\.?(?:[Mm]\.?)?$"
)
_AMPM = re.compile(r"\s[AaPp]\.?[Mm]\.?$")
_AMPM_ANYWHERE = re.compile(r"\s[AaPp]\.?[Mm]\.?$", re.M)
_ZONED = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
_FIXED = re.compile(r"UTC([+-])(\d{2}):(\d{2})")
_ISO_T = re.compile(r"^\d{4}-\d{2}-\d{2}T")


@dataclass(slots=True)
class StampResult:
    """UTC epoch seconds per row (NaN where a row is bad) and why rows are bad."""

    utc: npt.NDArray[np.float64]
    bad: dict[int, str] = field(default_factory=dict)  # row index -> reason
    date_format: str | None = None
    ambiguous_resolved: int = 0
    ambiguous_assumed: list[int] = field(default_factory=list)  # rows read as first pass


def _time_seconds(s: str) -> float:
    if not s:
        return 0.0
    m = _TIME.match(s.strip())
    if m is None:
        raise ValueError(f"time {s!r} not understood")
    h, mi = int(m.group(1)), int(m.group(2))
    sec = int(m.group(3) or 0)
    frac = float("0." + m.group(4)) if m.group(4) else 0.0
    if m.group(5):
        if not 1 <= h <= 12:
            raise ValueError(f"hour {h} with am/pm")
        h = h % 12 + (12 if m.group(5) in "Pp" else 0)
    if h > 24 or mi > 59 or sec > 60 or (h == 24 and (mi or sec)):
        raise ValueError(f"time {s!r} out of range")
    return h * 3600.0 + mi * 60.0 + sec + frac


def _parse_date(s: str, fmt: str) -> int:
    return datetime.strptime(s, fmt).date().toordinal() - _EPOCH_ORDINAL


def _order(fmt: str) -> str:
    """``dmy``, ``mdy`` or ``ymd``: which way round a format writes a date."""
    pos = {k: min((fmt.find(c) for c in cs if c in fmt), default=99) for k, cs in _FIELDS.items()}
    return "".join(sorted(pos, key=pos.__getitem__))


_FIELDS = {"d": ("%d",), "m": ("%m", "%b", "%B"), "y": ("%Y", "%y")}


def _choose_format(samples: Sequence[str], dayfirst: bool) -> str:
    """The format that reads most samples; between day- and month-first, the one
    whose dates move least from line to line (a logger's dates are close together)."""
    scored: list[tuple[int, float, int, str]] = []
    for order, fmt in enumerate(DATE_FORMATS):
        days: list[int] = []
        for s in samples:
            with contextlib.suppress(ValueError):
                days.append(_parse_date(s, fmt))
        if not days:
            continue
        jump = float(np.abs(np.diff(days)).sum()) / len(days) if len(days) > 1 else 0.0
        pref = 0 if (_order(fmt) != "mdy") == dayfirst else 1
        scored.append((len(days), jump, pref * 100 + order, fmt))
    if not scored:
        raise ValueError(f"no known date format reads {samples[0]!r}; give --date-format")
    # A few bad dates must not decide the format: among the formats that read
    # nearly as many as the best, the smoothest sequence wins.
    most = max(s[0] for s in scored)
    slack = max(2.0, 0.1 * most)
    near = [s for s in scored if s[0] == most or (s[0] >= 2 and s[0] >= most - slack)]
    return min(near, key=lambda s: (s[1], s[2]))[3]


def _date_reader(fmt: str, explicit: bool) -> Callable[[str], float]:
    """Reads one date string: ``fmt`` first, then (unless the format was given)
    the other formats that write day, month and year in the same order, for
    files whose exports mix 2- and 4-digit years or month names and numbers."""
    same = [f for f in DATE_FORMATS if f != fmt and _order(f) == _order(fmt)]

    def read(s: str) -> float:
        try:
            return float(_parse_date(s, fmt))
        except ValueError:
            if explicit:
                return math.nan
        for f in same:
            try:
                return float(_parse_date(s, f))
            except ValueError:
                continue
        return math.nan

    return read


def _split(stamp: str, n_time_tokens: int) -> tuple[str, str]:
    if n_time_tokens == 0:
        return stamp, ""
    if stamp[-1:] in ("M", "m", ".") and _AMPM.search(stamp):
        parts = stamp.rsplit(None, 2)
        if len(parts) == 3:
            return parts[0], parts[1] + " " + parts[2]
    parts = stamp.rsplit(None, 1)
    if len(parts) == 2 and ":" in parts[1]:
        return parts[0], parts[1]
    return stamp, ""


def parse_stamps(
    dates: Sequence[str],
    times: Sequence[str] | None,
    *,
    tz: str,
    date_format: str | None = None,
    dayfirst: bool = True,
) -> StampResult:
    """Row time stamps to UTC epoch seconds.

    ``dates`` holds the date (or the whole date-time) per row, ``times`` the
    time of day when a file keeps it in its own column. ``date_format`` is a
    ``strptime`` format for the date part; detected when None.
    """
    n = len(dates)
    out = StampResult(np.full(n, np.nan))
    if n == 0:
        return out
    sample = next((d.strip() for d in dates if d.strip()), "")
    if times is None and (_ISO_T.match(sample) or (_ZONED.search(sample) and "-" in sample[:5])):
        return _parse_iso(dates, tz, out)
    if times is None and re.fullmatch(r"\d{9,10}(\.\d+)?", sample):
        return _parse_epoch(dates, out)
    if times is None:
        tokens = 2 if _AMPM.search(sample) else (1 if ":" in sample else 0)
        if tokens == 1 and not _AMPM_ANYWHERE.search("\n".join(dates)):
            # The common case, "date time" without am/pm: split in one pass.
            parts = [d.strip().rpartition(" ") for d in dates]
            date_strs = [p[0] if p[0] else p[2] for p in parts]
            time_strs = [p[2] if p[0] else "" for p in parts]
        else:
            pairs = [_split(d.strip(), tokens) for d in dates]
            date_strs = [p[0] for p in pairs]
            time_strs = [p[1] for p in pairs]
    else:
        # Stripped per distinct value below, not per row.
        date_strs, time_strs = list(dates), list(times)
    uniq_dates = list(dict.fromkeys(date_strs))
    samples = [d.strip() for d in uniq_dates[:150] if d.strip()]
    fmt = date_format or _choose_format(samples, dayfirst)
    out.date_format = fmt
    read = _date_reader(fmt, explicit=date_format is not None)
    day_of = {d: read(d.strip()) for d in uniq_dates}
    sec_of: dict[str, float] = {}
    for t in dict.fromkeys(time_strs):
        try:
            sec_of[t] = _time_seconds(t)
        except ValueError:
            sec_of[t] = math.nan
    days = np.fromiter(map(day_of.__getitem__, date_strs), np.float64, n)
    secs = np.fromiter(map(sec_of.__getitem__, time_strs), np.float64, n)
    for i in np.flatnonzero(np.isnan(days)).tolist():
        out.bad[i] = f"date {date_strs[i][:40]!r} does not match {fmt}"
    for i in np.flatnonzero(np.isnan(secs) & ~np.isnan(days)).tolist():
        out.bad[i] = f"time {time_strs[i][:40]!r} not understood"
    local = days * 86400.0 + secs
    out.utc = _to_utc(local, tz, out)
    return out


def _parse_iso(dates: Sequence[str], tz: str, out: StampResult) -> StampResult:
    zone = ZoneInfo(tz)
    vals = np.full(len(dates), np.nan)
    naive_rows: list[int] = []
    for i, s in enumerate(dates):
        try:
            dt = datetime.fromisoformat(s.strip().replace("Z", "+00:00"))
        except ValueError:
            out.bad[i] = f"time stamp {s[:40]!r} is not ISO 8601"
            continue
        if dt.tzinfo is None:
            naive_rows.append(i)
            vals[i] = dt.replace(tzinfo=UTC).timestamp()
        else:
            vals[i] = dt.timestamp()
    if naive_rows:
        idx = np.asarray(naive_rows)
        sub = StampResult(vals[idx].copy())
        conv = _to_utc(vals[idx], zone.key, sub)
        vals[idx] = conv
        for j, reason in sub.bad.items():
            out.bad[int(idx[j])] = reason
        out.ambiguous_resolved += sub.ambiguous_resolved
        out.ambiguous_assumed.extend(int(idx[j]) for j in sub.ambiguous_assumed)
    out.utc = vals
    out.date_format = "ISO 8601"
    return out


def _parse_epoch(dates: Sequence[str], out: StampResult) -> StampResult:
    vals = np.full(len(dates), np.nan)
    for i, s in enumerate(dates):
        try:
            vals[i] = float(s)
        except ValueError:
            out.bad[i] = f"epoch time {s[:40]!r} is not a number"
    out.utc = vals
    out.date_format = "epoch seconds"
    return out


def _to_utc(local: npt.NDArray[np.float64], tz: str, out: StampResult) -> npt.NDArray[np.float64]:
    """Wall-clock seconds (as if UTC) to true UTC with the zone's rules.

    Offsets are looked up per distinct day, and per distinct hour only on the
    few days whose offset changes (clock changes fall on whole hours).
    """
    if tz in ("UTC", "Etc/UTC"):
        return local
    fixed = _FIXED.fullmatch(tz)
    if fixed is not None:
        sign = -1.0 if fixed.group(1) == "-" else 1.0
        return local - sign * (int(fixed.group(2)) * 3600.0 + int(fixed.group(3)) * 60.0)
    zone = ZoneInfo(tz)
    ok = ~np.isnan(local)
    rows = np.flatnonzero(ok)
    days = np.floor(local[rows] / 86400.0)
    uday, dinv = np.unique(days, return_inverse=True)
    epoch = datetime(1970, 1, 1)
    day_off = np.empty(uday.size)
    changing = np.zeros(uday.size, dtype=bool)
    for k, d in enumerate(uday.tolist()):
        a = _offset(zone, epoch + timedelta(days=d), 0)
        b = _offset(zone, epoch + timedelta(days=d + 1), 0)
        day_off[k] = a
        changing[k] = a != b or a != _offset(zone, epoch + timedelta(days=d, hours=12), 0)
    o0 = day_off[dinv]
    o1 = o0.copy()
    miss = np.zeros(rows.size, dtype=bool)
    sel = np.flatnonzero(changing[dinv])
    if sel.size:
        hours = np.floor(local[rows[sel]] / 3600.0)
        uh, hinv = np.unique(hours, return_inverse=True)
        h0, h1, hm = np.empty(uh.size), np.empty(uh.size), np.zeros(uh.size, dtype=bool)
        for k, h in enumerate(uh.tolist()):
            wall = epoch + timedelta(hours=h, minutes=30)
            h0[k], h1[k] = _offset(zone, wall, 0), _offset(zone, wall, 1)
            # A wall time that does not survive the round trip was skipped by the clocks.
            aware = wall.replace(tzinfo=zone)
            hm[k] = aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall
        o0[sel], o1[sel], miss[sel] = h0[hinv], h1[hinv], hm[hinv]
    utc = local.copy()
    utc[rows] = local[rows] - o0
    for r in rows[miss].tolist():
        out.bad[r] = "local time does not exist (clocks went forward)"
        utc[r] = np.nan
    amb = (o0 != o1) & ~miss
    if amb.any():
        _resolve_ambiguous(local, rows[amb], o1[amb], utc, out)
    return utc


def _offset(zone: ZoneInfo, wall: datetime, fold: int) -> float:
    off = wall.replace(tzinfo=zone, fold=fold).utcoffset()
    assert off is not None
    return off.total_seconds()


def _resolve_ambiguous(
    local: npt.NDArray[np.float64],
    rows: npt.NDArray[np.intp],
    second_offset: npt.NDArray[np.float64],
    utc: npt.NDArray[np.float64],
    out: StampResult,
) -> None:
    """Rows in a repeated hour: after the wall time steps back, they are the second pass."""
    second = False
    prev_row = -2
    run: list[int] = []
    for k, r in enumerate(rows.tolist()):
        if r != prev_row + 1:
            if run and not second:
                out.ambiguous_assumed.extend(run)
            second, run = False, []
        elif local[r] <= local[prev_row]:
            second = True
        if second:
            utc[r] = local[r] - second_offset[k]
            out.ambiguous_resolved += 1
        else:
            run.append(r)
        prev_row = r
    if run and not second:
        out.ambiguous_assumed.extend(run)
    elif run:
        out.ambiguous_resolved += len(run)
