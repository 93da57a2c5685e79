"""Export layouts the reader meets: a UTC offset in the time header, serial numbers in
brackets, the unit in every cell and no header line, names and units on two lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.archive import ImportOptions, ReadOptions, import_archive
from ingest.store.memory import MemoryStore

HOBO = (
    '"Plot Title: 10234567"\n'
    '"#","Date Time, GMT+01:00","Temp, °C (LGR S/N: 10234567, SEN S/N: 10234567)",'
    '"RH, % (LGR S/N: 10234567, SEN S/N: 10234567)"\n'
    "1,06/15/21 10:00:00 AM,22.5,45.1\n"
    "2,06/15/21 10:15:00 AM,22.6,45.0\n"
    "3,06/15/21 01:30:00 PM,23.0,44.0\n"
)
CELL_UNITS = (
    "Logger export\nLogger,TGU-4500\nDescription,Store room\n\n"
    "1,21 Nov 2025 10:00:00,20.57 °C,51.2 %RH\n"
    "2,21 Nov 2025 10:10:00,20.60 °C,51.0 %RH\n"
    "3,21 Nov 2025 10:20:00,20.61 °C,50.9 %RH\n"
)
TWO_LINE_HEADER = (
    '"Date/Time","Unixtime","ch1","ch2"\n"","","°F","%"\n'
    '"2025/11/21 10:00:00","1763719200","68.0","50"\n'
    '"2025/11/21 10:10:00","1763719800","68.9","51"\n'
    '"2025/11/21 10:20:00","1763720400","69.8","52"\n'
)


async def _import(tmp: Path, text: str) -> tuple[MemoryStore, object]:
    path = tmp / "export.csv"
    path.write_text(text, encoding="utf-8")
    store = MemoryStore()
    await store.open()
    report = await import_archive(
        [path], store, ImportOptions("v", ReadOptions(tz="Europe/London"))
    )
    return store, report


async def test_utc_offset_in_the_time_header_and_serials_in_brackets(tmp_path: Path) -> None:
    store, report = await _import(tmp_path, HOBO)
    assert {s.sensor: s.unit_in for s in report.sensors} == {"Temp": "degC", "RH": "%"}  # type: ignore[attr-defined]
    temp = await store.raw("v", "Temp", 0, 2e9)
    # 10:00 at GMT+01:00 is 09:00 UTC, whatever --tz says; month-first from the data.
    assert [r.ts for r in temp] == [1623747600.0, 1623748500.0, 1623760200.0]


async def test_units_in_every_cell_and_no_header(tmp_path: Path) -> None:
    store, report = await _import(tmp_path, CELL_UNITS)
    units = sorted((s.unit_in, s.rows) for s in report.sensors)  # type: ignore[attr-defined]
    assert units == [("%RH", 3), ("degC", 3)]  # the record number column is not a channel
    (temp,) = [s for s in report.sensors if s.unit_in == "degC"]  # type: ignore[attr-defined]
    assert [r.value for r in await store.raw("v", temp.sensor, 0, 2e9)] == [20.57, 20.6, 20.61]


async def test_names_and_units_on_two_lines_with_epoch_times(tmp_path: Path) -> None:
    store, report = await _import(tmp_path, TWO_LINE_HEADER)
    assert {s.sensor: s.unit_stored for s in report.sensors} == {"ch1": "degC", "ch2": "%"}  # type: ignore[attr-defined]
    ch1 = await store.raw("v", "ch1", 0, 2e9)
    assert [r.ts for r in ch1] == [1763719200.0, 1763719800.0, 1763720400.0]
    assert [r.value for r in ch1] == pytest.approx([20.0, 20.5, 21.0])


async def test_excel_export_with_date_cells(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from datetime import datetime

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Meaco export"])
    ws.append(["Sensor", "Gallery 4"])
    ws.append([])
    ws.append(["Date Time", "Temperature (°C)", "Humidity (%RH)"])
    for m in range(3):
        ws.append([datetime(2025, 7, 1, 12, 10 * m), 21.0 + m, 50 + m])
    path = tmp_path / "export.xlsx"
    wb.save(path)
    store = MemoryStore()
    await store.open()
    report = await import_archive(
        [path], store, ImportOptions("v", ReadOptions(tz="Europe/London"))
    )
    temp = await store.raw("v", "Temperature", 0, 2e9)
    # 12:00 BST (summer) is 11:00 UTC.
    assert [(r.ts, r.value) for r in temp] == [
        (1751367600.0, 21.0),
        (1751368200.0, 22.0),
        (1751368800.0, 23.0),
    ]
    assert report.bad_count == 0
