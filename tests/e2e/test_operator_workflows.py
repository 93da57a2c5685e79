"""What operators, viewers and engineers do with the page, against ``venue-twin demo``.

Signing in (and out), floors coloured live by the GPU sensor field, an alarm
raised by a real reading published to the demo's broker and acknowledged with
a note, a viewer who sees alarms but cannot act on them, and an engineer who
scrubs the time slider into a replay and comes back to live.
"""

from __future__ import annotations

import base64
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import REPO, DemoApp, sign_in
from tests.e2e.demo_publisher import Publisher

pytestmark = pytest.mark.e2e

VENUE = "museum-wing"
SENSOR = "gallery-a-temp"
# A floor point of gallery A (venue metres), away from its label and markers.
GALLERY_A_FLOOR = (23.5, 15.5, 0.0)
ALARM_TIMEOUT_MS = 30_000
HIDE_OVERLAYS_CSS = (
    ".scene-labels, .toolbar, .details, .tooltip, .overlay-top, .replay-dock"
    " { visibility: hidden !important; }"
)

# Mean colour of a small square of a PNG, decoded in the page (no imaging library needed).
PIXEL_JS = """
async ([b64, x, y]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0);
  const d = ctx.getImageData(Math.round(x) - 2, Math.round(y) - 2, 5, 5).data;
  const sum = [0, 0, 0];
  for (let i = 0; i < d.length; i += 4) for (let c = 0; c < 3; c += 1) sum[c] += d[i + c];
  return sum.map((v) => v / (d.length / 4));
}
"""


def _floor_colour(page: Page, venue_point: tuple[float, float, float]) -> list[float]:
    """The rendered colour of a floor point, overlays hidden (the WebGL output alone)."""
    position: dict[str, float] | None = page.evaluate(
        "([x, y, z]) => window.__venueTwin.venueScreenPosition(x, y, z)", list(venue_point)
    )
    assert position is not None, "floor point outside the view"
    canvas = page.get_by_test_id("venue-canvas")
    box = canvas.bounding_box()
    assert box is not None
    style = page.add_style_tag(content=HIDE_OVERLAYS_CSS)
    try:
        png = canvas.screenshot()
    finally:
        style.evaluate("el => el.remove()")
    colour: list[float] = page.evaluate(
        PIXEL_JS,
        [base64.b64encode(png).decode(), position["x"] - box["x"], position["y"] - box["y"]],
    )
    return colour


def _wait_colour(
    page: Page, predicate: Callable[[list[float]], bool], timeout_s: float, what: str
) -> list[float]:
    deadline = time.monotonic() + timeout_s
    colour = _floor_colour(page, GALLERY_A_FLOOR)
    while not predicate(colour):
        if time.monotonic() > deadline:
            pytest.fail(f"gallery A floor never became {what}: last colour {colour}")
        page.wait_for_timeout(300)
        colour = _floor_colour(page, GALLERY_A_FLOOR)
    return colour


def _reddish(c: list[float]) -> bool:
    return c[0] > c[1] + 40 and c[0] > c[2] + 30


def _greenish(c: list[float]) -> bool:
    return c[1] > c[0] + 25


def _first_reading(page: Page, app: DemoApp) -> float:
    """Time of the oldest stored reading of the test sensor in the last hour."""
    now = time.time()
    response = page.request.get(
        f"{app.base_url}/api/venues/{VENUE}/sensors/{SENSOR}/history"
        f"?start={now - 3600:.0f}&end={now:.0f}",
        headers={"Authorization": f"Bearer {_token(page)}"},
    )
    assert response.ok, response.text()
    points = response.json().get("points") or []
    assert points, "no stored readings to replay"
    return float(min(p["ts"] for p in points))


def _token(page: Page) -> str:
    token: str = page.evaluate(
        "() => JSON.parse(sessionStorage.getItem('venue-twin.session')).token"
    )
    return token


