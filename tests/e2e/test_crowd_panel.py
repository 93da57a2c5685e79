"""The demo shows visitors, their flow and dwell from its first minute (issue 13)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoApp, sign_in

FIRST_MINUTE_MS = 60_000


def test_zone_details_show_visitors_flow_and_dwell_in_the_first_minute(
    page: Page, demo_app: DemoApp, screenshot_dir: Path
) -> None:
    sign_in(page, demo_app, "operator")
    page.get_by_test_id("tab-zones").click()
    page.get_by_test_id("zone-row-gallery-b").click()
    details = page.get_by_test_id("details")
    expect(details).to_be_visible()
    # The simulator starts with the visitors of the hour and the estimator with
    # that head count: the gallery is not empty (a count above zero).
    expect(page.get_by_test_id("zone-occupancy")).to_have_text(
        re.compile(r"^[1-9]"), timeout=FIRST_MINUTE_MS
    )
    expect(page.get_by_test_id("zone-flow")).to_contain_text("/s", timeout=FIRST_MINUTE_MS)
    expect(page.get_by_test_id("zone-dwell")).not_to_have_text("—", timeout=FIRST_MINUTE_MS)
    page.screenshot(path=screenshot_dir / "crowd-zone-details.png")
