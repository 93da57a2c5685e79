"""``venue-twin demo`` and ``venue-twin serve``: the running platform."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from prometheus_client import start_http_server
from rich.console import Console

from ingest.mqtt_settings import MqttSettings
from ingest.store import StoreMisconfigured
from simulators.errors import ScheduleError
from simulators.formats import FORMATS, PayloadFormat
from simulators.mqtt_config import MqttConfig as SimMqttConfig
from simulators.publisher import run_simulation
from simulators.schedule import parse_hour, shift_to_hour
from simulators.simulator import VenueSimulator
from twin.venue import Venue
from venue_twin.commands_users import ensure_demo_users
from venue_twin.demo_venues import prepare_demo_venues
from venue_twin.embedded_broker import EmbeddedBroker, free_port, port_is_free
from venue_twin.example_secrets import check_no_example_secrets
from venue_twin.runner import UsageError, open_browser, run_until_signal
from venue_twin.service_runtime import favour_event_loop, settle_heap
from venue_twin.serving import ok_printer, serving_settings
from venue_twin.settings import Settings, load_settings
from venue_twin.store_startup import StartupCancelled
from venue_twin.venue_refs import resolve_venue
from venue_twin.wiring import Platform, serve_http

__all__ = ["add_parsers"]

log = logging.getLogger(__name__)


def add_parsers(sub: Any) -> None:
    demo = sub.add_parser(
        "demo",
        help="run everything in one process: broker, store, simulator, twin, viewer",
        description=(
            "Start an in-process MQTT broker, an embedded SQLite store, the simulator "
            "publishing a sample venue, ingest, the live twin and the viewer."
        ),
        epilog="example: venue-twin demo --port 8080 --venue sample:scenic-site --speed 10",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument("--port", type=int, default=8000, help="viewer port (default 8000)")
    demo.add_argument("--host", default="127.0.0.1", help="viewer address (default 127.0.0.1)")
    demo.add_argument(
        "--mqtt-port",
        type=int,
        default=1883,
        help="embedded broker port (default 1883; a free one if taken)",
    )
    demo.add_argument(
        "--venue",
        action="append",
        default=None,
        help="venue file, IFC file (imported with suggested sensors) or sample:NAME "
        "(repeatable; default sample:museum-wing)",
    )
    demo.add_argument(
        "--data-dir",
        type=Path,
        default=Path("venue-twin-data"),
        help="where the demo keeps its SQLite database (default ./venue-twin-data)",
    )
    demo.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="above 1: replay the past day at this many simulated seconds per second, then live",
    )
    demo.add_argument("--seed", type=int, default=0, help="simulator random seed")
    demo.add_argument(
        "--hours",
        default="00:00-24:00",
        help="simulated opening hours (default: open all day, so visitors show at any hour)",
    )
    demo.add_argument(
        "--local-hour",
        type=_local_hour,
        default=None,
        metavar="HH:MM",
        help="run the venue's day (visitors, lamps, daylight) as if the demo started at "
        "this local hour, e.g. 11:00 for the midday crowd at night; readings keep the real "
        "time (default: the venue's real local time)",
    )
    demo.add_argument("--no-browser", action="store_true", help="do not open a browser")
    demo.add_argument(
        "--format",
        choices=["contract", *FORMATS],
        default="contract",
        help="devices' payloads: our contract (default) or another ecosystem's, read back "
        "through its adapter (docs/adapters.md)",
    )
    demo.set_defaults(handler=_demo)

    serve = sub.add_parser(
        "serve",
        help="run ingest, twin and viewer against an external broker and database",
        description="Run against the MQTT broker and store named in the settings.",
        epilog=(
            "example: VENUE_TWIN_STORE_URL=postgresql://twin@db/twin "
            "VENUE_TWIN_MQTT__HOST=broker venue-twin serve"
        ),
    )
    serve.add_argument("--config", type=Path, help="YAML settings file")
    serve.add_argument("--port", type=int, help="viewer port (overrides settings)")
    serve.add_argument("--host", help="viewer address (overrides settings)")
    serve.set_defaults(handler=_serve)

    worker = sub.add_parser(
        "ingest",
        help="run one ingest worker (MQTT to store), without the viewer",
        description=(
            "Run ingest only. Start several with the same mqtt.shared_group to share "
            "the load through an MQTT 5 shared subscription."
        ),
        epilog="example: VENUE_TWIN_MQTT__SHARED_GROUP=ingest venue-twin ingest --config site.yaml",
    )
    worker.add_argument("--config", type=Path, help="YAML settings file")
    worker.set_defaults(handler=_ingest)


def _local_hour(text: str) -> float:
    try:
        return parse_hour(text)
    except ScheduleError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def demo_adapters(fmt: str, venue_refs: list[str]) -> list[dict[str, Any]]:
    """The adapter subscriptions that read the simulator's ``fmt`` payloads back."""
    if fmt == "contract":
        return []
    return [PayloadFormat(fmt, resolve_venue(ref)).adapter_spec() for ref in venue_refs]


