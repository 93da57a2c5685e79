"""A multi-storey building imported from IFC, in the browser: one storey, all, or exploded.

The demo imports a small two-storey IFC building (the one the importer's
unit tests build) with its suggested sensors and serves it; the page names
the storeys as the file does and groups the zone list by storey.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    DemoApp,
    running_demo,
    sign_in,
)

pytest.importorskip("ifcopenshell")

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def house_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoApp]:
    from tests.unit.twin.test_bim_gates import _building

    workdir = tmp_path_factory.mktemp("house-demo")
    ifc = _building(workdir / "house.ifc", "IFC4")
    with running_demo(workdir, "--venue", str(ifc)) as app:
        yield app


def test_one_storey_all_or_exploded_and_zones_grouped_by_storey(
    page: Page, house_app: DemoApp, screenshot_dir: Path
) -> None:
    sign_in(page, house_app)
    storeys = page.get_by_test_id("storeys")
    assert storeys.locator("button").all_inner_texts() == [
        "All storeys",
        "Ground",
        "Upper",
        "Exploded",
    ]
    assert page.evaluate("window.__venueTwin.storey") == "all"

    page.get_by_test_id("storey-1").click()  # Upper
    assert page.evaluate("window.__venueTwin.storey") == "Upper"
    # Labels follow on the next frame: expect() waits for it.
    expect(page.get_by_test_id("zone-label-a")).to_be_hidden()
    expect(page.get_by_test_id("zone-label-l")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "storeys-upper.png"))

    page.get_by_test_id("storey-exploded").click()
    assert page.evaluate("window.__venueTwin.storey") == "exploded"
    expect(page.get_by_test_id("zone-label-a")).to_be_visible()
    expect(page.get_by_test_id("zone-label-l")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "storeys-exploded.png"))

    page.get_by_test_id("tab-zones").click()
    expect(page.get_by_test_id("zone-list")).to_be_visible()
    headings = page.get_by_test_id("zone-storey").all_text_contents()
    assert [h.strip() for h in headings] == ["Ground (3)", "Upper (2)"]
