"""The full platform waiting for a database that is down at start-up, with no servers at all.

Nothing listens on the store's port, so the platform must wait (saying so)
and give up cleanly when told to stop; it never reaches MQTT.
"""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest

from venue_twin.settings import load_settings
from venue_twin.wiring import Platform, StartupCancelled


def _unused_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


async def test_a_stop_while_waiting_for_the_database_ends_start_up_cleanly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = _unused_port()
    settings = load_settings(
        None,
        store_url=f"postgresql://venue:secret@127.0.0.1:{port}/twin",
        mqtt={"host": "127.0.0.1", "port": _unused_port()},
        auth={"enabled": False},
    )
    stop = asyncio.Event()
    platform = Platform(settings, stop=stop)
    caplog.set_level(logging.WARNING, logger="venue_twin.store_startup")

    async def press_ctrl_c() -> None:
        while not any("retrying" in r.getMessage() for r in caplog.records):
            await asyncio.sleep(0.01)
        assert platform.health()["store_connected"] is False
        stop.set()

    presser = asyncio.create_task(press_ctrl_c())
    with pytest.raises(StartupCancelled, match=f"127.0.0.1:{port}"):
        async with platform:
            pytest.fail("the platform must not start without its database")
    await presser
    waiting = [r.getMessage() for r in caplog.records if "unreachable, retrying" in r.getMessage()]
    assert waiting == [
        f"database at 127.0.0.1:{port} unreachable, retrying... (waiting 0 s; Ctrl-C to stop)"
    ]
    assert "secret" not in caplog.text
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "venue-twin-store-reconnect"]