def _demo(args: argparse.Namespace, console: Console) -> int:
    if not port_is_free(args.host, args.port):
        raise UsageError(f"port {args.port} is in use; pick another with --port")
    mqtt_port = args.mqtt_port
    if not port_is_free("127.0.0.1", mqtt_port):
        mqtt_port = free_port()
        console.print(f"MQTT port {args.mqtt_port} is in use; the demo broker takes {mqtt_port}")
    args.data_dir.mkdir(parents=True, exist_ok=True)
    venue_refs = prepare_demo_venues(args.venue or ["sample:museum-wing"], args.data_dir, console)
    settings = load_settings(
        None,
        venues=venue_refs,
        adapters=demo_adapters(args.format, venue_refs),
        store_url=f"sqlite://{(args.data_dir / 'demo.sqlite3').resolve()}",
        http_host=args.host,
        http_port=args.port,
        spool_dir=str((args.data_dir / "spool").resolve()),
        # One process serves everyone: no mirror viewers to feed.
        publish_state=False,
        auth={
            "enabled": True,
            "users_file": str((args.data_dir / "users.yaml").resolve()),
            "secret_file": str((args.data_dir / "auth-secret").resolve()),
        },
    )
    _print_credentials(ensure_demo_users(args.data_dir), args.data_dir, console)
    # amqtt speaks MQTT 3.1.1 only.
    mqtt = MqttSettings(host="127.0.0.1", port=mqtt_port, protocol=311, client_id="demo-ingest")

    async def run(stop: asyncio.Event) -> int:
        with console.status("starting venue-twin demo...") as status:
            broker = EmbeddedBroker("127.0.0.1", mqtt_port)
            await broker.__aenter__()
            console.print(
                f"[green]ok[/green] MQTT broker (embedded) on mqtt://127.0.0.1:{mqtt_port}"
            )
            try:
                platform = Platform(settings, mqtt=mqtt, progress=_ok(console), stop=stop)
                async with platform:
                    sims = [
                        asyncio.create_task(
                            _simulate_demo(venue, mqtt_port, args, stop, platform),
                            name=f"simulator-{venue.id}",
                        )
                        for venue in platform.venues
                    ]
                    names = ", ".join(f"{v.id} ({len(v.sensors)} sensors)" for v in platform.venues)
                    console.print(f"[green]ok[/green] simulator publishing {names}")
                    status.stop()
                    return await _serve_until(platform, settings, stop, console, sims, args)
            finally:
                await broker.__aexit__(None, None, None)
                console.print("stopped cleanly")

    return run_until_signal(run)


async def _simulate_demo(
    venue: Venue,
    mqtt_port: int,
    args: argparse.Namespace,
    stop: asyncio.Event,
    platform: Platform | None = None,
) -> None:
    """Live simulation; with --speed above 1, first the past day at that speed.

    A clock faster than real time would stamp readings in the future, which
    ingest rightly rejects, so a fast demo replays the last day up to now and
    then goes on live. The simulator starts with the visitors the hour implies
    and the crowd estimator starts from that head count, as an operator would
    set it, so the demo shows visitors from its first minute.
    """
    config = SimMqttConfig(host="127.0.0.1", port=mqtt_port, client_id=f"demo-sim-{venue.id}")
    # One shift for the whole demo, so a fast replay of the past day runs on into live.
    shift_s = (
        0.0
        if args.local_hour is None
        else shift_to_hour(venue.timezone, time.time(), args.local_hour)
    )

    def head_count(sim: VenueSimulator) -> None:
        analytics = None if platform is None else platform.analytics
        va = None if analytics is None else analytics.venues.get(venue.id)
        if va is not None:
            for zone, n in sim.occupancy().items():
                va.crowd.set_occupancy(zone, float(n), 0.5)

    simulate = functools.partial(
        run_simulation,
        venue,
        mqtt_config=config,
        seed=args.seed,
        hours=args.hours,
        stop_event=stop,
        warm_start=True,
        on_start=head_count,
        payload_format=args.format,
        local_shift_s=shift_s,
    )
    if args.speed > 1:
        await simulate(speed=args.speed, duration_s=86_400.0)
    if not stop.is_set():
        await simulate(speed=1.0)


