"""A year of imported logger history in the viewer: the chart's year range draws it,
and its unplaced channel is offered to engineers for placement."""

from __future__ import annotations

import math
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoApp, sign_in

pytestmark = pytest.mark.e2e


def _year_export(path: Path) -> None:
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    t = end - timedelta(days=365)
    lines = ["Logger,Gallery A TH", "Interval,1 h", "", "Date/Time,Temperature (°C),Humidity (%RH)"]
    while t < end:
        phase = (t - end).total_seconds() / 86400 / 58
        temp, rh = 20 - 2.5 * math.cos(phase), 50 + 5 * math.sin(phase)
        lines.append(f"{t:%d/%m/%Y %H:%M},{temp:.2f},{rh:.1f}")
        t += timedelta(hours=1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


@pytest.fixture(scope="module")
def imported(demo_app: DemoApp, tmp_path_factory: pytest.TempPathFactory) -> None:
    if demo_app.credentials_path is None:
        pytest.skip("needs the demo's own store")
    export = tmp_path_factory.mktemp("archive") / "gallery-a.csv"
    _year_export(export)
    db = demo_app.credentials_path.parent / "demo.sqlite3"
    launcher = "import sys; from venue_twin.cli import main; sys.exit(main())"
    cmd = [sys.executable, "-c", launcher, "import", str(export), "--store", f"sqlite:///{db}"]
    cmd += ["--venue", "sample:museum-wing", "--tz", "UTC"]
    cmd += ["--map", "Temperature=gallery-a-temp", "--map", "Humidity=gallery-a-logger-rh"]
    subprocess.run(cmd, check=True, timeout=120, capture_output=True)


def test_a_year_of_imported_history_in_the_chart(
    page: Page, demo_app: DemoApp, imported: None, screenshot_dir: Path
) -> None:
    sign_in(page, demo_app, "admin")
    page.get_by_test_id("sensor-row-gallery-a-temp").click()
    chart = page.get_by_test_id("history-chart")
    expect(chart).to_have_attribute("data-state", "ready", timeout=30_000)
    page.get_by_test_id("history-range-1y").click()
    expect(chart).to_contain_text("Last year")
    expect(chart).to_have_attribute("data-state", "ready", timeout=30_000)
    expect(chart.locator("canvas")).to_have_count(1)
    chart.screenshot(path=screenshot_dir / "imported-year-chart.png")
    # The imported humidity channel has no place yet: an engineer (here admin) may place it.
    placement = page.get_by_test_id("placement")
    expect(placement).to_contain_text("gallery-a-logger-rh")
    page.get_by_test_id("place-gallery-a-logger-rh").click()
    expect(page.get_by_test_id("placement-kind")).to_have_value("humidity")


def test_operators_are_not_offered_placement(page: Page, demo_app: DemoApp, imported: None) -> None:
    sign_in(page, demo_app, "operator")
    expect(page.get_by_test_id("sensor-row-gallery-a-temp")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("placement")).to_have_count(0)
