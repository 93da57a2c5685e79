"""bench.crowd_days --zone-hours: a zone's day-1 error per hour, split by tracker silence."""

from __future__ import annotations

import numpy as np
import pytest

from bench.crowd_days import print_zone_hours


def test_zone_hours_reports_signed_error_and_the_error_in_silent_steps(
    capsys: pytest.CaptureFixture[str],
) -> None:
    hour = 8.0 + (np.arange(11 * 360) + 1) * 10.0 / 3600.0
    n = hour.size
    sd = np.ones(n)
    # Two seeds: estimates 4 and 2 people low in 13-14; the first seed's
    # tracker silent there for its first half, 8 low meanwhile.
    e1, e2 = np.zeros(n), np.zeros(n)
    m = (hour > 13) & (hour <= 14)
    e1[m], e2[m] = -4.0, -2.0
    silent = np.zeros(n, dtype=bool)
    first_half = np.flatnonzero(m)[:180]
    silent[first_half] = True
    e1[first_half] = -8.0
    runs = [(sd, e1, silent), (sd, e2, np.zeros(n, dtype=bool))]
    print_zone_hours("corridor", runs, [50.0, 40.0], hour)
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.strip().startswith("13-14"))
    # Mean over seeds (-6 and -2 people) is -4.0; signed, not absolute.
    assert "-4.0 [ -6.0  -2.0]" in row
    # 180 of 720 steps silent (25 %), all at -8; the other 540 are
    # 180 at -4 and 360 at -2: -2.7 on average.
    assert "silent  25 %" in row
    assert "-8.0 /   -2.7" in row
    # Each seed's MAE on its own peak, as bench.crowd scores it.
    total = next(line for line in out.splitlines() if "08-19 MAE" in line)
    mae1, mae2 = 100 * 6.0 * 360 / n / 50.0, 100 * 2.0 * 360 / n / 40.0
    assert f"{(mae1 + mae2) / 2:.1f} %" in total
