"""bench/count_events.py: labelled count events and NAB's window placement."""

from __future__ import annotations

import numpy as np

from bench.count_events import EVENT_KINDS, counts_with_events, nab_windows
from bench.nab_synthetic import counts


def test_windows_are_a_tenth_of_the_file_shared_and_centred() -> None:
    # 10 % of 15,800 rows shared by 3 anomalies: int(526.67) = 526 rows, 263 each side.
    assert nab_windows(15_800, [2000, 8000, 15_700]) == [
        (1737, 2263),
        (7737, 8263),
        (15_437, 15_799),  # clipped to the file's last row
    ]


def test_a_first_window_in_the_probation_is_dropped_and_overlaps_merge() -> None:
    # Probation: min(floor(0.15 * 10,000), 750) = 750 rows; windows of int(1000 / 3) = 333.
    assert nab_windows(10_000, [800, 5000, 5100]) == [(4834, 5266)]
    assert nab_windows(10_000, [900, 5000]) == [(4750, 5250)]  # starts at 650 < 750
    assert nab_windows(10_000, [1100, 5000]) == [(850, 1350), (4750, 5250)]
    assert nab_windows(10_000, []) == []


def test_labelled_files_hold_one_event_of_each_kind_in_separate_windows() -> None:
    for seed in (0, 1, 2, 3):
        t, v, events = counts_with_events(seed)
        assert sorted(e.kind for e in events) == sorted(EVENT_KINDS)
        windows = nab_windows(len(t), [e.onset for e in events])
        assert len(windows) == 3  # none dropped, none merged
        assert windows[0][0] >= 750
        # the same counts as the event-free file up to the first onset
        first = min(e.onset for e in events)
        assert np.array_equal(v[:first], counts(seed)[1][:first])
        assert not np.array_equal(v, counts(seed)[1])
