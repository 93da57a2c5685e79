"""A zone a people tracker watches shows the tracker's densities and speed (issue 13).

Its own ``venue-twin demo`` on the museum wing with a tracker in the corridor;
a device publishes count-and-positions frames on the demo's broker.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoApp, running_demo, sign_in
from twin.loader import load_sample
from twin.venue import Venue
from twin.venue_writer import write_venue_yaml

pytestmark = pytest.mark.e2e


@pytest.fixture
def tracker_demo(tmp_path: Path) -> Iterator[tuple[DemoApp, tuple[float, float, float, float]]]:
    doc = load_sample("museum-wing").model_dump(mode="json")
    floor = next(z for z in doc["zones"] if z["id"] == "corridor")["floor"]
    box = (min(p[0] for p in floor), min(p[1] for p in floor))
    box += (max(p[0] for p in floor), max(p[1] for p in floor))
    doc["sensors"].append(
        {
            "id": "corridor-tracker",
            "kind": "people_tracker",
            "zone": "corridor",
            "position": [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2, 2.5],
            # The demo's simulator publishes frames for every tracker of the
            # venue at its interval; hourly keeps them out of this device's
            # stream (interleaved frames of two sources break every track).
            "interval_s": 3600,
        }
    )
    write_venue_yaml(Venue.model_validate(doc), tmp_path / "wing.yaml")
    with running_demo(tmp_path, "--venue", str(tmp_path / "wing.yaml")) as app:
        assert app.mqtt_port is not None
        stop = threading.Event()
        feeder = threading.Thread(target=_feed, args=(app.mqtt_port, box, stop), daemon=True)
        feeder.start()
        try:
            yield app, box
        finally:
            stop.set()
            feeder.join(timeout=5)


def _feed(port: int, box: tuple[float, float, float, float], stop: threading.Event) -> None:
    """Six people with track ids walking along the corridor, two frames a second."""
    pub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="e2e-tracker")
    pub.connect("127.0.0.1", port)
    pub.loop_start()
    x0, y0, x1, y1 = box
    span = x1 - x0 - 2.0
    start = time.time()
    while not stop.is_set():
        ms = round(time.time() * 1000)
        walked = [ms / 1000 - start + 2.0 * i for i in range(6)]  # 1 m/s, 2 m apart
        # Someone who reaches the end starts again as a new track (a new id).
        pos = [[x0 + 1.0 + w % span, (y0 + y1) / 2] for w in walked]
        ids = [f"{i}-{int(w // span)}" for i, w in enumerate(walked)]
        frame = {"ts": ms, "count": 6, "positions": pos, "ids": ids}
        pub.publish("venues/museum-wing/sensors/corridor-tracker", json.dumps(frame), qos=1)
        stop.wait(0.5)
    pub.loop_stop()
    pub.disconnect()


def test_a_tracked_zone_shows_classic_and_voronoi_density_and_speed(
    page: Page,
    tracker_demo: tuple[DemoApp, tuple[float, float, float, float]],
    screenshot_dir: Path,
) -> None:
    app, _ = tracker_demo
    sign_in(page, app, "operator")
    page.get_by_test_id("tab-zones").click()
    page.get_by_test_id("zone-row-corridor").click()
    expect(page.get_by_test_id("zone-tracked")).to_have_text(
        re.compile(r"^\d+\.\d\d · \d+\.\d\d p/m²$"), timeout=60_000
    )
    # 1 m/s: a walking speed, measured from the tracks.
    expect(page.get_by_test_id("zone-dwell")).to_contain_text("1.00 m/s", timeout=30_000)
    page.screenshot(path=screenshot_dir / "tracker-zone-details.png")
    # A zone without a tracker has no such field.
    page.get_by_test_id("details-close").click()
    page.get_by_test_id("zone-row-gallery-b").click()
    expect(page.get_by_test_id("zone-occupancy")).to_be_visible()
    expect(page.get_by_test_id("zone-tracked")).to_have_count(0)
