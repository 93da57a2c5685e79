"""Reports against hand computations, from a real SQLite store, and the documents open.

Three days of constructed history for the museum wing (plus a month before,
for the 30-day moving average): Gallery B at 20 degC / 50 %RH except six hours
at 25 degC; its lamp at 50 lx for 8 h a day; 60 visitors a day through the main
door, each staying 30 minutes; Gallery B's RH sensor silent on the third day.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader

from ingest.contract import Reading
from ingest.store.sqlite import SqliteStore
from reports import Scope, load_report_data, make_report
from reports.build import build_report
from reports.html import write_html
from reports.render import write_pdf
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import Action, Alarm, AlarmState, AlarmTransition, Severity
from twin.analytics.conservation import ClimateClass
from twin.loader import load_sample

V = "museum-wing"
DAY = 86_400.0
START = 1_795_996_800.0  # 2026-11-30 00:00 UTC (London is on UTC then)
END = START + 3 * DAY
STEP = 60.0


def _readings() -> list[Reading]:
    out: list[Reading] = []
    ts = np.arange(START - 30 * DAY, END, STEP)
    hot = (ts >= START + DAY + 10 * 3600) & (ts < START + DAY + 16 * 3600)  # 6 h on day 2
    for t, is_hot in zip(ts.tolist(), hot.tolist(), strict=True):
        out.append(Reading(V, "gallery-b-temp", t, 25.0 if is_hot else 20.0))
        if t < START + 2 * DAY:  # the RH sensor is silent on day 3
            out.append(Reading(V, "gallery-b-rh", t, 50.0))
        if t >= START:
            hour = ((t - START) % DAY) / 3600
            out.append(Reading(V, "gallery-b-lux", t, 50.0 if 9 <= hour < 17 else 0.0))
            minute = (t - START) % DAY / 60
            # 60 visitors a day: one a minute 10:00-11:00 in, and out 30 minutes later.
            ins = min(max(minute - 600 + 1, 0), 60) + 60 * ((t - START) // DAY)
            outs = min(max(minute - 630 + 1, 0), 60) + 60 * ((t - START) // DAY)
            out.append(Reading(V, "gate-main-door", t, float(ins)))
            out.append(Reading(V, "gate-main-door-back", t, float(outs)))
    return out


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("report") / "history.sqlite3"


@pytest.fixture
async def store(store_path: Path) -> SqliteStore:
    s = SqliteStore(store_path)
    await s.open()
    if not await s.latest(V):
        readings = _readings()
        for i in range(0, len(readings), 50_000):
            await s.write_readings(readings[i : i + 50_000])
    return s


async def _alarms() -> MemoryAlarmStore:
    store = MemoryAlarmStore()
    await store.open()
    raised = START + DAY + 10 * 3600
    alarm = Alarm(
        "a1", V, "gallery-b-temp", "threshold", Severity.CRITICAL, AlarmState.CLEARED,
        "gallery-b-temp reads 25 °C", 25.0, 1, False, raised, raised + 6 * 3600,
        acknowledged_at=raised + 600, acknowledged_by="ana", cleared_at=raised + 6 * 3600,
    )  # fmt: skip
    await store.save_alarm(
        alarm, AlarmTransition("a1", raised, Action.RAISE, None, AlarmState.RAISED, "system")
    )
    return store


async def test_figures_match_hand_computations(store: SqliteStore) -> None:
    venue = load_sample(V)
    data = await load_report_data(
        store, await _alarms(), venue, START, END, Scope(zone="gallery-b")
    )
    report = build_report(data, "en", ClimateClass.A1)
    [climate] = report.climate
    # Day 3 has no RH, so 48 paired hours were judged; 6 of them were 5 K too warm.
    assert climate.hours_evaluated == 48
    assert climate.percent_in_class[ClimateClass.A1] == pytest.approx(100 * 42 / 48)
    # B allows +-5 K around the set point: the hot hours at +5 K are still within.
    assert climate.percent_in_class[ClimateClass.B] == pytest.approx(100.0)
    assert climate.t_range_24h_max == pytest.approx(5.0)
    assert climate.rh_range_24h_max == pytest.approx(0.0)
    # PI at the period's mean T: 1 / (RH * A * exp(-Ea / (R T))), Padfield's constants.
    t_mean = (42 * 20.0 + 6 * 25.0) / 48
    assert climate.t_mean == pytest.approx(t_mean, abs=0.01)
    r = 8.314 * (t_mean + 273.15)
    assert climate.pi_years == pytest.approx(1 / (50 * 5.9e12 * np.exp(-90_300 / r)), rel=1e-3)
    # TWPI: harmonic mean of the hourly PIs, 42 h at 20 degC and 6 h at 25 degC.
    pi20 = 1 / (50 * 5.9e12 * np.exp(-90_300 / (8.314 * 293.15)))
    pi25 = 1 / (50 * 5.9e12 * np.exp(-90_300 / (8.314 * 298.15)))
    assert climate.twpi_years == pytest.approx(48 / (42 / pi20 + 6 / pi25), rel=0.01)
    assert climate.mould_index_max == 0.0  # 50 %RH is far below the critical RH
    # Light: 50 lx for 8 h on each of 3 days; medium sensitivity: 150,000 lx h a year.
    [light] = report.light
    assert light.total_lxh == pytest.approx(3 * 8 * 50)
    assert light.budget_period_lxh == pytest.approx(150_000 * 3 / 365)
    assert light.budget_used_pct == pytest.approx(100 * 1200 / (150_000 * 3 / 365))
    # Alarms: acknowledged after 10 minutes, cleared after 6 hours.
    [row] = report.alarms
    assert (row.to_acknowledge_s, row.to_clear_s) == (600.0, 6 * 3600.0)
    # Completeness: one reading a minute where 6 a minute are expected; RH 2 of 3 days.
    full = dict(report.completeness)
    assert full["gallery-b-temp"] == pytest.approx(100 / 6)
    assert full["gallery-b-rh"] == pytest.approx(100 / 6 * 2 / 3)


async def test_visitors_and_peak_occupancy(store: SqliteStore) -> None:
    venue = load_sample(V)
    data = await load_report_data(store, None, venue, START, END, Scope(zone="entrance"))
    report = build_report(data, "en")
    [crowd] = report.crowd
    # 60 a day for 3 days (the counter reads 0 at the period's start).
    assert crowd.visitors == 3 * 60
    # In one a minute from 10:00, out one a minute from 10:30: 30 inside at the peak.
    assert crowd.peak_occupancy == pytest.approx(30, abs=1)


async def test_pdf_and_html_open_with_their_pages_and_text(store: SqliteStore) -> None:
    venue = load_sample(V)
    alarms = await _alarms()
    data = await load_report_data(store, alarms, venue, START, END)
    report = build_report(data, "en")
    buf = io.BytesIO()
    pages = write_pdf(report, buf)
    reader = PdfReader(io.BytesIO(buf.getvalue()))
    # Title, one climate page per zone with T and RH data (gallery-b), light, crowd,
    # alarms, completeness.
    assert len(reader.pages) == pages == 1 + 1 + 4
    first = reader.pages[0].extract_text()
    assert "Conservation and operations report" in first and "Museum wing" in first
    assert "Gallery B" in reader.pages[3].extract_text() or "Gallery B" in "".join(
        p.extract_text() for p in reader.pages
    )
    page = write_html(report)
    assert page.startswith("<!doctype html>") and page.count("data:image/png;base64,") == 3
    assert "10 min 0 s" in page  # the alarm's time to acknowledge


async def test_chinese_report_has_chinese_text_in_the_pdf(store: SqliteStore) -> None:
    venue = load_sample(V)
    pdf = await make_report(
        store, await _alarms(), venue, START, END, scope=Scope(artefact="oil-landscape"),
        lang="zh-CN",
    )  # fmt: skip
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "文物保护与运营报告" in text
    assert "累计光照" in text
    html_doc = await make_report(
        store, None, venue, START, END, scope=Scope(zone="gallery-b"), lang="zh-CN", fmt="html"
    )
    assert '<html lang="zh-CN">' in html_doc.decode()
    assert "环境概况" in html_doc.decode()


async def test_the_report_command_writes_the_pdf(
    store: SqliteStore, store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from venue_twin.cli import main

    await store.close()
    monkeypatch.setenv("VENUE_TWIN_STORE_URL", f"sqlite:///{store_path}")
    out = tmp_path / "gallery-b.pdf"
    args = ["report", "--venue", "sample:museum-wing", "--zone", "gallery-b"]
    args += ["--start", "2026-11-30", "--end", "2026-12-03", "--out", str(out)]
    assert await asyncio.to_thread(main, args) == 0
    reader = PdfReader(out)
    assert "Gallery B" in "".join(p.extract_text() for p in reader.pages)
    bad = ["report", "--zone", "atlantis", "--start", "2026-11-30", "--out", str(out)]
    assert await asyncio.to_thread(main, bad) != 0
