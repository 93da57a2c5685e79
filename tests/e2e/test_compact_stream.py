"""The page speaks the compact frame format (protocol version 2) and shows exact live values."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, WebSocket, expect

from tests.e2e.conftest import DemoApp, sign_in
from tests.e2e.demo_publisher import Publisher

pytestmark = pytest.mark.e2e

SENSOR = "gallery-a-rh"
VALUE = 63.123456789  # far from the simulated humidity; more digits than the row shows


def test_page_subscribes_compact_and_shows_a_published_value_exactly(
    page: Page, demo_app: DemoApp, publisher: Publisher, screenshot_dir: Path
) -> None:
    sent: list[str] = []
    received: list[str] = []

    def watch(ws: WebSocket) -> None:
        ws.on("framesent", lambda p: sent.append(p if isinstance(p, str) else ""))
        ws.on("framereceived", lambda p: received.append(p if isinstance(p, str) else ""))

    page.on("websocket", watch)
    sign_in(page, demo_app, "operator")
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    publisher.keep_sending(SENSOR, VALUE, every_s=0.5)
    page.wait_for_function(
        "([id, v]) => window.__venueTwin.sensorValues[id] === v",
        arg=[SENSOR, VALUE],
        timeout=30_000,
    )
    expect(page.get_by_test_id(f"sensor-value-{SENSOR}")).to_have_text(re.compile(r"^63\b"))
    page.get_by_test_id(f"sensor-row-{SENSOR}").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "live-compact-stream.png")
    publisher.stop_sending()

    subscribes = [json.loads(s) for s in sent if '"subscribe"' in s]
    assert subscribes and all(s.get("format") == "compact" for s in subscribes)
    state = [
        json.loads(r)
        for r in received
        if r.startswith('{"type":"snapshot"') or r.startswith('{"type":"delta"')
    ]
    assert state and all(f["v"] == 2 and "sensors" not in f for f in state)
    # The value came as a row by index, not by name.
    snapshot = next(f for f in state if f["type"] == "snapshot")
    index = snapshot["sensor_ids"].index(SENSOR)
    rows = [
        f["s"][n : n + 4] for f in state if f["type"] == "delta" for n in range(0, len(f["s"]), 4)
    ]
    assert any(r[0] == index and r[1] == VALUE for r in rows)
