"""A zone left to its counters (its tracker offline): the band carries the counters' corrections.

While a people tracker watches a hall, the filter learns the hall's counter
corrections; when it goes offline, the hall is tracked on its counters
alone. Each step the hall's variance must grow by the binomial spread of
the step's counts and by what the corrections' own uncertainty does to
them: after ``K`` steps of ``c`` people in and ``c'`` out, ``(K c)^2
var(b_in) + (K c')^2 var(b_out)`` (the same correction errs on every step of
the outage), not ``K`` independent draws of it. docs/measurements/crowd-log.md,
"The hall during outages".
"""

from __future__ import annotations

import pytest

from twin.analytics.crowd import GateSpec, OccupancyConfig, OccupancyEstimator

REL_SD = 0.22
BIAS_SD = 0.02


# 200 steps: every 64th step the filter folds P back to symmetric (a new
# array); that step's propagation and count noise used to go into the old
# array and be lost, so a live day's band came out narrower than its counts.
@pytest.mark.parametrize("steps", [60, 200])
def test_the_band_of_a_counted_zone_grows_with_its_corrections_uncertainty(steps: int) -> None:
    cfg = OccupancyConfig(
        count_rel_sd=REL_SD, count_abs_sd=0.0, bias_sd_initial=BIAS_SD, bias_sd_per_day=0.0
    )
    est = OccupancyEstimator(["hall"], [GateSpec("door", None, "hall")], cfg)
    est.set_occupancy("hall", 10.0, 0.0)
    inward, outward = 3.0, 2.0
    for _ in range(steps):
        est.predict({"door": (inward, outward)}, 10.0)
    counts = REL_SD**2 * steps * (inward + outward)
    corrections = BIAS_SD**2 * ((steps * inward) ** 2 + (steps * outward) ** 2)
    assert est.P[0, 0] == pytest.approx(counts + corrections, rel=1e-9)
    # The corrections' part is most of the band after 10 minutes of 5 crossings a step.
    assert corrections > counts
