"""An archive as real exports come: preambles, BOM, Latin-1, ';' and decimal commas,
mixed date styles, a clock change each way, overlaps, broken rows, a running total."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from ingest.archive import ImportOptions, ReadOptions, import_archive
from ingest.store.sqlite import SqliteStore
from twin.analytics.conservation import climate_history

LONDON = ZoneInfo("Europe/London")
VENUE = "museum-wing"


def _utc(y: int, mo: int, d: int, h: int, mi: int, fold: int = 0) -> float:
    return datetime(y, mo, d, h, mi, tzinfo=LONDON, fold=fold).timestamp()


def _export1(path: Path) -> None:
    """BOM, five-line preamble, ',' and °F, day-first 2-digit years, through the
    night the clocks go back (26 Oct 2025: 01:00-02:00 happens twice)."""
    lines = [
        "Logger,Gallery 1 TH",
        "Serial,TT-4471",
        "Interval,30 min",
        "Start,25/10/25 22:00",
        "",
        "Date/Time,Temperature (°F),RH (%)",
    ]
    walls = ["25/10/25 22:00", "25/10/25 22:30", "25/10/25 23:00", "25/10/25 23:30"]
    walls += ["26/10/25 00:00", "26/10/25 00:30", "26/10/25 01:00", "26/10/25 01:30"]
    walls += ["26/10/25 01:00", "26/10/25 01:30", "26/10/25 02:00", "26/10/25 02:30"]
    for i, w in enumerate(walls):
        lines.append(f"{w},{68.0 + i * 0.18:.2f},{50 + i % 3}")
    lines.append("26/10/25 03:00,ERR,51")  # line 19: sensor error text
    lines.append("26/10/25 03:30")  # line 20: a cut-off row
    lines.append("31/02/25 04:00,68.0,50")  # line 21: no such date
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))


def _export2(path: Path) -> None:
    """Windows-1252, ';' with decimal commas, separate date (month names) and time
    columns, overlapping export 1 by two rows, unit as a trailing °C."""
    lines = [
        "Rotronic HW4 export",
        "Device;HC2-S",
        "",
        "Date;Time;Temperature °C;RH %",
        "26/Oct/2025;02:00:00;21,10;51",  # same as export 1 (duplicate)
        "26/Oct/2025;02:30:00;21,20;52",  # same as export 1 (duplicate)
        "26/Oct/2025;03:00:00;21,30;50",
        "26/Oct/2025;03:30:00;21,40;51",
        "26/Oct/2025;04:00:00;;52",  # blank temperature cell: skipped, not bad
    ]
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))


def _export3(path: Path) -> None:
    """Spring: 30 Mar 2025 01:00-02:00 does not exist in London; am/pm times."""
    lines = [
        "Gallery 1 TH",
        "exported by logger software",
        "units as shown",
        "Date Time,Temperature (°C),RH (%)",
        "30/03/2025 12:30 AM,19.0,45",
        "30/03/2025 1:30 AM,19.1,45",  # line 6: skipped by the clocks
        "30/03/2025 2:30 AM,19.2,46",
        "30/03/2025 3:00 AM,19.3,46",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _lux_exports(tmp: Path) -> list[Path]:
    """A lux-hour counter that restarts with each export (one file per channel)."""
    a, b = tmp / "lux-a.csv", tmp / "lux-b.csv"
    head = "Point name,Gallery 1 Lux hours (lxh)\nLogger,LX-2\nInterval,1 h\nTimestamp,Value\n"
    a.write_text(head + "".join(f"2025-06-01 {h:02d}:00,{h * 50}\n" for h in range(10, 14)))
    b.write_text(head + "".join(f"2025-06-01 {h:02d}:00,{(h - 14) * 50}\n" for h in range(14, 17)))
    return [b, a]  # given out of order on purpose


@pytest.fixture
async def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = SqliteStore(tmp_path / "history.sqlite3")
    await s.open()
    yield s
    await s.close()


async def test_archive_with_mixed_formats_dst_duplicates_and_broken_rows(
    tmp_path: Path, store: SqliteStore
) -> None:
    paths = [tmp_path / "e2.csv", tmp_path / "e1.csv", tmp_path / "e3.csv"]
    _export2(paths[0])
    _export1(paths[1])
    _export3(paths[2])
    opts = ImportOptions(
        VENUE,
        ReadOptions(tz="Europe/London", channels={"Temperature": "g1-temp", "RH": "g1-rh"}),
        canonical={"g1-temp": "degC", "g1-rh": "%RH"}.get,
    )
    report = await import_archive(paths, store, opts)
    assert not report.failed_files
    bad = {(Path(b.path).name, b.line): b.reason for b in report.bad}
    assert set(bad) == {("e1.csv", 19), ("e1.csv", 20), ("e1.csv", 21), ("e3.csv", 6)}
    assert "not a number" in bad[("e1.csv", 19)]
    assert "fields" in bad[("e1.csv", 20)]
    assert "does not exist" in bad[("e3.csv", 6)]
    assert report.blank_cells == 1
    # Two overlapping rows x two channels, and the RH of the row whose temperature
    # was "ERR" (its RH is good and overlaps export 2's, with another value).
    assert report.duplicates == 5
    rh_summary = next(x for x in report.sensors if x.sensor == "g1-rh")
    assert rh_summary.conflicting_duplicates == 1
    temp = await store.raw(VENUE, "g1-temp", 0, 2e9)
    got = {r.ts: r.value for r in temp}
    # The repeated hour: both passes kept, an hour apart in UTC, in file order.
    first_130 = _utc(2025, 10, 26, 1, 30, fold=0)
    second_130 = _utc(2025, 10, 26, 1, 30, fold=1)
    assert second_130 - first_130 == 3600
    assert got[first_130] == pytest.approx((68.0 + 7 * 0.18 - 32) / 1.8, abs=1e-6)
    assert got[second_130] == pytest.approx((68.0 + 9 * 0.18 - 32) / 1.8, abs=1e-6)
    assert report.ambiguous_resolved >= 4
    # Day-first 2-digit years, month names, decimal commas, am/pm: all the same clock.
    assert got[_utc(2025, 10, 26, 3, 30)] == pytest.approx(21.4)
    assert got[_utc(2025, 3, 30, 3, 0)] == pytest.approx(19.3)
    assert got[_utc(2025, 3, 30, 0, 30)] == pytest.approx(19.0)
    ts = np.array(sorted(got))
    autumn = ts[(ts >= _utc(2025, 10, 25, 22, 0)) & (ts <= _utc(2025, 10, 26, 3, 30))]
    assert np.all(np.diff(autumn) == 1800)  # 12 + 2 new half-hours, no hole, no overlap
    assert len(temp) == 3 + 14
    # Imported history is history: the analytics read it like live data.
    rh = await store.raw(VENUE, "g1-rh", 0, 2e9)
    by_t = {r.ts: r.value for r in rh}
    common = np.array([t for t in sorted(got) if t in by_t])
    hist = climate_history(
        common, np.array([got[t] for t in common]), np.array([by_t[t] for t in common])
    )
    assert hist.completeness.used == common.size
    buckets = await store.downsampled(VENUE, "g1-temp", 0, 2e9, 86400)
    assert sum(b.count for b in buckets) == len(temp)


async def test_reimport_is_idempotent(tmp_path: Path, store: SqliteStore) -> None:
    p = tmp_path / "e1.csv"
    _export1(p)
    opts = ImportOptions(VENUE, ReadOptions(tz="Europe/London"))
    first = await import_archive([p], store, opts)
    again = await import_archive([p], store, opts)
    assert first.rows_stored_new == 12 + 13 and again.rows_stored_new == 0


async def test_running_total_across_exports_is_joined(tmp_path: Path, store: SqliteStore) -> None:
    report = await import_archive(
        _lux_exports(tmp_path), store, ImportOptions(VENUE, ReadOptions(sensor="g1-luxh"))
    )
    (s,) = report.sensors
    assert (s.sensor, s.unit_stored, s.counter_resets) == ("g1-luxh", "lx*h", 1)
    values = [r.value for r in await store.raw(VENUE, "g1-luxh", 0, 2e9)]
    assert values == [500, 550, 600, 650, 650, 700, 750]


async def test_a_file_that_is_not_an_export_is_reported_and_others_go_in(
    tmp_path: Path, store: SqliteStore
) -> None:
    junk = tmp_path / "notes.csv"
    junk.write_text("just,some\nwords,here\n")
    good = tmp_path / "e3.csv"
    _export3(good)
    report = await import_archive([junk, good], store, ImportOptions(VENUE, ReadOptions()))
    assert [Path(p).name for p, _ in report.failed_files] == ["notes.csv"]
    assert report.rows_stored_new > 0
