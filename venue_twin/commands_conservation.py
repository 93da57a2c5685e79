"""``venue-twin conservation report``: conservation figures recomputed from the store.

For loan agreements and annual reports: ASHRAE class compliance, TWPI and
light dose per calendar year over stored history (live, replayed or imported
from logger archives), in any order and at any logging interval, with how
complete the data was.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from rich.console import Console
from rich.markup import escape

from ingest.store import open_store
from ingest.store.base import Store, StoreError
from twin.analytics.conservation import (
    ClimateClass,
    Completeness,
    climate_history,
    light_dose_history,
    twpi_history,
)
from twin.history import PAGE, read_history
from twin.venue import SensorKind, Venue
from venue_twin.runner import UsageError
from venue_twin.settings import load_settings
from venue_twin.venue_refs import command_venue

__all__ = ["add_parsers", "load_series", "paired"]


def add_parsers(sub: Any) -> None:
    c = sub.add_parser("conservation", help="conservation reports from stored history")
    csub = c.add_subparsers(dest="conservation_command", required=True, metavar="ACTION")
    r = csub.add_parser(
        "report",
        help="climate class, TWPI and light dose per calendar year, from the store",
        description=(
            "Recompute conservation figures from stored history (live, replayed or imported), "
            "in any order and logging interval, with the data's completeness."
        ),
        epilog=(
            "examples:\n"
            "  venue-twin conservation report --zone gallery-a --year 2025\n"
            "  venue-twin conservation report --temp g1-temp --rh g1-rh --lux g1-lux "
            "--start 2024-01-01 --end 2026-01-01"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    r.add_argument("--config", type=Path, help="settings file (store URL, venues)")
    r.add_argument("--store", help="store URL (default: from settings)")
    r.add_argument("--venue", help="venue file or sample:NAME (default: the first configured)")
    r.add_argument("--zone", help="take the zone's temperature, humidity and light sensors")
    r.add_argument("--temp", help="temperature sensor")
    r.add_argument("--rh", help="relative humidity sensor")
    r.add_argument("--lux", help="illuminance sensor")
    r.add_argument("--year", type=int, help="one calendar year (venue time zone)")
    r.add_argument("--start", help="ISO date (venue time zone); default: all history")
    r.add_argument("--end", help="ISO date, exclusive")
    r.add_argument("--target", choices=[c.value for c in ClimateClass], default="A1")
    r.set_defaults(handler=_report)


async def load_series(
    store: Store, venue: str, sensor: str, start: float, end: float, *, page_size: int = PAGE
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Every stored reading of a sensor in ``[start, end)``, paged, as arrays."""
    h = await read_history(store, venue, sensor, start, end, page_size=page_size)
    return h.ts, h.value