def test_sign_in_shows_the_user_and_role_and_keeps_the_token_out_of_urls(
    page: Page, demo_app: DemoApp, screenshot_dir: Path
) -> None:
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(demo_app.base_url + "/")
    expect(page.get_by_test_id("login")).to_be_visible()
    page.screenshot(path=screenshot_dir / "login.png")

    page.get_by_test_id("login-username").fill("operator")
    page.get_by_test_id("login-password").fill("not-the-password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_contain_text("Wrong username or password")

    sign_in(page, demo_app, "operator")
    expect(page.get_by_test_id("user-name")).to_have_text("operator")
    expect(page.get_by_test_id("user-role")).to_have_text("operator")
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    assert sockets, "no WebSocket opened"
    assert all("token" not in url for url in [page.url, *sockets]), (page.url, sockets)

    # A reload stays signed in (sessionStorage); logging out returns to the login screen.
    page.reload()
    page.wait_for_function("() => window.__venueTwin.ready", timeout=60_000)
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login")).to_be_visible()
    assert page.evaluate("() => sessionStorage.getItem('venue-twin.session')") is None


def test_a_refused_token_sends_the_operator_back_to_sign_in(page: Page, demo_app: DemoApp) -> None:
    page.goto(demo_app.base_url + "/")
    page.evaluate(
        """() => sessionStorage.setItem('venue-twin.session', JSON.stringify(
             { token: 'forged', username: 'mallory', role: 'admin',
               expires_at: Date.now() / 1000 + 3600 }))"""
    )
    page.reload()
    expect(page.get_by_test_id("login")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("login")).to_contain_text("session ended")


def test_floor_colours_follow_live_readings_on_the_gpu(
    page: Page, demo_app: DemoApp, publisher: Publisher, screenshot_dir: Path
) -> None:
    sign_in(page, demo_app, "operator")
    page.get_by_test_id("quantity-temperature").click()
    field = page.evaluate("() => window.__venueTwin.floorField")
    assert field == {"quantity": "temperature", "interpolated": True, "sensors": 5}
    page.wait_for_function(f"() => '{SENSOR}' in window.__venueTwin.sensorValues", timeout=60_000)
    _wait_colour(page, _greenish, 30, "green (about 20 degC)")

    # A hot reading: the gallery's floor turns red where the shader interpolates it.
    publisher.keep_sending(SENSOR, 35.0)
    _wait_colour(page, _reddish, 30, "red (35 degC)")
    page.screenshot(path=screenshot_dir / "floor-hot.png")

    # The simulator's own readings bring it back.
    publisher.stop_sending()
    _wait_colour(page, _greenish, 60, "green again after the simulator's next reading")


def test_operator_acknowledges_an_alarm_with_a_note(
    page: Page, demo_app: DemoApp, publisher: Publisher, screenshot_dir: Path
) -> None:
    sign_in(page, demo_app, "operator")
    # A reading beyond the sensor's physical range is a device fault: a critical alarm.
    publisher.keep_sending(SENSOR, 120.0)
    row = (
        page.locator("[data-testid^='alarm-row-']").filter(has_text="Temperature · Gallery A").first
    )
    expect(row).to_be_visible(timeout=ALARM_TIMEOUT_MS)
    expect(row).to_have_attribute("data-severity", "critical")
    expect(page.get_by_test_id(f"alarm-badge-{SENSOR}")).to_be_visible()
    expect(page.get_by_test_id("attention")).to_contain_text("critical alarm")
    page.screenshot(path=screenshot_dir / "operator-alarm.png")
    if os.environ.get("VENUE_TWIN_UPDATE_README_IMAGE"):
        # The README's picture, refreshed on request (tests do not edit the tree otherwise).
        readme_image = REPO / "docs" / "images" / "viewer.png"
        shutil.copyfile(screenshot_dir / "operator-alarm.png", readme_image)

    alarm_id = (row.get_attribute("data-alarm") or "").strip()
    assert alarm_id
    # Clicking the source focuses it in 3D: the sensor's details open.
    page.get_by_test_id(f"alarm-source-{alarm_id}").click()
    expect(page.get_by_test_id("details")).to_contain_text(SENSOR)

    page.get_by_test_id(f"alarm-ack-{alarm_id}").click()
    page.get_by_test_id(f"alarm-note-{alarm_id}").fill("technician called")
    page.screenshot(path=screenshot_dir / "operator-acknowledging.png")
    page.get_by_test_id(f"alarm-ack-confirm-{alarm_id}").click()
    publisher.stop_sending()
    expect(page.get_by_test_id(f"alarm-ack-{alarm_id}")).to_be_hidden()

    # The server recorded who acknowledged it and why.
    response = page.request.get(
        f"{demo_app.base_url}/api/alarms/{alarm_id}/history",
        headers={"Authorization": f"Bearer {_token(page)}"},
    )
    assert response.ok, response.text()
    actions = [(i["action"], i["user"], i.get("note")) for i in response.json()["items"]]
    assert ("acknowledge", "operator", "technician called") in actions, actions

    # The next shift reads it in the alarm log: who acknowledged it and the note.
    page.get_by_test_id("details-close").click()
    page.get_by_test_id("tab-log").click()
    entry = page.get_by_test_id(f"alarm-log-{alarm_id}")
    expect(entry).to_contain_text("by operator", timeout=10_000)
    entry.locator("button").first.click()
    expect(entry.locator(".alarm-history")).to_contain_text("Acknowledged by operator")
    expect(entry.locator(".alarm-history")).to_contain_text("technician called")
    page.screenshot(path=screenshot_dir / "alarm-log.png")


def test_operator_shelves_an_alarm_and_unshelves_it(
    page: Page, demo_app: DemoApp, publisher: Publisher, screenshot_dir: Path
) -> None:
    sensor = "gallery-b-temp"
    sign_in(page, demo_app, "operator")
    publisher.keep_sending(sensor, 120.0)
    # 120 degC raises two alarms: the threshold band (it stays while the value
    # does) and the physical-range anomaly (which comes and goes with the
    # detector). Follow the threshold alarm. The demo's simulator keeps
    # publishing the sensor's real value, so until the test stops sending 120
    # the condition flips between active and cleared: the alarm must stay
    # shelved through that (ISA-18.2 timed shelving).
    threshold = (
        page.locator("[data-testid^='alarm-row-']")
        .filter(has_text="Temperature · Gallery B")
        .filter(has_text="alarm limit")
    )
    expect(threshold.first).to_be_visible(timeout=ALARM_TIMEOUT_MS)
    alarm_id = threshold.first.get_attribute("data-alarm") or ""
    row = page.locator(f"[data-alarm='{alarm_id}']")
    state = page.get_by_test_id(f"alarm-state-{alarm_id}")
    expect(page.get_by_test_id(f"alarm-badge-{sensor}")).to_be_visible()

    # Shelved for 15 minutes: it says until when and moves out of the way.
    page.get_by_test_id(f"alarm-shelve-{alarm_id}").click()
    page.get_by_test_id(f"alarm-note-{alarm_id}").fill("sensor being replaced")
    page.get_by_test_id(f"alarm-shelve-{alarm_id}-900").click()
    expect(row).to_have_attribute("data-state", "shelved")
    expect(state).to_contain_text("Shelved until")
    expect(page.get_by_test_id("alarm-counts")).to_contain_text("shelved")
    listed = page.evaluate("() => window.__venueTwin.alarmIds")
    assert listed[-1] == alarm_id, "a shelved alarm is listed last"

    # The sensor is back to normal: the alarm stays on the shelf, and the page
    # and the server both say the condition has gone.
    publisher.stop_sending()
    publisher.reading(sensor, 21.0)
    expect(row).to_have_attribute("data-active", "false", timeout=ALARM_TIMEOUT_MS)
    expect(row).to_have_attribute("data-state", "shelved")
    expect(state).to_contain_text("back to normal")
    page.screenshot(path=screenshot_dir / "alarm-shelved-back-to-normal.png")
    server = {a["id"]: a for a in _api(page, demo_app, "/api/alarms?venue=" + VENUE)["items"]}
    assert (server[alarm_id]["state"], server[alarm_id]["active"]) == ("shelved", False)

    # Unshelving a returned-to-normal alarm returns it to normal: it closes.
    page.get_by_test_id(f"alarm-unshelve-{alarm_id}").click()
    expect(row).to_have_count(0)
    history = _api(page, demo_app, f"/api/alarms/{alarm_id}/history")["items"]
    assert [h["state"] for h in history][-2:] == ["shelved", "cleared"], history
    assert history[-1]["action"] == "unshelve" and history[-1]["user"] == "operator"


def _api(page: Page, demo_app: DemoApp, path: str) -> Any:
    response = page.request.get(
        f"{demo_app.base_url}{path}", headers={"Authorization": f"Bearer {_token(page)}"}
    )
    assert response.ok, response.text()
    return response.json()


def test_a_viewer_sees_alarms_but_cannot_act_on_them(
    browser: Browser, demo_app: DemoApp, publisher: Publisher, screenshot_dir: Path
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, color_scheme="light")
    try:
        page = context.new_page()
        sign_in(page, demo_app, "viewer")
        expect(page.get_by_test_id("user-role")).to_have_text("viewer")
        publisher.keep_sending(SENSOR, 120.0)
        expect(page.locator("[data-testid^='alarm-row-']").first).to_be_visible(
            timeout=ALARM_TIMEOUT_MS
        )
        publisher.stop_sending()
        # Alarms and their badges are there; no control to act on them.
        expect(page.locator("[data-testid^='alarm-ack-']")).to_have_count(0)
        expect(page.locator("[data-testid^='alarm-shelve-']")).to_have_count(0)
        expect(page.locator("[data-testid^='command-confirm-']")).to_have_count(0)
        expect(page.get_by_test_id("replay-slider")).to_have_count(0)
        page.screenshot(path=screenshot_dir / "viewer-role-light.png")
    finally:
        context.close()


def test_engineer_scrubs_into_a_replay_and_back_to_live(
    page: Page, demo_app: DemoApp, screenshot_dir: Path
) -> None:
    sign_in(page, demo_app, "admin")  # admin includes the engineer role
    page.wait_for_function(f"() => '{SENSOR}' in window.__venueTwin.sensorValues", timeout=60_000)
    banner = page.get_by_test_id("replay-banner")
    expect(banner).to_be_hidden()
    page.get_by_test_id("replay-window-3600").click()

    # The demo must have stored a minute and a half of readings to replay.
    first = _first_reading(page, demo_app)
    page.wait_for_timeout(max(0.0, first + 95 - time.time()) * 1000)

    # Scrub the slider 90 s into the past (of a one-hour window): a replay session starts there.
    page.get_by_test_id("replay-slider").evaluate(
        """(el) => {
             el.value = String(1000 - Math.round(90 / 3600 * 1000));
             el.dispatchEvent(new Event('input', { bubbles: true }));
             el.dispatchEvent(new Event('change', { bubbles: true }));
           }"""
    )
    expect(banner).to_be_visible(timeout=30_000)
    expect(banner).to_contain_text("REPLAY")
    page.wait_for_function("() => window.__venueTwin.replay !== null", timeout=30_000)
    expect(page.get_by_test_id("app")).to_have_attribute("data-mode", "replay")
    started: float = page.evaluate("() => window.__venueTwin.replay.t")
    assert time.time() - 200 < started < time.time() - 30
    # The page shows the replayed state: values as they were then.
    page.wait_for_function(f"() => '{SENSOR}' in window.__venueTwin.sensorValues", timeout=30_000)

    # Play at 10x: replay time moves much faster than the wall clock (and the
    # 90 s up to the window's end last 9 s, time enough to pause before it).
    page.get_by_test_id("replay-speed-10").click()
    page.get_by_test_id("replay-play").click()
    expect(page.get_by_test_id("replay-play")).to_have_attribute("data-playing", "true")
    page.wait_for_function(
        "(t0) => window.__venueTwin.replay && window.__venueTwin.replay.t > t0 + 15",
        arg=started,
        timeout=30_000,
    )
    page.screenshot(path=screenshot_dir / "replay.png")
    page.get_by_test_id("replay-play").click()
    expect(page.get_by_test_id("replay-play")).to_have_attribute("data-playing", "false")

    # Back to live: banner gone, live frames again.
    left_at = page.evaluate("() => Date.now()")
    page.get_by_test_id("replay-live").click()
    expect(banner).to_be_hidden()
    expect(page.get_by_test_id("app")).to_have_attribute("data-mode", "live")
    assert page.evaluate("() => window.__venueTwin.replay") is None
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    page.wait_for_function(
        "(t) => window.__venueTwin.lastFrameAt > t && window.__venueTwin.replay === null",
        arg=left_at,
        timeout=30_000,
    )
