"""What the commands that serve the viewer (serve, viewer) check before starting."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from rich.console import Console

from venue_twin.auth_setup import AuthSetupError, build_authenticator
from venue_twin.embedded_broker import port_is_free
from venue_twin.example_secrets import check_no_example_secrets
from venue_twin.runner import UsageError
from venue_twin.settings import Settings, load_settings

__all__ = ["ok_printer", "serving_settings"]


def serving_settings(args: argparse.Namespace) -> Settings:
    """Settings from ``--config`` with ``--host``/``--port``; no example secrets, the port
    free, the users usable.

    Checked before anything connects, so a mistake ends in one clear line.
    """
    overrides: dict[str, Any] = {}
    if args.port is not None:
        overrides["http_port"] = args.port
    if args.host is not None:
        overrides["http_host"] = args.host
    try:
        settings = load_settings(args.config, **overrides)
    except (OSError, ValueError) as exc:
        raise UsageError(str(exc)) from exc
    check_no_example_secrets(settings)
    if not port_is_free(settings.http_host, settings.http_port):
        raise UsageError(f"port {settings.http_port} is in use")
    try:
        build_authenticator(settings.auth)
    except AuthSetupError as exc:
        raise UsageError(str(exc)) from exc
    return settings


def ok_printer(console: Console) -> Callable[[str], None]:
    """A progress callback printing ``ok <step>``."""

    def ok(msg: str) -> None:
        console.print(f"[green]ok[/green] {msg}")

    return ok
