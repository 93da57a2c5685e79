"""The ``venue-twin`` command line."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence

from rich.console import Console

from venue_twin import (
    commands_demo,
    commands_replay,
    commands_report,
    commands_tools,
    commands_twin,
    commands_users,
    commands_viewer,
)
from venue_twin.runner import UsageError

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
  venue-twin import-ifc east-wing.ifc --out venues/
  venue-twin report --start 2026-11-01 --lang zh-CN --out november.pdf
  venue-twin user add alice --role operator --users-file users.yaml

Settings come from --config FILE (YAML) and VENUE_TWIN_* environment
variables (VENUE_TWIN_STORE_URL, VENUE_TWIN_MQTT__HOST, ...); see docs/settings.md.
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="venue-twin",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--log-level", default=os.environ.get("VENUE_TWIN_LOG_LEVEL", "WARNING"))
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands_demo.add_parsers(sub)
    commands_tools.add_parsers(sub)
    commands_replay.add_parsers(sub)
    commands_report.add_parsers(sub)
    commands_twin.add_parsers(sub)
    commands_users.add_parsers(sub)
    commands_viewer.add_parsers(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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
