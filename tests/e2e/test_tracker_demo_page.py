"""The demo, as shipped: the entrance hall's people tracker shows in the zone's details (issue 13).

No venue file or device of one's own: the museum wing declares a tracker over
its entrance hall and the demo's simulator sends its count-and-positions
frames, so an operator sees the hall's classic and Voronoi density, the
walking speed measured from the tracks and the people themselves, as dots
on the hall's floor, within the first minute.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoApp, sign_in

pytestmark = pytest.mark.e2e

DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


def test_the_demo_entrance_shows_the_trackers_densities_and_speed(
    page: Page, demo_app: DemoApp
) -> None:
    sign_in(page, demo_app, "operator")
    page.get_by_test_id("tab-zones").click()
    page.get_by_test_id("zone-row-entrance").click()
    expect(page.get_by_test_id("zone-tracked")).to_have_text(
        re.compile(r"^\d+\.\d\d · \d+\.\d\d p/m²$"), timeout=60_000
    )
    # The tracker's people, drawn where it saw them: as many dots as it located.
    # Waited for first: a speed is measured only while the hall holds people
    # whose tracks last two frames, and the hall empties now and then.
    page.wait_for_function(
        "() => (window.__venueTwin.trackedPeople['entrance'] ?? 0) > 0", timeout=60_000
    )
    # The simulated visitors walk at 0.8 m/s, turning at the walls.
    expect(page.get_by_test_id("zone-dwell")).to_contain_text(
        re.compile(r"0\.\d\d m/s"), timeout=60_000
    )
    drawn = page.evaluate("() => window.__venueTwin.trackedPeople")
    assert set(drawn) >= {"entrance"} and all(n == 0 for z, n in drawn.items() if z != "entrance")
    page.screenshot(path=DOCS_IMAGES / "crowd-tracker-demo.png")
