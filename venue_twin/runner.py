"""Running async commands from the CLI: signals, browser, usage errors."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import webbrowser
from collections.abc import Awaitable, Callable

from venue_twin.blas_threads import limit_blas_threads

__all__ = ["UsageError", "open_browser", "run_until_signal"]


class UsageError(Exception):
    """A command-line mistake: printed without a traceback, exit status 2."""


def run_until_signal(main: Callable[[asyncio.Event], Awaitable[int]]) -> int:
    """Run ``main(stop)``; Ctrl-C and SIGTERM set ``stop`` for a clean shutdown."""
    limit_blas_threads()

    async def runner() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        return await main(stop)

    return asyncio.run(runner())


def open_browser(url: str) -> None:
    """Open the viewer where there is a screen to show it on."""
    if os.environ.get("DISPLAY") or sys.platform in ("darwin", "win32"):
        webbrowser.open(url)
