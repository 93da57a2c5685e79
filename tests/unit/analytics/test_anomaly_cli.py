"""`venue-twin anomaly score`: starts without the service's imports, keeps input safe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from venue_twin.cli import main

REPO = Path(__file__).resolve().parents[3]


def _modules_loaded_by_a_score(tmp_path: Path, modules: tuple[str, ...]) -> list[str]:
    """Run `anomaly score` on 500 rows in a fresh interpreter; which of ``modules`` it loaded."""
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("timestamp,value\n" + "".join(f"{60 * i},{i % 7}\n" for i in range(500)))
    code = (
        "import sys\n"
        "from venue_twin.cli import main\n"
        f"rc = main(['anomaly', 'score', {str(src)!r}, '--out', {str(dst)!r}])\n"
        f"print(rc, ','.join(m for m in {modules!r} if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    rc, _, loaded = out.stdout.splitlines()[-1].partition(" ")
    assert rc == "0"
    assert len(dst.read_text().splitlines()) == 501
    return [m for m in loaded.split(",") if m]


def test_score_runs_without_importing_the_service(tmp_path: Path) -> None:
    # Start-up used to import the whole service (viewer, trimesh, ...): seconds
    # before the first row. The fast path needs the anomaly package only.
    heavy = ("viewer.app", "trimesh", "venue_twin.wiring", "fastapi")
    assert _modules_loaded_by_a_score(tmp_path, heavy) == []


def test_score_starts_without_numpy_rich_or_the_typed_detectors(tmp_path: Path) -> None:
    # The score needs StreamScore alone: numpy (via the zone consensus), rich
    # and asyncio (the other commands' console and runner) and the typed
    # detectors with their alarm texts were 0.3-0.4 s of every run's start-up.
    heavy = (
        "numpy",
        "rich",
        "asyncio",
        "twin.alarms",
        "twin.analytics.anomaly.consensus",
        "twin.analytics.anomaly.sensor",
    )
    assert _modules_loaded_by_a_score(tmp_path, heavy) == []


def test_the_package_still_offers_every_name_it_exports() -> None:
    # Its names are imported on first use; each must resolve to its module's object.
    import twin.analytics.anomaly as anomaly
    from twin.analytics.anomaly.consensus import ZoneConsensus
    from twin.analytics.anomaly.csv_score import score_csv

    for name in anomaly.__all__:
        assert getattr(anomaly, name) is not None
    assert anomaly.ZoneConsensus is ZoneConsensus
    assert anomaly.score_csv is score_csv
    with pytest.raises(AttributeError):
        _ = anomaly.no_such_name  # type: ignore[attr-defined]


def test_cli_accepts_a_bom_and_leaves_no_file_on_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_bytes(b"\xef\xbb\xbftimestamp,value\n0,1\n60,2\n")
    assert main(["anomaly", "score", str(src), "--out", str(dst)]) == 0
    assert "scored 2 rows" in capsys.readouterr().out
    bad, bad_out = tmp_path / "bad.csv", tmp_path / "bad-out.csv"
    bad.write_text("timestamp,value\n0,1\nnoon,2\n")
    assert main(["anomaly", "score", str(bad), "--out", str(bad_out)]) == 2
    assert "bad.csv:3" in capsys.readouterr().err
    assert not bad_out.exists()


def test_kinds_flag_counts_detections(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    rows = [
        f"{60 * i},{20.0 + (0.01 if i % 2 else 0.0) + (5.0 if i == 300 else 0.0)}"
        for i in range(400)
    ]
    src.write_text("timestamp,value\n" + "\n".join(rows) + "\n")
    assert main(["anomaly", "score", str(src), "--out", str(dst), "--kinds"]) == 0
    assert "spike=1" in capsys.readouterr().out
