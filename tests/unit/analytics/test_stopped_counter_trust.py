"""A gate counter that stops counting is out of service for the occupancy estimate until it counts.

A lobby behind the main door and a gallery behind the lobby; every door
counted both ways, counters missing 4 %. For four days the stopped-counter
detector learns each counter's share; on the fifth the gallery's exit
counter is blocked from 11:00 to 14:00 while visitors keep leaving the
gallery. Read as zeros, the blocked counter keeps everyone who left in the
gallery with a band that says it is sure; distrusted, the gallery's band
holds the truth.
"""

from __future__ import annotations

import numpy as np

from tests.unit.analytics.blocked_wing import BLOCK, DAY, T0, Flows, day5


def _day5(seed: int, blocked: bool) -> tuple[np.ndarray, np.ndarray, Flows]:
    run = day5(seed, blocked, camera=False)
    return run.t, run.x, run.flows


def _covered(t: np.ndarray, x: np.ndarray, lo: float, hi: float) -> float:
    sel = (t >= lo) & (t < hi)
    return float((np.abs(x[sel, 1] - x[sel, 0]) <= 1.96 * x[sel, 2]).mean())


def test_a_blocked_exit_counter_leaves_the_truth_inside_the_gallery_band() -> None:
    t, x, flows = _day5(0, True)
    # An hour into the blockage, and for the rest of the day, the gallery's
    # band holds everyone who left uncounted (read as zeros: 0 % of steps).
    assert _covered(t, x, BLOCK[0] + 3600.0, T0 + 4 * DAY + 17 * 3600.0) >= 0.9
    # Distrusted from the detection on (within the hour) to the blockage's end.
    when = [ts for ts, f in flows if f.distrusted_counters == ("gal-out",)]
    assert when and BLOCK[0] < when[0] < BLOCK[0] + 3600.0
    assert _covered(t, x, when[0], T0 + 4 * DAY + 17 * 3600.0) >= 0.9
    # While distrusted, the gallery's exits are not reported as measured.
    assert all(f.backward_per_s is None for ts, f in flows if when[0] <= ts < BLOCK[1])


def test_the_counter_is_trusted_again_once_it_counts() -> None:
    t, x, flows = _day5(0, True)
    after = [(ts, f) for ts, f in flows if ts >= BLOCK[1] + 600.0]
    assert after and all(f.distrusted_counters == () for _, f in after)
    assert all(f.backward_per_s is not None for _, f in after)
    # Trusted again, its counts carry the gallery: the band stops widening.
    sd = x[:, 2]
    at_end = sd[(t >= BLOCK[1]) & (t < BLOCK[1] + 600.0)].max()
    assert sd[t >= BLOCK[1] + 3600.0].max() <= 1.1 * at_end


def test_a_day_without_faults_is_estimated_as_before() -> None:
    t, x, flows = _day5(0, False)
    assert all(f.distrusted_counters == () for _, f in flows)
    assert _covered(t, x, t[0], t[-1] + 1.0) >= 0.9
