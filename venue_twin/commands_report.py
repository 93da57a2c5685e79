"""``venue-twin report``: a conservation and operations report as PDF or HTML."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console

from ingest.store import open_store
from reports import ReportError, ReportUnavailable, Scope, make_report
from twin.alarm_stores import open_alarm_store
from twin.analytics.conservation import ClimateClass
from venue_twin.runner import UsageError
from venue_twin.settings import load_settings
from venue_twin.venue_refs import command_venue

__all__ = ["add_parsers"]


def add_parsers(sub: Any) -> None:
    p = sub.add_parser(
        "report",
        help="a conservation and operations report (PDF or HTML) for a period",
        description=(
            "Climate against the ASHRAE class, light dose against each artefact's budget, "
            "PI/TWPI, mould risk, alarms and their handling times, visitors and data "
            "completeness, for a venue, one zone or one artefact, from the store's history."
        ),
        epilog=(
            "examples:\n"
            "  venue-twin report --start 2026-11-01 --end 2026-12-01 --out november.pdf\n"
            "  venue-twin report --config site.yaml --venue sample:museum-wing \\\n"
            "      --zone gallery-b --lang zh-CN --start 2026-11-01 --out gallery-b.html"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--config", type=Path, help="YAML settings file (for the store URL)")
    p.add_argument("--venue", default=None, help="venue file or sample:NAME (default: the first)")
    p.add_argument("--start", required=True, help="first day, YYYY-MM-DD (venue time), or ISO time")
    p.add_argument("--end", help="day after the last, YYYY-MM-DD (default: start + 1 month)")
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--zone", help="one zone")
    scope.add_argument("--artefact", help="one artefact (its zone's climate and its light)")
    p.add_argument("--lang", choices=["en", "zh-CN"], default="en")
    p.add_argument("--target", choices=[c.value for c in ClimateClass], default="A1")
    p.add_argument("--out", type=Path, required=True, help="file.pdf or file.html")
    p.set_defaults(handler=_report)


def _when(text: str, tz: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"not a date or time: {text!r} (use YYYY-MM-DD)") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(tz))


def _next_month(d: dt.datetime) -> dt.datetime:
    return d.replace(year=d.year + d.month // 12, month=d.month % 12 + 1)


def _report(args: argparse.Namespace, console: Console) -> int:
    suffix = args.out.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        raise UsageError("--out must end in .pdf or .html")
    settings = load_settings(args.config)
    venue = command_venue(args.venue, settings)
    start = _when(args.start, venue.timezone)
    end = _when(args.end, venue.timezone) if args.end else _next_month(start)
    url = settings.store_url.get_secret_value()

    async def run() -> bytes:
        store = open_store(url)
        await store.open()
        alarms = open_alarm_store(url)
        await alarms.open()
        try:
            return await make_report(
                store,
                alarms,
                venue,
                start.timestamp(),
                end.timestamp(),
                scope=Scope(zone=args.zone, artefact=args.artefact),
                lang=args.lang,
                fmt="pdf" if suffix == ".pdf" else "html",
                target=ClimateClass(args.target),
            )
        finally:
            await alarms.close()
            await store.close()

    try:
        document = asyncio.run(run())
    except (ReportError, ReportUnavailable) as exc:
        raise UsageError(str(exc)) from None
    args.out.write_bytes(document)
    console.print(f"wrote {args.out} ({len(document):,} bytes): {venue.name}, {start} to {end}")
    return 0
