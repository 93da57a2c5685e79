"""``venue-twin viewer``: a viewer process that mirrors the twin from the broker."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from rich.console import Console

from venue_twin.runner import run_until_signal
from venue_twin.service_runtime import favour_event_loop, settle_heap
from venue_twin.serving import ok_printer, serving_settings
from venue_twin.wiring import serve_http
from venue_twin.wiring_viewer import MirrorPlatform

__all__ = ["add_parsers"]


def add_parsers(sub: Any) -> None:
    viewer = sub.add_parser(
        "viewer",
        help="run one more viewer (REST, WebSocket, browser app) mirroring `serve` over MQTT",
        description=(
            "Serve the viewer from the twin's state published on venues/{venue}/twin/... "
            "by `venue-twin serve`; run several behind a load balancer. Operator actions are "
            "forwarded to the twin; history and replay read the shared store."
        ),
        epilog=(
            "example: VENUE_TWIN_MQTT__USERNAME=venue-twin-viewer "
            "venue-twin viewer --config site.yaml --port 8001"
        ),
    )
    viewer.add_argument("--config", type=Path, help="YAML settings file (the same as serve's)")
    viewer.add_argument("--port", type=int, help="viewer port (overrides settings)")
    viewer.add_argument("--host", help="viewer address (overrides settings)")
    viewer.set_defaults(handler=_viewer)


def _viewer(args: argparse.Namespace, console: Console) -> int:
    settings = serving_settings(args)

    async def run(stop: asyncio.Event) -> int:
        async with MirrorPlatform(settings, progress=ok_printer(console)) as platform:
            assert platform.app is not None
            url = f"http://{settings.http_host}:{settings.http_port}"
            # As in serve: later collections skip the start-up heap, and the loop
            # gets the GIL back soon from paho's thread (venue_twin/service_runtime.py).
            favour_event_loop()
            console.print(f"[green]ok[/green] start-up heap frozen ({settle_heap()} objects)")
            console.print(f"[green]ok[/green] mirror viewer on [bold]{url}[/bold]")
            await serve_http(platform.app, settings.http_host, settings.http_port, stop)
        console.print("stopped cleanly")
        return 0

    return run_until_signal(run)
