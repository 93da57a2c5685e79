"""Device health in the sensor details: with the demo's devices speaking ChirpStack,
an operator opening a sensor sees its gateway, RSSI and SNR, in either language."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from playwright.sync_api import Browser, Page, expect

from simulators.formats import _eui
from tests.e2e.conftest import (
    DemoApp,
    running_demo,
    sign_in,
)

pytestmark = pytest.mark.e2e

VENUE = "museum-wing"


@pytest.fixture(scope="module")
def chirpstack_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoApp]:
    """The demo with every simulated device publishing ChirpStack v4 uplinks."""
    with running_demo(tmp_path_factory.mktemp("demo-chirpstack"), "--format", "chirpstack") as app:
        yield app


def test_sensor_details_show_the_device_radio_link(
    page: Page, chirpstack_demo: DemoApp, screenshot_dir: Path
) -> None:
    sign_in(page, chirpstack_demo, "operator")
    page.get_by_test_id("sensor-row-gallery-a-temp").click()
    health = page.get_by_test_id("device-health")
    expect(health).to_be_visible(timeout=30_000)
    expect(health).to_contain_text("Signal (RSSI)")
    expect(health).to_contain_text("-70 dBm")
    expect(health).to_contain_text("7.5 dB")
    expect(health).to_contain_text("0016c001f153a14c")
    # A strong link and no battery figure: no warning badge.
    expect(page.get_by_test_id("device-weak-signal")).to_have_count(0)
    expect(page.get_by_test_id("device-low-battery")).to_have_count(0)
    page.get_by_test_id("details").screenshot(path=screenshot_dir / "device-health-details.png")


def _weak_uplinks(port: int, stop: threading.Event) -> None:
    """gallery-a-temp heard faintly by one gateway, repeated so the simulator's own
    (strong) uplinks of the same device cannot hide it when the page asks."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"e2e-weak-{time.monotonic_ns()}")
    client.connect("127.0.0.1", port)
    client.loop_start()
    eui = _eui(VENUE, "gallery-a-temp")
    doc = {
        "deviceInfo": {"devEui": eui, "deviceName": "gallery-a-temp"},
        "rxInfo": [{"gatewayId": "0016c001ff10d3f6", "rssi": -121, "snr": -12.25}],
        # The demo declares its LoRaWAN thermometers in °F: 68 °F is 20 °C.
        "object": {"temperature": 68.0},
    }
    try:
        while not stop.is_set():
            client.publish(f"application/sim/device/{eui}/event/up", json.dumps(doc), qos=1)
            stop.wait(0.2)
    finally:
        client.loop_stop()
        client.disconnect()


def test_weak_link_badge_in_chinese(
    browser: Browser, chirpstack_demo: DemoApp, screenshot_dir: Path
) -> None:
    assert chirpstack_demo.mqtt_port is not None
    stop = threading.Event()
    sender = threading.Thread(target=_weak_uplinks, args=(chirpstack_demo.mqtt_port, stop))
    sender.start()
    context = browser.new_context(
        viewport={"width": 1600, "height": 900}, color_scheme="dark", locale="zh-CN"
    )
    try:
        page = context.new_page()
        sign_in(page, chirpstack_demo, "operator")
        time.sleep(1.0)  # a few weak uplinks are in
        page.get_by_test_id("sensor-row-gallery-a-temp").click()
        health = page.get_by_test_id("device-health")
        expect(health).to_be_visible(timeout=30_000)
        expect(health).to_contain_text("信号强度")
        expect(health).to_contain_text("-121 dBm")
        expect(page.get_by_test_id("device-weak-signal")).to_have_text("信号弱")
        expect(page.get_by_test_id("details-value")).to_contain_text("20.0")
        page.get_by_test_id("details").screenshot(path=screenshot_dir / "device-health-weak-zh.png")
    finally:
        context.close()
        stop.set()
        sender.join(timeout=5)