def paired(
    t_ts: npt.NDArray[np.float64],
    t_v: npt.NDArray[np.float64],
    rh_ts: npt.NDArray[np.float64],
    rh_v: npt.NDArray[np.float64],
    max_skew_s: float,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Temperature readings with the humidity at the same moment.

    Shapes ``(n,)``/``(m,)`` sorted by time -> three ``(k,)``. A logger
    writes both at once; two live sensors do not, so RH is interpolated at the
    temperature's time when an RH reading lies within ``max_skew_s``.
    """
    if t_ts.size == 0 or rh_ts.size == 0:
        empty = np.zeros(0)
        return empty, empty, empty
    idx = np.clip(np.searchsorted(rh_ts, t_ts), 1, rh_ts.size - 1)
    near = np.minimum(np.abs(rh_ts[idx] - t_ts), np.abs(rh_ts[idx - 1] - t_ts))
    ok = near <= max_skew_s
    rh_at = np.interp(t_ts, rh_ts, rh_v)
    return t_ts[ok], t_v[ok], rh_at[ok]


def _bounds(args: argparse.Namespace, tz: str) -> tuple[float, float]:
    zone = ZoneInfo(tz)
    if args.year is not None:
        return (
            datetime(args.year, 1, 1, tzinfo=zone).timestamp(),
            datetime(args.year + 1, 1, 1, tzinfo=zone).timestamp(),
        )

    def parse(text: str | None, default: float) -> float:
        if text is None:
            return default
        dt = datetime.fromisoformat(text)
        return (dt if dt.tzinfo else dt.replace(tzinfo=zone)).timestamp()

    return parse(args.start, 0.0), parse(args.end, 4e9)


def _pick(venue: Venue, zone: str | None, kind: SensorKind, given: str | None) -> str | None:
    if given is not None or zone is None:
        return given
    return next((s.id for s in venue.sensors if s.zone == zone and s.kind is kind), None)


def _completeness(c: Completeness) -> str:
    if c.covered_percent is None:
        return f"{c.used} readings"
    return (
        f"{c.used} readings, {c.covered_percent:.1f} % of the span covered, {c.gaps} gaps, "
        f"typical interval {c.typical_interval_s or 0:.0f} s; {c.nan_skipped} NaN, "
        f"{c.duplicates} duplicates, {c.out_of_order} out of order left out or sorted"
    )


def _report(args: argparse.Namespace, console: Console) -> int:
    settings = load_settings(args.config)
    venue = command_venue(args.venue, settings)
    temp = _pick(venue, args.zone, SensorKind.TEMPERATURE, args.temp)
    rh = _pick(venue, args.zone, SensorKind.HUMIDITY, args.rh)
    lux = _pick(venue, args.zone, SensorKind.LUX, args.lux)
    if not (temp and rh) and not lux:
        raise UsageError("name --zone, or --temp and --rh, and/or --lux")
    start, end = _bounds(args, venue.timezone)
    url = args.store or settings.store_url.get_secret_value()
    return asyncio.run(_run(url, venue, temp, rh, lux, start, end, args.target, console))


async def _run(
    url: str,
    venue: Venue,
    temp: str | None,
    rh: str | None,
    lux: str | None,
    start: float,
    end: float,
    target: str,
    console: Console,
) -> int:
    store = open_store(url)
    try:
        await store.open()
    except StoreError as exc:
        raise UsageError(f"cannot open the store: {exc}") from exc
    try:
        span = f"{_day(start, venue.timezone)} to {_day(end, venue.timezone)}"
        console.print(f"[bold]{escape(venue.name)}[/bold], {span} ({venue.timezone})")
        if temp and rh:
            t_ts, t_v = await load_series(store, venue.id, temp, start, end)
            r_ts, r_v = await load_series(store, venue.id, rh, start, end)
            skew = float(np.median(np.diff(t_ts))) / 2 if t_ts.size > 2 else 1800.0
            ts, t, h = paired(t_ts, t_v, r_ts, r_v, max(skew, 60.0))
            clim = climate_history(ts, t, h, target=ClimateClass(target))
            tw = twpi_history(ts, t, h)
            console.print(
                f"climate ({escape(temp)} + {escape(rh)}): {_completeness(clim.completeness)}"
            )
            if clim.mean is not None:
                console.print(
                    f"  mean of daily means: {clim.mean.t_c:.1f} °C, {clim.mean.rh_percent:.1f} %RH"
                )
            for cls, pct in clim.percent_by_class.items():
                mark = "  <- target" if cls.value == target else ""
                console.print(
                    f"  {cls.value:>2}: {pct:5.1f} % of {clim.hours_evaluated} hours{mark}"
                )
            if tw.years is not None:
                console.print(f"  TWPI: {tw.years:.1f} years")
        if lux:
            l_ts, l_v = await load_series(store, venue.id, lux, start, end)
            dose = light_dose_history(l_ts, l_v, tz=venue.timezone)
            console.print(f"light ({escape(lux)}): {_completeness(dose.completeness)}")
            for year, lxh in dose.by_year_lxh.items():
                console.print(f"  {year}: {lxh:,.0f} lx h")
            console.print(f"  total: {dose.total_lxh:,.0f} lx h")
    finally:
        await store.close()
    return 0


def _day(ts: float, tz: str) -> str:
    if ts <= 0 or ts >= 4e9:
        return "all" if ts <= 0 else "now"
    return datetime.fromtimestamp(ts, UTC).astimezone(ZoneInfo(tz)).date().isoformat()
