"""Polling for a condition that another process or thread makes true."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


async def until(pred: Callable[[], object], timeout: float, poll_s: float = 0.1) -> None:
    """Return once ``pred()`` is true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(poll_s)
