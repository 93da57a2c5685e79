"""The demo shows visitors and their flow from its first minute, dwell soon after (issue 13)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoApp, sign_in

pytestmark = pytest.mark.e2e

FIRST_MINUTE_MS = 60_000


def test_zone_details_show_visitors_and_flow_at_once_and_dwell_once_measured(
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
    # How far to trust the count: its 95 % band in whole people, shown, not
    # only in a tooltip (a range "lo-hi", or one number when it is exact).
    expect(page.get_by_test_id("zone-occupancy-band")).to_have_text(
        re.compile(r"^\d+(\u2013\d+)? people$"), timeout=FIRST_MINUTE_MS
    )
    # Dwell is a measurement (Little's law once five people have come in), so
    # it shows first where visitors pass: the corridor every visitor walks. At
    # night's arrival rate (about one a minute into it) that takes minutes.
    page.get_by_test_id("details-close").click()
    page.get_by_test_id("zone-row-corridor").click()
    expect(page.get_by_test_id("zone-dwell")).to_have_text(
        re.compile(r"\d+\s*(s|min|h)"), timeout=4 * FIRST_MINUTE_MS
    )
    page.screenshot(path=screenshot_dir / "crowd-zone-details.png")
