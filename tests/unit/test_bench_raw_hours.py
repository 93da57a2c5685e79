"""bench.crowd_days --raw-hours: the reported error beside the filter's unprojected one."""

from __future__ import annotations

import numpy as np
import pytest

from bench.crowd_days import print_raw_hours


def test_raw_hours_sets_the_projected_error_beside_the_raw_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    hour = 8.0 + (np.arange(11 * 360) + 1) * 10.0 / 3600.0
    n = hour.size
    m = (hour > 16) & (hour <= 17)
    # A zone holding 10 people in 16-17, sd 40: its raw mean is -30 for the
    # first half hour (the projection reports 0: error -10, raw -40) and 50
    # in the second (error +40 both ways).
    truth = np.where(m, 10.0, 0.0)
    raw = truth.copy()
    first = np.flatnonzero(m)[:180]
    second = np.flatnonzero(m)[180:]
    raw[first], raw[second] = -30.0, 50.0
    reported = np.clip(raw, 0.0, None)
    sd = np.full(n, 40.0)
    runs = [(sd, reported - truth, raw - truth, raw)]
    print_raw_hours({"corridor": runs}, {"corridor": "count"}, hour)
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.strip().startswith("all count"))
    cells = row.split()[2:]  # two per hour: errors / sd, then % below 0
    # 16-17 is the ninth hour from 08: rms(-10, 40) = 29, rms(-40, 40) = 40, half below 0.
    assert cells[16:18] == ["29/40/40", "50%"]
    # Before 16:00 nothing differs and nothing is below 0.
    assert cells[0:2] == ["0/0/40", "0%"]
    assert "all camera" not in out
