"""The earlier of two lines (opt-in `earliest`): the plain line at its bar and the
line weighted by each hour's usual scatter at its own, so a drift that shows in a
gallery's quiet hours is reported sooner, and busy afternoons alone are still no line."""

from __future__ import annotations

import numpy as np
import pytest

from tests.unit.analytics.test_anomaly_drift_weighted import (
    HEATING_FAILURE,
    HEATING_SPREADS,
    RATE,
    _busy_residual,
    _rooms,
    _run,
)
from twin.analytics.anomaly.drift_trend import WEIGHTED_T_MIN, DriftTrendConfig, TrendEvidence
from twin.analytics.anomaly.neighbour_drift import DriftConfig

PLAIN = DriftTrendConfig()  # the product: the plain line at t_min 12
EARLIEST = DriftTrendConfig(earliest=True)
WEIGHTED_ALONE = DriftTrendConfig(by_hour=True, t_min=WEIGHTED_T_MIN)
ONSET = 49  # 1 am: the first day's afternoon falls in every window


def _first(values: np.ndarray, spreads: list[float], config: DriftTrendConfig) -> int | None:
    ev = TrendEvidence(config)
    for h, (v, s) in enumerate(zip(values, spreads, strict=True)):
        if ev.add(float(v), s) is not None:
            return h
    return None


def _drifting(seed: int) -> tuple[np.ndarray, list[float]]:
    values, spreads = _busy_residual(120, seed)
    values[ONSET:] += RATE * np.arange(1, 120 - ONSET + 1)
    return values, spreads


@pytest.mark.parametrize("seed", range(6))
def test_the_earlier_of_the_two_lines_reports(seed: int) -> None:
    values, spreads = _drifting(seed)
    plain = _first(values, spreads, PLAIN)
    weighted = _first(values, spreads, WEIGHTED_ALONE)
    assert plain is not None and weighted is not None
    assert _first(values, spreads, EARLIEST) == min(plain, weighted)


def test_quiet_hours_that_show_the_drift_report_it_sooner() -> None:
    # Busy afternoons scatter 25 times the quiet hours: the plain line waits
    # for them to leave its windows, the weighted line does not.
    sooner = 0
    for seed in range(6):
        values, spreads = _drifting(seed)
        union = _first(values, spreads, EARLIEST)
        plain = _first(values, spreads, PLAIN)
        assert union is not None and plain is not None
        assert ONSET < union <= ONSET + 24
        sooner += union < plain
    assert sooner >= 4


@pytest.mark.parametrize("seed", range(4))
def test_busy_afternoons_alone_are_no_line_for_either(seed: int) -> None:
    values, spreads = _busy_residual(24 * 7, 100 + seed)
    assert _first(values, spreads, EARLIEST) is None


def test_a_heating_failure_is_no_line_for_either() -> None:
    values = np.array(HEATING_FAILURE)
    assert _first(values, HEATING_SPREADS, EARLIEST) is None


def test_the_weighted_line_is_held_to_its_own_bar() -> None:
    # At the plain line's bar the weighted line's noise would report this
    # heating failure (its halves aside); the union keeps it to its own bar.
    values = np.array(HEATING_FAILURE)
    low = DriftTrendConfig(earliest=True, weighted_t_min=PLAIN.t_min, halves=False)
    assert _first(values, HEATING_SPREADS, low) is not None
    own = DriftTrendConfig(earliest=True, halves=False)
    assert own.weighted_t_min > PLAIN.t_min


def test_the_neighbours_report_the_drift_sooner_and_sound_rooms_not_at_all() -> None:
    start = 3 * 86400.0 + 3600.0  # 1 am of the fourth day
    readings = _rooms(5.5, start, seed=4)
    found = _run(readings, DriftConfig(trend=EARLIEST))
    assert {s for s, _ in found} == {"t2"}
    first = min(t for _, t in found)
    assert start < first <= start + 24 * 3600.0, (first - start) / 3600.0
    plain = _run(readings, DriftConfig(trend=PLAIN))
    assert not plain or min(t for _, t in plain) > first
    assert _run(_rooms(6.0, None, seed=5), DriftConfig(trend=EARLIEST)) == []