def _serve(args: argparse.Namespace, console: Console) -> int:
    settings = serving_settings(args)

    async def run(stop: asyncio.Event) -> int:
        async with Platform(settings, progress=_ok(console), stop=stop) as platform:
            return await _serve_until(platform, settings, stop, console, [], None)

    return _run_platform(run, console)


def _ingest(args: argparse.Namespace, console: Console) -> int:
    try:
        settings = load_settings(args.config)
    except (OSError, ValueError) as exc:
        raise UsageError(str(exc)) from exc
    check_no_example_secrets(settings)

    async def run(stop: asyncio.Event) -> int:
        async with Platform(settings, progress=_ok(console), viewer=False, stop=stop) as platform:
            if settings.metrics_port is not None:
                start_http_server(
                    settings.metrics_port, settings.http_host, registry=platform.metrics.registry
                )
                console.print(
                    f"metrics on http://{settings.http_host}:{settings.metrics_port}/metrics"
                )
            settle_heap()
            favour_event_loop()
            console.print("ingest running; Ctrl-C to stop")
            await stop.wait()
            m = platform.metrics.snapshot()
        console.print(f"stopped: {m['readings_stored']:.0f} readings stored")
        return 0

    return _run_platform(run, console)


def _run_platform(run: Callable[[asyncio.Event], Awaitable[int]], console: Console) -> int:
    """``run_until_signal`` with the start-up outcomes that are not crashes."""
    try:
        return run_until_signal(run)
    except StartupCancelled:
        console.print("stopped before the database came up")
        return 0
    except StoreMisconfigured as exc:
        # The database answered and refused us: retrying cannot help.
        raise UsageError(f"the database refused the connection: {exc}") from exc


async def _serve_until(
    platform: Platform,
    settings: Settings,
    stop: asyncio.Event,
    console: Console,
    background: list[asyncio.Task[Any]],
    args: argparse.Namespace | None,
) -> int:
    assert platform.app is not None
    url = f"http://{settings.http_host}:{settings.http_port}"
    # Long-lived from here: later collections skip it; the loop gets the GIL
    # back within 0.5 ms (venue_twin/service_runtime.py).
    favour_event_loop()
    console.print(f"[green]ok[/green] start-up heap frozen ({settle_heap()} objects)")
    http = asyncio.create_task(
        serve_http(platform.app, settings.http_host, settings.http_port, stop), name="http"
    )
    await asyncio.sleep(0.3)
    console.print(f"[green]ok[/green] viewer on [bold]{url}[/bold]  (API docs: {url}/docs)")
    console.print("press Ctrl-C to stop")
    if args is not None and not args.no_browser:
        open_browser(url)
    started = time.monotonic()
    try:
        await http
    finally:
        stop.set()
        for t in background:
            t.cancel()
        for t in background:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        m = platform.metrics.snapshot()
        console.print(
            f"ran {time.monotonic() - started:.0f} s: {m['readings_stored']:.0f} readings stored, "
            f"{sum(m['rejected'].values()) if isinstance(m['rejected'], dict) else 0:.0f} rejected"
        )
    return 0


def _print_credentials(creds: dict[str, str], data_dir: Path, console: Console) -> None:
    if not creds:
        console.print(f"users from {data_dir / 'users.yaml'} (no demo credentials file)")
        return
    console.print(f"demo users (also in {data_dir / 'demo-credentials.txt'}):")
    for name, password in creds.items():
        console.print(f"  {name:<9} {password}")


def _ok(console: Console) -> Callable[[str], None]:
    return ok_printer(console)
