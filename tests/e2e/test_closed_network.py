"""A viewer with authentication off (a closed control-room network) opens without sign-in."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from playwright.sync_api import Page, expect

from tests.e2e.conftest import READY_TIMEOUT_MS
from twin.loader import load_sample
from twin.service import TwinService
from venue_twin.embedded_broker import free_port
from venue_twin.http_server import server_config
from viewer.app import ViewerContext, create_app
from viewer.auth import Authenticator
from viewer.hub import Hub

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def open_viewer() -> Iterator[str]:
    twin = TwinService([load_sample("museum-wing")])
    hub = Hub(twin)
    ctx = ViewerContext(
        twin=twin,
        store=None,  # type: ignore[arg-type]  # the page load reads no history
        hub=hub,
        health=dict,
        auth=Authenticator(None, None),
    )
    port = free_port()
    server = uvicorn.Server(server_config(create_app(ctx), "127.0.0.1", port))

    async def serve() -> None:
        ticks = asyncio.create_task(hub.run())
        await server.serve()
        ticks.cancel()

    thread = threading.Thread(target=lambda: asyncio.run(serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_without_authentication_the_page_opens_the_venue_directly(
    page: Page, open_viewer: str
) -> None:
    page.goto(open_viewer + "/")
    page.wait_for_function(
        "() => window.__venueTwin && window.__venueTwin.ready", timeout=READY_TIMEOUT_MS
    )
    expect(page.get_by_test_id("login-username")).to_have_count(0)
    assert page.evaluate("window.__venueTwin.user.role") == "admin"
    assert page.evaluate("window.__venueTwin.connection") == "live"
