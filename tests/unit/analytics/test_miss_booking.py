"""The option that puts the misses' spread and the gain on each channel's booked counts.

``OccupancyConfig.miss_window_s`` (900 s by default since 2026-12;
docs/measurements/crowd-log.md, "The misses' spread on the expected
count"): pedestrians are missed one by one, so a step's misses do not
depend on what it counted, and their spread is there in a step that
counted nobody. With it, a camera no longer learns its doors' common
correction, which nothing measures, and a watched hall's corrections
still do not drift together. (It was off while the batched and the
inline service could differ on a young stream; the service's steps now
fall on the readings' own time: the log, "Steps on the readings' time".)
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tests.unit.analytics.test_correction_common_scale import common_scale_sd
from tests.unit.analytics.test_counter_thinning import MISS, learned_after_nights
from twin.analytics.crowd.channel_misses import MissBooking
from twin.live_analytics.config import LIVE_OCCUPANCY

BOOKED = dataclasses.replace(LIVE_OCCUPANCY, miss_window_s=900.0)


def test_the_booked_counts_add_up_to_the_counts_once_the_flow_stops() -> None:
    booking = MissBooking(2, 900.0)
    booked = booking.book(np.array([30.0, 2.0]), 10.0)
    for _ in range(2000):  # 10 s steps, nobody counted: about 5.5 h
        booked = booked + booking.book(np.zeros(2), 10.0)
    assert booked == pytest.approx([30.0, 2.0], rel=1e-6)


def test_a_long_quiet_step_books_what_was_counted_not_the_rate() -> None:
    # Two people counted in 10 s, then nobody for 8 h: the step books the two,
    # not 0.2 /s x 8 h (a normalised average of the first step's rate would).
    booking = MissBooking(1, 900.0)
    first = booking.book(np.array([2.0]), 10.0)
    later = booking.book(np.zeros(1), 8 * 3600.0)
    assert first[0] + later[0] == pytest.approx(2.0, rel=1e-9)


def test_one_step_books_what_two_halves_book_for_a_steady_flow() -> None:
    one, two = MissBooking(1, 900.0), MissBooking(1, 900.0)
    for _ in range(50):
        whole = one.book(np.array([6.0]), 60.0)
        halves = two.book(np.array([3.0]), 30.0) + two.book(np.array([3.0]), 30.0)
    assert whole == pytest.approx(halves, rel=1e-9)


@pytest.mark.parametrize("seed", [0])
def test_a_camera_does_not_learn_its_doors_common_correction(seed: int) -> None:
    # As shipped 0.95-0.97 % (the strict known failure in
    # test_correction_common_scale.py); the prior with g's 3 % allows 1.28 %.
    assert common_scale_sd(seed, BOOKED) >= 0.012


@pytest.mark.parametrize("seed", [0, 1])
def test_a_watched_halls_corrections_still_do_not_drift_together(seed: int) -> None:
    truth = {sid: m / (1.0 - m) for sid, m in MISS.items()}
    for learned in learned_after_nights(seed, 2, BOOKED):
        mean_err = np.mean([learned[s] - truth[s] for s in MISS])
        assert abs(mean_err) < 0.01, (learned, truth)


def test_a_short_stream_expects_its_plain_mean_not_nothing() -> None:
    # The pool alone books a few per cent of a 2-minute run's counts (the
    # flow before the stream taken as 0): the real experiments' bands fell
    # to 53-59 %. With the unseen past at the mean so far, a steady flow
    # expects its rate from the first step.
    booking = MissBooking(1, 900.0)
    first = [booking.expect(np.array([3.0]), 1.0)[0] for _ in range(120)]
    assert first == pytest.approx([3.0] * 120, rel=1e-9)
    assert MissBooking(1, 900.0).book(np.array([3.0]), 1.0)[0] < 0.01


def test_a_long_quiet_step_expects_the_booked_counts_not_the_first_steps_rate() -> None:
    booking = MissBooking(1, 900.0)
    booking.expect(np.array([2.0]), 10.0)
    later = booking.expect(np.zeros(1), 8 * 3600.0)
    # About the two counted, not 0.2 /s x 8 h.
    assert later[0] == pytest.approx(2.0, rel=0.02)


def test_the_unseen_past_fades_once_the_stream_is_a_few_windows_old() -> None:
    plain, start = MissBooking(1, 900.0), MissBooking(1, 900.0)
    for _ in range(1080):  # 3 h of 10 s steps, a steady flow
        a, b = plain.book(np.array([1.0]), 10.0), start.expect(np.array([1.0]), 10.0)
    assert b[0] == pytest.approx(1.0, rel=1e-6)
    assert a[0] == pytest.approx(b[0], rel=1e-4)
