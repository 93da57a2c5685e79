"""``venue-twin import``: logger archives (CSV, Excel) into the store."""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from ingest.archive import PRESETS, ImportOptions, ImportReport, ReadOptions, import_archive
from ingest.store import open_store, parse_store_url
from ingest.store.base import StoreError
from venue_twin.runner import UsageError
from venue_twin.settings import load_settings
from venue_twin.venue_refs import command_venue

__all__ = ["add_parsers"]

_PRESET_HELP = "; ".join(f"{p.name}: {p.description}" for p in PRESETS.values())


def add_parsers(sub: Any) -> None:
    p = sub.add_parser(
        "import",
        help="import logger archives (CSV, Excel) into the store",
        description=(
            "Read logger exports (preambles, BOMs, ';' or ',', day- or month-first dates, "
            "separate date and time columns, units in the column or point name), convert to "
            "the venue's units, deduplicate on (sensor, time) and store them, so replay, "
            "history charts and analytics see them like live data. Bad rows are listed "
            "with file:line and reason; the rest goes in. Presets: " + _PRESET_HELP
        ),
        epilog=(
            "examples:\n"
            "  venue-twin import gallery1-2024.csv gallery1-2025.csv --venue museum.yaml "
            "--tz Europe/London\n"
            "  venue-twin import export.csv --preset tandd --map 'ch1=g1-temp' --map 'ch2=g1-rh'\n"
            "  venue-twin import lux.xlsx --sensor g2-lux --cumulative Lux --config site.yaml"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="+", type=Path, help="CSV or .xlsx exports, in any order")
    p.add_argument("--config", type=Path, help="settings file (store URL, venues)")
    p.add_argument("--store", help="store URL (default: from settings)")
    p.add_argument("--venue", help="venue file or sample:NAME (default: the first configured)")
    p.add_argument("--preset", choices=sorted(PRESETS), default="generic")
    p.add_argument("--tz", help="zone of times without one (default: the venue's time zone)")
    p.add_argument("--date-format", help="strptime format of the date part, e.g. %%d/%%m/%%Y")
    order = p.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", dest="dayfirst", action="store_true", default=None)
    order.add_argument("--monthfirst", dest="dayfirst", action="store_false")
    p.add_argument("--delimiter", help="field separator (default: detected)")
    p.add_argument("--time-col", help="time stamp column: header name or 1-based number")
    p.add_argument("--sensor", help="sensor id of a one-channel file")
    p.add_argument("--map", action="append", default=[], metavar="CHANNEL=SENSOR")
    p.add_argument("--unit", action="append", default=[], metavar="CHANNEL=UNIT")
    p.add_argument("--sensor-prefix", default="", help="prefix for sensor ids made from channels")
    p.add_argument("--cumulative", action="append", default=[], metavar="CHANNEL")
    p.add_argument("--bad-rows", type=Path, help="write every reported bad row to this file")
    p.add_argument(
        "--writers",
        type=_writers,
        default=None,
        metavar="N",
        help="sensors written at once, 1-8 (default: 2 on PostgreSQL, a connection each; "
        "1 on SQLite, whose one connection takes them in turn anyway)",
    )
    p.set_defaults(handler=_import)


def _writers(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= 8:
        raise argparse.ArgumentTypeError(f"takes a whole number from 1 to 8, got {text!r}")
    return n


def default_writers(url: str) -> int:
    """Two sensors at once on PostgreSQL (two won every paired run); one on SQLite.

    SQLite has one connection, so a second writer only adds a hand-off: at a
    quiet moment one writer imported 545,000-572,000 readings/s against
    500,000-534,000 with two (docs/import.md).
    """
    try:
        kind = parse_store_url(url)[0]
    except StoreError:
        return 1  # opening the store reports the bad URL, in its own words
    return 2 if kind == "postgresql" else 1


def _pairs(items: list[str], what: str) -> dict[str, str]:
    out = {}
    for item in items:
        k, sep, v = item.partition("=")
        if not sep or not k.strip() or not v.strip():
            raise UsageError(f"--{what} takes CHANNEL=VALUE, got {item!r}")
        out[k.strip()] = v.strip()
    return out


def _import(args: argparse.Namespace, console: Console) -> int:
    settings = load_settings(args.config)
    venue = command_venue(args.venue, settings)
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    units = {s.id: s.resolved_unit for s in venue.sensors}
    url = args.store or settings.store_url.get_secret_value()
    opts = ImportOptions(
        venue=venue.id,
        read=ReadOptions(
            preset=args.preset,
            tz=args.tz or venue.timezone,
            date_format=args.date_format,
            dayfirst=args.dayfirst,
            delimiter=args.delimiter,
            time_col=args.time_col,
            channels=_pairs(args.map, "map"),
            units=_pairs(args.unit, "unit"),
            sensor=args.sensor,
        ),
        sensor_prefix=args.sensor_prefix,
        cumulative=frozenset(args.cumulative),
        canonical=units.get,
        writers=args.writers or default_writers(url),
    )
    t0 = time.perf_counter()
    report = asyncio.run(_run(url, args.files, opts, console))
    elapsed = time.perf_counter() - t0
    _print_report(report, venue.id, {s.id for s in venue.sensors}, elapsed, console)
    if args.bad_rows is not None:
        args.bad_rows.write_text(
            "".join(f"{b}\n" for b in report.bad + report.ambiguous_assumed), encoding="utf-8"
        )
    return 1 if report.failed_files and report.files == 0 else 0


async def _run(url: str, files: list[Path], opts: ImportOptions, console: Console) -> ImportReport:
    store = open_store(url)
    try:
        await store.open()
    except StoreError as exc:
        raise UsageError(f"cannot open the store: {exc}") from exc
    try:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task(f"reading {len(files)} files", total=None)
            return await import_archive(
                files,
                store,
                opts,
                on_total=lambda n: bar.update(task, total=n, description="storing rows"),
                progress=lambda n: bar.advance(task, n),
            )
    finally:
        await store.close()


def _print_report(
    r: ImportReport, venue: str, placed: set[str], elapsed: float, console: Console
) -> None:
    # The rate counts readings (one sensor's value at one time; a two-channel
    # line is two) through the store, new or already there (docs/import.md).
    readings = sum(s.rows for s in r.sensors)
    rate = readings / elapsed if elapsed > 0 else 0.0
    console.print(
        f"[green]imported[/green] {r.files} files, {r.rows_read} lines, {readings} readings "
        f"in {elapsed:.1f} s ({rate:,.0f} readings/s): {r.rows_stored_new} new in {venue}, "
        f"{r.duplicates} duplicates dropped, {r.blank_cells} blank cells, "
        f"{r.bad_count} bad rows"
    )
    for s in r.sensors:
        unit = s.unit_in if s.unit_in == s.unit_stored else f"{s.unit_in} -> {s.unit_stored}"
        where = "" if s.sensor in placed else "  [yellow](unplaced: place it in the viewer)[/]"
        extra = f", {s.counter_resets} counter restarts joined" if s.counter_resets else ""
        extra += f", {s.conflicting_duplicates} conflicting" if s.conflicting_duplicates else ""
        console.print(f"  {escape(s.sensor)}: {s.rows} rows {escape(f'[{unit}]')}{extra}{where}")
    if r.ambiguous_resolved:
        console.print(f"  {r.ambiguous_resolved} times in a repeated hour placed by file order")
    for b in r.ambiguous_assumed[:10]:
        console.print(f"  [yellow]ambiguous[/yellow] {escape(str(b))}")
    for b in r.bad[:20]:
        console.print(f"  [red]bad row[/red] {escape(str(b))}")
    if r.bad_count > 20:
        console.print(f"  ... {r.bad_count - 20} more (use --bad-rows FILE for all)")
    for note in r.notes:
        console.print(f"  [yellow]note[/yellow] {escape(note)}")
    for path, why in r.failed_files:
        console.print(f"  [red]not imported[/red] {escape(path)}: {escape(why)}")
