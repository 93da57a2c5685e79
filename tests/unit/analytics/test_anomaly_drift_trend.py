"""A straight line in an hourly residual: found early, and only where it is one."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.unit.analytics.drift_residual import RATE
from tests.unit.analytics.drift_residual import noise as _noise
from twin.analytics.anomaly.drift_trend import DriftTrendConfig, SlowLine, TrendEvidence

# The unweighted line (its statistic and threshold before hours were weighted
# by their hour of the day's scatter): these residuals have no daily pattern.
# hold_h 1 here and below: these compare lines at their bar, not drift63's run rule.
PLAIN = DriftTrendConfig(by_hour=False, robust=False, t_min=12.0, hold_h=1)


def _first(values: np.ndarray, config: DriftTrendConfig | None = None) -> int | None:
    ev = TrendEvidence(config)
    for h, v in enumerate(values):
        if ev.add(float(v)) is not None:
            return h
    return None


@pytest.mark.parametrize("seed", range(4))
def test_a_half_degree_a_week_line_is_found_within_a_day(seed: int) -> None:
    onset = 48
    values = _noise(96, seed)
    values[onset:] += RATE * np.arange(1, 96 - onset + 1)
    found = _first(values, PLAIN)
    assert found is not None and onset < found <= onset + 24, found


@pytest.mark.parametrize("seed", range(4))
def test_bursts_and_noise_alone_are_no_line(seed: int) -> None:
    assert _first(_noise(24 * 7, seed)) is None


def test_an_offset_is_not_a_line() -> None:
    values = _noise(96, 7)
    values[48:] += 0.05  # the rooms parted once: no slope after it
    assert _first(values, DriftTrendConfig(hold_h=1)) is None


def test_an_offset_ten_scatters_high_holds_a_line_a_known_limit() -> None:
    # Not a fix but a limit of the run rule (drift63, on by default), pinned so
    # that a change to it shows: a step of ten hourly scatters inside the
    # windows is a line at |t| 8-10 for as long as the step is in them (it
    # does not come and go as a burst does), under t_min 12 but held 4 hours
    # at 8 from hour 58 (10 h after the step), so it is reported at hour 61.
    values = _noise(96, 7)
    values[48:] += 0.05
    assert _first(values) == 61


def test_a_dip_and_recovery_is_not_a_line() -> None:
    # A room event: 8 h falling by 2 degC, back within 3 h.
    values = _noise(96, 3)
    values[50:58] -= np.linspace(0.25, 2.0, 8)
    values[58:61] -= np.array([1.2, 0.5, 0.1])
    assert _first(values) is None


def test_a_steep_line_is_left_to_the_day_median() -> None:
    # 0.2 degC an hour: a room cooling, or a fast drift; this path reports only
    # slow lines (a fast drift is the day's median's to report, once it lasts).
    # (After a day and more the line is most of the three days' residual, and
    # so of its scale: then it is reported here too, long after the median did.)
    values = _noise(72, 5)
    values[48:] += 0.2 * np.arange(1, 25)
    assert _first(values) is None
    assert _first(values, DriftTrendConfig(max_rate=math.inf)) is not None


def test_a_gap_is_never_bridged_by_a_line() -> None:
    ev = TrendEvidence()
    for h in range(60):
        assert ev.add(math.nan if h % 10 == 0 else RATE * h * 10) is None


def test_the_history_is_bounded() -> None:
    ev = TrendEvidence()
    for h in range(500):
        ev.add(float(h % 3) * 0.001)
    assert len(ev.last(1000)) == 72


# A sound thermometer's hourly residual from the simulator (museum wing, seed 1,
# gallery-a; 3 decimals): quiet hours, a visitors' burst each afternoon, the
# door left open at hour 26. The last day's burst sits near the end of the
# 24 h window, where it swings a least-squares slope; the MAD scatter ignores
# it, so the plain line's t reached -12.3 at hour 70 (a false drift).
SOUND_GALLERY = [
    -0.001, -0.003, -0.001, -0.005, -0.001, -0.0, 0.003, -0.003, -0.003, -0.001, -0.01,
    -0.002, 0.005, 0.0, -0.026, -0.03, -0.083, -0.294, -0.328, -0.009, -0.091, 0.019,
    -0.005, 0.0, -0.0, -0.0, -3.777, -4.466, -2.157, -0.455, -0.055, -0.005, 0.0, -0.001,
    -0.001, 0.006, -0.006, -0.001, -0.013, -0.024, -0.056, -0.223, -0.164, -0.006, -0.084,
    -0.05, -0.006, -0.001, -0.0, 0.0, 0.005, 0.015, 0.013, 0.008, 0.011, 0.01, 0.0, 0.001,
    0.0, -0.001, -0.003, -0.001, -0.009, -0.016, -0.093, -0.216, -0.082, -0.001, -0.027,
    -0.036, -0.005, -0.001,
]  # fmt: skip


def test_a_burst_at_the_end_of_the_window_is_no_line() -> None:
    values = np.array(SOUND_GALLERY)
    assert _first(values) is None
    assert _first(values, PLAIN) is None
    # The plain least-squares line alone calls it a drift (the defect fixed).
    plain_alone = DriftTrendConfig(agree_trim=None, by_hour=False, robust=False, t_min=12.0)
    assert _first(values, plain_alone) == 70


@pytest.mark.parametrize("seed", range(4))
def test_a_drift_is_still_a_line_without_the_hours_off_it(seed: int) -> None:
    # The same drift found as early with and without the agreement test.
    onset = 48
    values = _noise(96, seed)
    values[onset:] += RATE * np.arange(1, 96 - onset + 1)
    plain_alone = DriftTrendConfig(
        agree_trim=None, by_hour=False, robust=False, t_min=12.0, hold_h=1
    )
    assert _first(values, PLAIN) == _first(values, plain_alone)


def _first_line(values: np.ndarray, slow_line: SlowLine) -> int | None:
    ev = TrendEvidence(DriftTrendConfig(hold_h=1), slow_line=slow_line)
    for h, v in enumerate(values):
        if ev.add(float(v)) is not None:
            return h
    return None


def _sooner_than(
    slow_line: SlowLine, than: SlowLine = "plain", burst_at: int = 14, burst: float = -0.1
) -> None:
    """12 seeds of a drift with a 4 h burst of ``burst`` from ``burst_at`` h
    after its onset (by default an afternoon against it 14-17 h after):
    ``slow_line`` never later than ``than``, fewer later than 24 h."""
    onset, late = 48, {than: 0, slow_line: 0}
    for seed in range(12):
        values = _noise(120, seed)
        values[onset:] += RATE * np.arange(1, 120 - onset + 1)
        values[onset + burst_at : onset + burst_at + 4] += burst
        found = {line: _first_line(values, line) for line in late}
        mine, before = found[slow_line], found[than]
        assert mine is not None and before is not None
        assert onset < mine <= before, (seed, found)
        for line, first in found.items():
            late[line] += first is not None and first - onset > 24
    assert late[slow_line] < late[than], late


def test_a_busy_afternoon_against_a_drift_holds_it_back_less_with_the_agreeing_slope() -> None:
    # The late drifts of issue 14's drift57 trace: an afternoon's burst against
    # the drift, late in the window, swings the plain least-squares slope, and
    # the smaller of the plain and the refit's t held the report back.
    _sooner_than("agreeing")


@pytest.mark.parametrize("seed", range(4))
def test_bursts_and_noise_alone_are_no_line_with_the_agreeing_slope(seed: int) -> None:
    assert _first_line(_noise(24 * 7, seed), "agreeing") is None


def test_the_sound_gallery_is_a_line_with_the_agreeing_slope_a_known_limit() -> None:
    # Not a fix but a limit, pinned so that a change to it shows (drift57's
    # log): without the bursts, this sound gallery's quiet hours fall about
    # 0.02 over the last 18 h, and the refit's slope over every hour's scatter
    # reaches |t| 12.1 at hour 68 (the refit's own t 12.7; the plain line's 4.9).
    values = np.array(SOUND_GALLERY)
    assert _first_line(values, "plain") is None
    assert _first_line(values, "agreeing") == 68


def test_the_sound_gallery_is_no_line_at_the_kept_hours_leverage() -> None:
    # drift58: at hour 68 the refit dropped the afternoon (4 of 18 hours, near
    # the window's end) and its slope was credited with the whole window's
    # leverage; the kept hours' own (0.78 of it) puts its t at 9.4.
    values = np.array(SOUND_GALLERY)
    assert _first_line(values, "agreeing_kept") is None


def test_a_busy_afternoon_against_a_drift_is_still_found_sooner_at_the_kept_hours_leverage() -> (
    None
):
    # The afternoon of the test above: the kept hours' leverage keeps the
    # agreeing slope's gain over the product (7 -> 2 later than 24 h on these
    # 12 seeds) and is never later than it.
    _sooner_than("agreeing_kept")


@pytest.mark.parametrize("seed", range(4))
def test_bursts_and_noise_alone_are_no_line_at_the_kept_hours_leverage(seed: int) -> None:
    assert _first_line(_noise(24 * 7, seed), "agreeing_kept") is None


def test_an_unknown_slow_line_is_refused_and_no_refit_is_plain() -> None:
    with pytest.raises(ValueError, match="slow_line must be one of plain, agreeing"):
        TrendEvidence(DriftTrendConfig(), slow_line="kept")  # type: ignore[arg-type]
    # Without agree_trim there is no refit to agree with: the plain line.
    ev = TrendEvidence(DriftTrendConfig(agree_trim=None), slow_line="agreeing_kept")
    assert ev.slow_line == "plain"
    assert TrendEvidence().slow_line == "plain"  # the evidence's own default


def test_a_burst_at_a_drifts_onset_is_found_sooner_with_the_whole_windows_line() -> None:
    # drift59: a busy spell at the drift's onset, early in its windows; the
    # refit drops it and its slope keeps part of the window's leverage, so
    # at the kept hours' leverage the drift waits, while the plain line over
    # every hour and the agreeing slope at the window's leverage both pass
    # (as on seeds 81 gallery-a, 93 and 99 gallery-b). Never later than C.
    _sooner_than("agreeing_kept_or_whole", than="agreeing_kept", burst_at=0, burst=0.1)


@pytest.mark.parametrize("seed", range(4))
def test_bursts_and_noise_alone_are_no_line_with_the_whole_windows_line(seed: int) -> None:
    assert _first_line(_noise(24 * 7, seed), "agreeing_kept_or_whole") is None


def test_the_sound_gallery_is_no_line_with_the_whole_windows_line() -> None:
    # The plain line is short of the bar there (4.9), so the whole window's
    # leverage is not taken: drift57's known limit stays fixed.
    assert _first_line(np.array(SOUND_GALLERY), "agreeing_kept_or_whole") is None
