"""A blocked counter beside a camera: the catch-up is not undone by what the camera learnt.

The lobby and gallery of ``test_stopped_counter_trust``, now with a camera
over the gallery that misses about 10 % of the people in it. The gallery's
exit counter is blocked 11:00-14:00 on day 5. Until the detector reports
it, the zeros keep the leavers in the gallery and the camera's updates
take part of that gap as its own miss share. Without booking that
learning at the catch-up (``silence_learning.py``), the camera then pulls
the gallery back towards the wrong count, inside a narrow band.
"""

from __future__ import annotations

import numpy as np

from tests.unit.analytics.blocked_wing import BLOCK, day5


def test_the_gallery_band_holds_the_truth_from_the_detection_to_the_blockages_end() -> None:
    run = day5(0, blocked=True, camera=True)
    t, x, found = run.t, run.x, run.detected
    assert found is not None and BLOCK[0] < found < BLOCK[0] + 3600.0
    sel = (t >= found) & (t < BLOCK[1])
    inside = np.abs(x[sel, 1] - x[sel, 0]) <= 1.96 * x[sel, 2]
    assert inside.mean() >= 0.9
