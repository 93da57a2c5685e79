"""``--flag on|off`` that forces a config switch for a measurement; left out, the default stands."""

from __future__ import annotations

import argparse

__all__ = ["add_switch", "switch"]


def add_switch(parser: argparse.ArgumentParser, flag: str, field: str) -> None:
    """``flag`` on|off forces ``field`` (named in the help); absent, its default."""
    parser.add_argument(
        flag, choices=("on", "off"), default=None, help=f"force {field} (default: its default)"
    )


def switch(value: str | None) -> bool | None:
    """The forced value, or None to keep the config's default."""
    return None if value is None else value == "on"
