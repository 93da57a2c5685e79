"""The ``venue-twin`` command line."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

__all__ = ["main"]

DESCRIPTION = """\
venue-twin: a live digital twin of museums and scenic sites.

Sensor readings arrive over MQTT, are validated and stored, and drive a 3D
model of the venue in the browser.
"""

EPILOG = """\
examples:
  venue-twin demo                         # everything in one process, open http://127.0.0.1:8000
  venue-twin demo --port 8080 --speed 600 # the past day in 2.4 minutes, then live
  venue-twin serve --config site.yaml     # against Mosquitto and PostgreSQL
  venue-twin viewer --config site.yaml --port 8001  # one more viewer, mirroring serve
  venue-twin simulate --host broker.local --venue sample:scenic-site
  venue-twin venue check my-museum.yaml
  venue-twin record --host broker.local --out tuesday.vtrec --duration 3600
  venue-twin replay tuesday.vtrec --host 127.0.0.1 --speed 10 --venue museum-wing=museum-wing-replay
  venue-twin anomaly score gallery-a-rh.csv --out scored.csv
  venue-twin crowd evaluate corridor.txt --venue corridor.yaml --unit cm --miss 0.04
  venue-twin import-ifc east-wing.ifc --out venues/
  venue-twin import logger-2024.csv logger-2025.csv --venue museum.yaml --tz Europe/London
  venue-twin conservation report --zone gallery-a --year 2025
  venue-twin report --start 2026-11-01 --lang zh-CN --out november.pdf
  venue-twin user add alice --role operator --users-file users.yaml

Settings come from --config FILE (YAML) and VENUE_TWIN_* environment
variables (VENUE_TWIN_STORE_URL, VENUE_TWIN_MQTT__HOST, ...); see docs/settings.md.
"""


# Command modules, in --help order. Only the chosen command's module is
# imported (the platform's imports take seconds; `anomaly score` needs none of
# them); an unknown word or --help loads them all.
_MODULES = (
    "commands_demo",
    "commands_tools",
    "commands_replay",
    "commands_twin",
    "commands_users",
    "commands_viewer",
    "commands_crowd",
    "commands_import",
    "commands_conservation",
    "commands_report",
)
_COMMAND_MODULE = {
    "demo": "commands_demo",
    "serve": "commands_demo",
    "ingest": "commands_demo",
    "simulate": "commands_tools",
    "venue": "commands_tools",
    "anomaly": "commands_tools",
    "record": "commands_replay",
    "replay": "commands_replay",
    "import-ifc": "commands_twin",
    "scan-change": "commands_twin",
    "user": "commands_users",
    "viewer": "commands_viewer",
    "crowd": "commands_crowd",
    "import": "commands_import",
    "conservation": "commands_conservation",
    "report": "commands_report",
}


def _command(argv: Sequence[str]) -> str | None:
    """The subcommand word in ``argv`` (skipping --log-level and its value)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--log-level":
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def _parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="venue-twin",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--log-level", default=os.environ.get("VENUE_TWIN_LOG_LEVEL", "WARNING"))
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    one = _COMMAND_MODULE.get(_command(sys.argv[1:] if argv is None else argv) or "")
    for name in (one,) if one is not None else _MODULES:
        importlib.import_module(f"venue_twin.{name}").add_parsers(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if words[:2] == ["anomaly", "score"]:
        # Fast path: offline scoring of one file starts in a fraction of a second.
        from twin.analytics.anomaly.csv_cli import main_score

        return main_score(words[2:])
    # Imported here, after the fast path: rich and the runner's asyncio cost
    # about 0.15 s of start-up that `anomaly score` does not need.
    import logging

    from rich.console import Console

    from venue_twin.runner import UsageError

    args = _parser(argv).parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        handler: Callable[[argparse.Namespace, Console], int] = args.handler
        return handler(args, console)
    except KeyboardInterrupt:
        return 130
    except UsageError as exc:
        console.print(f"[red]error:[/red] {exc}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
