"""The sample report of the README: the museum wing after a simulated month.

Run from the repository root::

    python bench/report_sample.py            # writes artifacts/report-sample.{pdf,html}
                                             # and docs/images/report-sample-p{1,2}.png

The simulator runs November 2026 for ``sample:museum-wing`` with every sensor
reporting each 5 minutes (seeded, with its realistic faults off), the readings
go through the twin's threshold alarms into a SQLite store and alarm store, and
the report of the month is made from that store, as an operator would.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import matplotlib  # noqa: E402

from ingest.store import SqliteStore  # noqa: E402
from reports import load_report_data  # noqa: E402
from reports.build import build_report  # noqa: E402
from reports.html import write_html  # noqa: E402
from reports.render import (  # noqa: E402
    figures,
    font_family,
    write_pdf,
)
from simulators.simulator import VenueSimulator  # noqa: E402
from twin.alarm_stores.sqlite import SqliteAlarmStore  # noqa: E402
from twin.alarms import AlarmManager  # noqa: E402
from twin.loader import load_sample  # noqa: E402
from twin.service import TwinService  # noqa: E402
from twin.threshold_alarms import ThresholdAlarms  # noqa: E402

START = 1_793_491_200.0  # 2026-11-01 00:00 UTC (London is on GMT)
DAYS = 30
STEP = 300.0
REPO = _HERE.parent


async def main() -> None:
    base = load_sample("museum-wing")
    venue = base.model_copy(
        update={"sensors": [s.model_copy(update={"interval_s": STEP}) for s in base.sensors]}
    )
    folder = Path(tempfile.mkdtemp(prefix="venue-twin-sample-"))
    store = SqliteStore(folder / "history.sqlite3")
    await store.open()
    alarm_store = SqliteAlarmStore(folder / "history.sqlite3")
    await alarm_store.open()
    sim = VenueSimulator(venue, seed=11, start=START - 3 * 86_400.0, max_substep_s=STEP)
    alarms = AlarmManager(alarm_store, clock=lambda: sim.now)
    twin = TwinService([venue])
    thresholds = ThresholdAlarms([venue], alarms)
    twin.add_listener(thresholds.on_changes)
    t0 = time.perf_counter()
    rows = 0
    while sim.now < START + DAYS * 86_400.0:
        readings = sim.step(3600.0)
        twin.apply_readings(readings)
        await thresholds.drain()
        rows += await store.write_readings(readings)
    await alarms.writes.flush()
    print(f"simulated {rows:,} readings in {time.perf_counter() - t0:.0f} s")
    data = await load_report_data(store, alarm_store, venue, START, START + DAYS * 86_400.0)
    out = REPO / "artifacts"
    out.mkdir(exist_ok=True)
    for lang, suffix in (("en", ""), ("zh-CN", "-zh")):
        report = build_report(data, lang)
        t = time.perf_counter()
        with (out / f"report-sample{suffix}.pdf").open("wb") as f:
            pages = write_pdf(report, f)
        (out / f"report-sample{suffix}.html").write_text(write_html(report), encoding="utf-8")
        print(f"{lang}: {pages} pages in {time.perf_counter() - t:.1f} s")
    report = build_report(data, "en")
    with matplotlib.rc_context({"font.family": font_family("en")}):
        for n, fig in zip((1, 2), figures(report), strict=False):
            fig.savefig(REPO / "docs" / "images" / f"report-sample-p{n}.png", dpi=60)
    await store.close()
    await alarm_store.close()


if __name__ == "__main__":
    asyncio.run(main())
