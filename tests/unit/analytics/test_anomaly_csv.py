"""The CSV scorer: one pass, NAB results format, clear errors."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from twin.analytics.anomaly import DetectionKind, ScoreCsvError, main_score, score_csv


def _write_input(path: Path, n: int = 400, spike_at: int = 300) -> list[tuple[str, str]]:
    rng = np.random.default_rng(11)
    rows = []
    for i in range(n):
        minute = i * 5
        stamp = f"2014-03-{1 + minute // 1440:02d} {minute // 60 % 24:02d}:{minute % 60:02d}:00"
        value = 50.0 + rng.normal(0.0, 1.0) + (40.0 if i == spike_at else 0.0)
        rows.append((stamp, repr(value)))
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "value"])
        writer.writerows(rows)
    return rows


def test_round_trip_keeps_rows_and_adds_scores(tmp_path: Path) -> None:
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    rows = _write_input(src)
    summary = score_csv(src, dst, kinds=True)
    with dst.open(newline="") as handle:
        out = list(csv.reader(handle))
    assert out[0] == ["timestamp", "value", "anomaly_score"]
    assert [(r[0], r[1]) for r in out[1:]] == rows
    scores = [float(r[2]) for r in out[1:]]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert int(np.argmax(scores)) == 300
    assert summary.rows == 400
    assert summary.late_rows == 0
    assert summary.detections.get(DetectionKind.SPIKE) == 1
    assert summary.max_score == pytest.approx(max(scores), abs=1e-6)


def test_a_third_column_on_some_lines_is_dropped_and_the_rest_scored_alike(
    tmp_path: Path,
) -> None:
    # The reader splits a clean two-column body in one go; a line with a third
    # (numeric) field must not shift the columns of the lines after it.
    plain, labelled = tmp_path / "plain.csv", tmp_path / "labelled.csv"
    rows = [(str(300 * i), value) for i, (_, value) in enumerate(_write_input(plain))]
    plain.write_text("timestamp,value\n" + "".join(f"{t},{v}\n" for t, v in rows))
    labelled.write_text(
        "timestamp,value\n"
        + "".join(f"{t},{v}{',1' if i == 300 else ''}\n" for i, (t, v) in enumerate(rows))
    )
    score_csv(plain, tmp_path / "plain-out.csv")
    summary = score_csv(labelled, tmp_path / "labelled-out.csv")
    out = (tmp_path / "labelled-out.csv").read_text()
    assert out == (tmp_path / "plain-out.csv").read_text()
    assert (summary.rows, summary.late_rows) == (400, 0)


def test_epoch_timestamps_and_late_rows(tmp_path: Path) -> None:
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("timestamp,value\n0,1.0\n60,1.5\n30,9.0\n120,1.2\n")
    summary = score_csv(src, dst)
    assert summary.rows == 4
    assert summary.late_rows == 1
    assert dst.read_text().splitlines()[3] == "30,9.0,0.000000"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("time,value\n0,1\n", "header"),
        ("timestamp,value\n0,1\nyesterday,2\n", r"in.csv:3: .*bad timestamp"),
        ("timestamp,value\n0,1\n60,abc\n", r"in.csv:3"),
        ("timestamp,value\n0,nan\n", r"in.csv:2: .*finite"),
    ],
)
def test_bad_input_raises_with_location(tmp_path: Path, text: str, match: str) -> None:
    src = tmp_path / "in.csv"
    src.write_text(text)
    with pytest.raises(ScoreCsvError, match=match):
        score_csv(src, tmp_path / "out.csv")


def test_kinds_are_counted_only_when_asked(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    _write_input(src)
    fast = score_csv(src, tmp_path / "fast.csv")
    typed = score_csv(src, tmp_path / "typed.csv", kinds=True)
    assert fast.detections == {}
    assert typed.detections.get(DetectionKind.SPIKE) == 1
    # Same score path either way (no fault kind fires on this series but the spike).
    assert fast.max_score == pytest.approx(typed.max_score)


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    # Spreadsheet programs save "CSV UTF-8" with a BOM; it used to fail the header check.
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_bytes(b"\xef\xbb\xbftimestamp,value\r\n0,1.0\r\n60,1.5\r\n")
    summary = score_csv(src, dst)
    assert summary.rows == 2
    assert dst.read_text().splitlines() == [
        "timestamp,value,anomaly_score",
        "0,1.0,0.000000",
        "60,1.5,0.000000",
    ]


def test_an_error_leaves_no_output_and_keeps_an_old_one(tmp_path: Path) -> None:
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("timestamp,value\n0,1\n60,abc\n")
    with pytest.raises(ScoreCsvError):
        score_csv(src, dst)
    assert not dst.exists()
    dst.write_text("earlier result\n")
    with pytest.raises(ScoreCsvError):
        score_csv(src, dst)
    assert dst.read_text() == "earlier result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


def test_iso_with_zone_and_quoted_fields_are_read(tmp_path: Path) -> None:
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text('timestamp,value\n"2014-03-01 00:00:00",1\n2014-03-01T01:05:00+01:00,2\n')
    summary = score_csv(src, dst)
    # 01:05+01:00 is 00:05 UTC: after the first row, so not late.
    assert summary.rows == 2
    assert summary.late_rows == 0


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(ScoreCsvError, match="cannot score"):
        score_csv(tmp_path / "absent.csv", tmp_path / "out.csv")


def test_main_score_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    _write_input(src)
    assert main_score([str(src), "--out", str(dst)]) == 0
    assert "scored 400 rows" in capsys.readouterr().out
    assert dst.exists()
    assert main_score([str(tmp_path / "absent.csv"), "--out", str(dst)]) == 2
    assert "error:" in capsys.readouterr().err
