"""`venue-twin import` from the command line: rows in, bad rows listed, exit status."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.unit.archive.test_import_archive import _export1, _export2
from venue_twin.cli import main


def test_import_command_stores_rows_and_lists_bad_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    e1, e2 = tmp_path / "e1.csv", tmp_path / "e2.csv"
    _export1(e1)
    _export2(e2)
    db = tmp_path / "twin.sqlite3"
    bad = tmp_path / "bad.txt"
    code = main(
        [
            "import", str(e2), str(e1),
            "--store", f"sqlite:///{db}", "--venue", "sample:museum-wing",
            "--tz", "Europe/London", "--map", "Temperature=gallery-a-temp",
            "--bad-rows", str(bad),
        ]
    )  # fmt: skip
    assert code == 0
    with sqlite3.connect(db) as conn:
        n, lo, hi = conn.execute(
            "SELECT count(*), min(value), max(value) FROM readings WHERE sensor = 'gallery-a-temp'"
        ).fetchone()
    assert n == 14 and lo > 19.9 and hi < 21.5  # degF converted to the venue's degC
    with sqlite3.connect(db) as conn:
        (stored,) = conn.execute("SELECT count(*) FROM readings").fetchone()
    # The summary's rate counts readings as docs/import.md defines them (one
    # sensor's value at one time), not CSV lines: two channels, two readings.
    summary = " ".join(capsys.readouterr().err.split())  # the rich console writes to stderr
    assert f"{stored} readings in" in summary and "readings/s" in summary
    assert f"{stored} new in museum-wing" in summary
    lines = bad.read_text().splitlines()
    assert [ln.split(": ")[0].rsplit("/", 1)[-1] for ln in lines[:3]] == [
        "e1.csv:19",
        "e1.csv:20",
        "e1.csv:21",
    ]


def test_import_command_fails_when_no_file_is_an_export(tmp_path: Path) -> None:
    junk = tmp_path / "notes.csv"
    junk.write_text("hello\n")
    code = main(["import", str(junk), "--store", f"sqlite:///{tmp_path / 'x.sqlite3'}"])
    assert code == 1


def test_import_command_writes_as_many_sensors_at_once_as_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import venue_twin.commands_import as cmd

    asked: list[int] = []
    real = cmd.import_archive

    async def spy(files: Any, store: Any, opts: Any, **kw: Any) -> Any:
        asked.append(opts.writers)
        return await real(files, store, opts, **kw)

    monkeypatch.setattr(cmd, "import_archive", spy)
    e1 = tmp_path / "e1.csv"
    _export1(e1)
    args = ["import", str(e1), "--store", f"sqlite:///{tmp_path / 't.sqlite3'}"]
    args += ["--venue", "sample:museum-wing", "--map", "Temperature=gallery-a-temp"]
    assert main([*args, "--writers", "4"]) == 0
    assert main(args) == 0
    assert asked == [4, 1]  # SQLite's default: one connection, one writer


def test_import_writes_two_sensors_at_once_only_on_postgresql() -> None:
    import venue_twin.commands_import as cmd

    assert cmd.default_writers("postgresql://u@127.0.0.1:5432/db") == 2
    assert cmd.default_writers("postgres://u@127.0.0.1/db") == 2
    assert cmd.default_writers("sqlite:///data/readings.db") == 1
    assert cmd.default_writers("not a url") == 1  # opening the store reports it


@pytest.mark.parametrize("bad", ["0", "9", "two"])
def test_import_command_refuses_a_writer_count_out_of_range(
    tmp_path: Path, bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    e1 = tmp_path / "e1.csv"
    _export1(e1)
    with pytest.raises(SystemExit) as exit_:
        main(["import", str(e1), "--writers", bad])
    assert exit_.value.code == 2
    assert "from 1 to 8" in capsys.readouterr().err
