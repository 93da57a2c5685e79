"""A stuck shutdown names the await it is stuck on (venue_twin/shutdown_watch.py)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from venue_twin.shutdown_watch import watch_shutdown


async def test_a_stuck_stop_logs_the_pending_task_and_where_it_waits(
    caplog: pytest.LogCaptureFixture,
) -> None:
    never = asyncio.Event()

    async def writer_that_stopped() -> None:
        await never.wait()

    stuck = asyncio.create_task(writer_that_stopped(), name="ingest-put")
    caplog.set_level(logging.WARNING, logger="venue_twin.shutdown_watch")
    async with watch_shutdown("platform shutdown", every_s=0.05):
        await asyncio.wait({stuck}, timeout=0.2)
    stuck.cancel()
    text = caplog.text
    assert "platform shutdown still waiting" in text
    assert "ingest-put" in text and "writer_that_stopped" in text


async def test_a_quick_stop_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="venue_twin.shutdown_watch")
    async with watch_shutdown("platform shutdown", every_s=0.05):
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)  # the watcher is gone: nothing more is logged
    assert caplog.text == ""
