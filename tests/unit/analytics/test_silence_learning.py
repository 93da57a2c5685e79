"""At a stopped counter's catch-up, what a camera learnt during the silence becomes uncertain."""

from __future__ import annotations

import numpy as np

from twin.analytics.crowd import OccupancyEstimator
from twin.live_analytics.silence_learning import SilenceLearning
from twin.venue import Gate

# outside -> hall (channels 0, 1) -> room (channels 2, 3); a camera watches the room.
GATES = [
    Gate(id="door", from_zone=None, to_zone="hall", position=(0.0, 0.0)),
    Gate(id="arch", from_zone="hall", to_zone="room", position=(1.0, 0.0)),
]


def _estimator() -> OccupancyEstimator:
    start = {"hall": 0.0, "room": 0.0}
    return OccupancyEstimator(("hall", "room"), GATES, initial=start, cameras=["room"])


def test_a_catch_up_books_the_cameras_learning_since_the_channel_last_counted() -> None:
    est = _estimator()
    learn = SilenceLearning(est, ["room"])
    g = est.n_zones + est.graph.n_channels  # the camera's miss share in the state
    learn.counted(est, np.array([True, True, True, True]))  # every channel counts: a fresh start
    # The arch's forward counter goes quiet; the room's camera sees people the counts do not:
    # its updates put 12 people into the room and 0.1 into its miss share.
    for _ in range(3):
        before = learn.before_cameras(est)
        est.x[1] += 4.0
        est.x[g] += 0.1 / 3
        learn.after_cameras(est, before)
        learn.counted(est, np.array([True, True, False, True]))
    p_room, p_g, p_hall = est.P[1, 1], est.P[g, g], est.P[0, 0]
    learn.widen(est, [2])  # the arch's forward channel caught up
    assert np.isclose(est.P[1, 1] - p_room, 12.0**2)
    assert np.isclose(est.P[g, g] - p_g, 0.1**2)
    assert est.P[0, 0] == p_hall  # no camera in the hall: nothing learnt there


def test_a_channel_that_kept_counting_or_no_catch_up_adds_nothing() -> None:
    est = _estimator()
    learn = SilenceLearning(est, ["room"])
    before = learn.before_cameras(est)
    est.x[1] += 5.0
    learn.after_cameras(est, before)
    learn.counted(est, np.ones(4, dtype=bool))  # the room's channels counted in that step
    p = est.P.copy()
    learn.widen(est, [2])  # caught up, but the camera learnt nothing since it last counted
    learn.widen(est, [])
    assert np.array_equal(est.P, p)
