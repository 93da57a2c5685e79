"""Engineers' and testers' commands: simulate, venue checks."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from rich.console import Console

from twin.loader import VenueFileError, sample_names
from venue_twin.broker_args import add_broker_args, mqtt_config
from venue_twin.runner import UsageError, run_until_signal

__all__ = ["add_parsers"]


def add_parsers(sub: Any) -> None:
    sim = sub.add_parser(
        "simulate",
        help="publish simulated sensor data for a venue to an MQTT broker",
        description="Publish believable, seeded sensor data over MQTT, as real devices would.",
        epilog=(
            "examples:\n"
            "  venue-twin simulate --host 127.0.0.1 --port 1883\n"
            "  venue-twin simulate --venue my-museum.yaml --speed 60 --duration 3600\n"
            "  venue-twin simulate --single --qos 0   # one message per reading"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sim.add_argument("--venue", default="sample:museum-wing", help="venue file or sample:NAME")
    add_broker_args(sim)
    sim.add_argument("--hours", default="09:00-17:00", help="opening hours (local to the venue)")
    sim.add_argument("--speed", type=float, default=1.0, help="simulated seconds per second")
    sim.add_argument("--duration", type=float, help="simulated seconds to run (default: forever)")
    sim.add_argument("--seed", type=int, default=0)
    sim.add_argument("--single", action="store_true", help="one message per reading")
    sim.add_argument("--qos", type=int, choices=[0, 1], default=1)
    sim.add_argument("--prefix", default="", help="topic prefix")
    sim.set_defaults(handler=_simulate)

    venue = sub.add_parser("venue", help="check and list venue files")
    vsub = venue.add_subparsers(dest="venue_command", required=True, metavar="ACTION")
    check = vsub.add_parser(
        "check",
        help="check a venue file as serve would: schema, references, polygons, mesh, "
        "placement, drift judges",
    )
    check.add_argument("file", help="venue file or sample:NAME")
    check.set_defaults(handler=_venue_check)
    samples = vsub.add_parser("samples", help="list the sample venues shipped with the package")
    samples.set_defaults(handler=_venue_samples)

    anomaly = sub.add_parser("anomaly", help="offline anomaly scoring")
    asub = anomaly.add_subparsers(dest="anomaly_command", required=True, metavar="ACTION")
    score = asub.add_parser(
        "score",
        help="score a timestamp,value CSV in one streaming pass",
        description=(
            "Read a CSV with a 'timestamp,value' header and write "
            "'timestamp,value,anomaly_score' (the Numenta Anomaly Benchmark results format)."
        ),
        epilog="example: venue-twin anomaly score gallery-a-rh.csv --out scored.csv",
    )
    score.add_argument("file", type=Path, help="input CSV")
    score.add_argument("--out", type=Path, required=True, help="output CSV")
    score.add_argument("--kinds", action="store_true", help="also count typed detections")
    score.set_defaults(handler=_anomaly_score)


def _simulate(args: argparse.Namespace, console: Console) -> int:
    try:
        from venue_twin.venue_refs import resolve_venue  # lazy: loads the venue model

        venue = resolve_venue(args.venue)
    except VenueFileError as exc:
        raise UsageError(str(exc)) from exc
    if not venue.sensors:
        # Visitors would still walk, but no device would report them.
        raise UsageError(
            f"venue {venue.id} has no sensors, so there is nothing to publish: give it "
            "sensors (venue-twin import-ifc FILE --suggest-sensors places a default layout), "
            "or run `venue-twin demo --venue FILE`, which adds one"
        )
    mqtt = mqtt_config(args)
    console.print(
        f"simulating {venue.name} ({len(venue.sensors)} sensors) -> mqtt://{args.host}:{args.port}"
        f" at {args.speed:g}x; Ctrl-C to stop"
    )

    async def run(stop: asyncio.Event) -> int:
        from simulators.publisher import run_simulation

        await run_simulation(
            venue,
            mqtt_config=mqtt,
            speed=args.speed,
            duration_s=args.duration,
            seed=args.seed,
            batch=not args.single,
            qos=args.qos,
            prefix=args.prefix,
            stop_event=stop,
            hours=args.hours,
            on_progress=lambda p: console.print(
                f"published {p.readings} readings in {p.messages} messages", end="\r"
            ),
        )
        return 0

    return run_until_signal(run)


def _anomaly_score(args: argparse.Namespace, _console: Console) -> int:
    from twin.analytics.anomaly import main_score  # lazy: `venue-twin` starts fast

    extra = ["--kinds"] if args.kinds else []
    return main_score([str(args.file), "--out", str(args.out), *extra])


def _venue_check(args: argparse.Namespace, console: Console) -> int:
    from venue_twin.venue_check import check_venue_file, print_check

    report = check_venue_file(args.file)
    print_check(report, console)
    return 0 if report.ok else 1


def _venue_samples(_args: argparse.Namespace, console: Console) -> int:
    for name in sample_names():
        console.print(f"sample:{name}")
    return 0
