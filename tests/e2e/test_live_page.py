"""The operator's page, driven in a real browser against ``venue-twin demo``.

What an operator relies on: the venue is drawn in 3D, the connection says
live, sensor values arrive and keep changing, a sensor can be opened from the
list or by clicking it in the 3D view, and its last hour is charted.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from tests.e2e.conftest import DemoApp, sign_in

pytestmark = pytest.mark.e2e

READY_TIMEOUT_MS = 60_000
# The demo's simulated sensors report every 10 s: allow a few intervals.
CHANGE_TIMEOUT_MS = 60_000

# Decode a PNG in the page (no imaging library needed on the Python side) and
# measure how much of it differs from its top-left pixel, the clear colour.
PIXEL_STATS_JS = """
async (b64) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0);
  const d = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const bg = [d[0], d[1], d[2]];
  const colours = new Set();
  let differ = 0;
  for (let i = 0; i < d.length; i += 4) {
    const delta = Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]);
    if (delta > 30) differ += 1;
    colours.add(((d[i] >> 3) << 10) | ((d[i + 1] >> 3) << 5) | (d[i + 2] >> 3));
  }
  return { differ: differ / (d.length / 4), colours: colours.size };
}
"""

HIDE_OVERLAYS_CSS = ".scene-labels, .toolbar, .details, .tooltip { visibility: hidden !important; }"


def _open(page: Page, app: DemoApp) -> None:
    sign_in(page, app, "operator")


def _canvas_stats(page: Page) -> dict[str, float]:
    """Pixel statistics of the WebGL canvas alone (HTML overlays hidden)."""
    style = page.add_style_tag(content=HIDE_OVERLAYS_CSS)
    try:
        png = page.get_by_test_id("venue-canvas").screenshot()
    finally:
        style.evaluate("el => el.remove()")
    stats: dict[str, float] = page.evaluate(PIXEL_STATS_JS, base64.b64encode(png).decode())
    return stats


# Read the row and the live value in one task, so a delta cannot land between them.
ROW_SHOWS_LIVE_VALUE_JS = """
(id) => {
  const row = document.querySelector(`[data-testid="sensor-row-${id}"]`);
  return row !== null && Number(row.dataset.value) === window.__venueTwin.sensorValues[id];
}
"""


def _wait_for_values(page: Page) -> dict[str, float]:
    page.wait_for_function(
        "() => Object.keys(window.__venueTwin.sensorValues).length > 0", timeout=CHANGE_TIMEOUT_MS
    )
    values: dict[str, float] = page.evaluate("() => ({ ...window.__venueTwin.sensorValues })")
    return values


def test_page_draws_the_venue_and_shows_live_changing_values(
    page: Page, demo_app: DemoApp, screenshot_dir: Path
) -> None:
    _open(page, demo_app)
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    expect(page.get_by_test_id("venue-name")).to_have_text("Museum wing (sample)")

    # WebGL really rendered the venue: a real context, and a canvas that is
    # far from a single clear colour.
    assert page.evaluate("() => !!document.querySelector('canvas').getContext('webgl2')")
    stats = _canvas_stats(page)
    assert stats["differ"] > 0.15, f"canvas looks blank: {stats}"
    assert stats["colours"] > 40, f"canvas has too few colours for a 3D scene: {stats}"

    # A live value shows in its sensor row, with its unit.
    values = _wait_for_values(page)
    sensor_id = sorted(values)[0]
    row = page.get_by_test_id(f"sensor-row-{sensor_id}")
    expect(row).to_have_attribute("data-value", re.compile(r"^-?\d"))
    assert page.evaluate(ROW_SHOWS_LIVE_VALUE_JS, sensor_id)
    value_text = page.get_by_test_id(f"sensor-value-{sensor_id}").inner_text()
    assert re.search(r"\d", value_text), value_text
    page.screenshot(path=screenshot_dir / "live-dark.png")

    # Values keep arriving: some sensor's value changes, and its row follows.
    changed_id: str = page.wait_for_function(
        """(first) => {
             const now = window.__venueTwin.sensorValues;
             return Object.keys(now).find((k) => k in first && now[k] !== first[k]) || null;
           }""",
        arg=values,
        timeout=CHANGE_TIMEOUT_MS,
    ).json_value()
    new_value = page.evaluate("(id) => window.__venueTwin.sensorValues[id]", changed_id)
    assert new_value != values[changed_id]
    assert page.evaluate(ROW_SHOWS_LIVE_VALUE_JS, changed_id)
    assert page.evaluate("() => Date.now() - window.__venueTwin.lastFrameAt") < 15_000
    page.screenshot(path=screenshot_dir / "live-dark-later.png")


def test_sensor_details_show_history_and_follow_theme(
    page: Page, demo_app: DemoApp, screenshot_dir: Path
) -> None:
    _open(page, demo_app)
    _wait_for_values(page)
    page.get_by_test_id("sensor-row-gallery-a-temp").click()
    details = page.get_by_test_id("details")
    expect(details).to_be_visible()
    expect(details).to_contain_text("gallery-a-temp")
    expect(page.get_by_test_id("details-value")).to_contain_text("°C", timeout=CHANGE_TIMEOUT_MS)
    expect(details).to_contain_text("Warn high")

    # The last hour comes from the history endpoint and is drawn by uPlot.
    chart = page.get_by_test_id("history-chart")
    expect(chart).to_have_attribute("data-state", "ready", timeout=CHANGE_TIMEOUT_MS)
    expect(chart.locator("canvas")).to_have_count(1)

    theme_before = page.evaluate("() => document.documentElement.dataset.theme")
    page.get_by_test_id("theme-toggle").click()
    theme_after = page.evaluate("() => document.documentElement.dataset.theme")
    assert {theme_before, theme_after} == {"dark", "light"}
    expect(chart).to_have_attribute("data-state", "ready", timeout=CHANGE_TIMEOUT_MS)
    page.screenshot(path=screenshot_dir / "details-light.png")

    # The details take the list's place; Esc brings the list back.
    expect(page.get_by_test_id("sensor-list")).to_be_hidden()
    page.keyboard.press("Escape")
    expect(details).to_be_hidden()
    expect(page.get_by_test_id("sensor-list")).to_be_visible()


def test_clicking_a_marker_in_3d_selects_that_sensor(page: Page, demo_app: DemoApp) -> None:
    _open(page, demo_app)
    target = "gallery-b-temp"
    position: dict[str, Any] | None = page.evaluate(
        "(id) => window.__venueTwin.sensorScreenPosition(id)", target
    )
    assert position is not None, "marker is outside the initial view"
    page.mouse.click(position["x"], position["y"])
    expect(page.get_by_test_id("details")).to_contain_text(target)
    expect(page.get_by_test_id(f"sensor-row-{target}")).to_have_class(re.compile(r"\bselected\b"))


def test_page_reconnects_and_resubscribes_after_the_socket_drops(
    page: Page, demo_app: DemoApp
) -> None:
    # Route the socket through Playwright so the test can cut it as a proxy
    # or a server restart would; each new socket goes on to the real server.
    sockets: list[WebSocketRoute] = []
    subscribes: list[str] = []

    def relay(route: WebSocketRoute) -> None:
        server = route.connect_to_server()
        sockets.append(route)

        def to_server(message: str | bytes) -> None:
            if isinstance(message, str) and '"subscribe"' in message:
                subscribes.append(message)
            server.send(message)

        route.on_message(to_server)

    page.route_web_socket(re.compile(r"/ws"), relay)
    _open(page, demo_app)
    connection = page.get_by_test_id("connection")
    expect(connection).to_have_attribute("data-state", "live")
    page.evaluate(
        """() => {
             const el = document.querySelector('[data-testid=connection]');
             window.__states = [];
             new MutationObserver(() => window.__states.push(el.dataset.state))
               .observe(el, { attributes: true, attributeFilter: ['data-state'] });
           }"""
    )
    assert len(sockets) == 1
    sockets[0].close(code=1012, reason="service restart")

    page.wait_for_function(
        "() => window.__states.includes('reconnecting')"
        " && window.__venueTwin.connection === 'live'",
        timeout=READY_TIMEOUT_MS,
    )
    assert len(sockets) == 2
    assert len(subscribes) == 2, "the new socket must subscribe again"
    expect(connection).to_have_attribute("data-state", "live")


def test_venue_is_drawn_from_zone_polygons_when_the_mesh_fails(
    page: Page, demo_app: DemoApp
) -> None:
    page.route("**/mesh.glb*", lambda route: route.fulfill(status=503, body="mesh store down"))
    _open(page, demo_app)
    stats = _canvas_stats(page)
    assert stats["differ"] > 0.15, f"no venue drawn without the mesh: {stats}"
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live")


def test_quantity_selector_recolours_the_venue(page: Page, demo_app: DemoApp) -> None:
    _open(page, demo_app)
    page.get_by_test_id("quantity-temperature").click()
    expect(page.get_by_test_id("legend")).to_contain_text("Temperature")
    page.get_by_test_id("quantity-co2").click()
    expect(page.get_by_test_id("quantity-co2")).to_have_attribute("aria-checked", "true")
    expect(page.get_by_test_id("legend")).to_contain_text("ppm")
    expect(page.get_by_test_id("zone-label-gallery-a")).to_contain_text(re.compile(r"ppm|—"))


def test_layout_scales_up_on_a_wall_display(
    browser: Browser, demo_app: DemoApp, screenshot_dir: Path
) -> None:
    sizes: dict[str, float] = {}
    for name, width, height in (("laptop", 1366, 768), ("wall", 2560, 1440)):
        context = browser.new_context(viewport={"width": width, "height": height})
        try:
            page = context.new_page()
            _open(page, demo_app)
            sizes[name] = page.evaluate(
                "() => parseFloat(getComputedStyle(document.documentElement).fontSize)"
            )
            canvas = page.get_by_test_id("venue-canvas").bounding_box()
            assert canvas is not None
            # The 3D view takes most of the screen; the panel the rest.
            assert canvas["width"] > width * 0.6
            assert canvas["height"] == pytest.approx(height, abs=2)
            if name == "wall":
                _wait_for_values(page)
                page.screenshot(path=screenshot_dir / "wall-2560.png")
        finally:
            context.close()
    assert sizes["wall"] > sizes["laptop"] * 1.3
