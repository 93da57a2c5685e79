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

import functools

import numpy as np

from ingest.contract import Reading
from twin.live_analytics import AnalyticsConfig
from twin.live_analytics.venue_analytics import VenueAnalytics
from twin.venue import Venue

T0 = 1_767_225_600.0  # a midnight, UTC
STEP_S = 20.0
DAY = 86400.0
BLOCK = (T0 + 4 * DAY + 11 * 3600.0, T0 + 4 * DAY + 14 * 3600.0)
COUNTERS = ("main-in", "main-out", "gal-in", "gal-out")


def _venue() -> Venue:
    def counter(sid: str, gate: str, way: str, zone: str) -> dict[str, object]:
        return {
            "id": sid,
            "kind": "gate_counter",
            "zone": zone,
            "gate": gate,
            "direction": way,
            "position": [0, 0, 2],
            "interval_s": STEP_S,
        }

    square = [[0, 0], [20, 0], [20, 20], [0, 20]]
    return Venue.model_validate(
        {
            "id": "wing",
            "name": "Wing",
            "zones": [
                {"id": "lobby", "name": "Lobby", "floor": square},
                {"id": "gallery", "name": "Gallery", "floor": square},
            ],
            "gates": [
                {"id": "main", "from_zone": None, "to_zone": "lobby", "position": [0, 10]},
                {"id": "gal", "from_zone": "lobby", "to_zone": "gallery", "position": [20, 10]},
            ],
            "sensors": [
                counter("main-in", "main", "forward", "lobby"),
                counter("main-out", "main", "backward", "lobby"),
                counter("gal-in", "gal", "forward", "gallery"),
                counter("gal-out", "gal", "backward", "gallery"),
            ],
        }
    )


@functools.cache
def _day5(seed: int, blocked: bool) -> tuple[np.ndarray, np.ndarray, list[tuple[float, object]]]:
    """Day 5, 09:00-17:00: rows (ts, truth, estimate, sd) of the gallery, and the gate flows."""
    rng = np.random.default_rng(seed)
    cfg = AnalyticsConfig(
        initial_occupancy={"lobby": 0, "gallery": 0}, empty_hours={"wing": (18.0, 8.0)}
    )
    va = VenueAnalytics(_venue(), cfg)
    lobby = gallery = 0
    count = dict.fromkeys(COUNTERS, 0.0)
    lost = 0.0
    rows, flows = [], []
    for k in range(int(5 * DAY / STEP_S)):
        ts = T0 + STEP_S * (k + 1)
        hour = (ts - T0) / 3600.0 % 24.0
        open_ = 9.0 <= hour < 17.0
        groups = int(rng.poisson(0.6)) if open_ else 0
        arrive = int(sum(1 if rng.random() < 0.8 else rng.integers(2, 11) for _ in range(groups)))
        p_in, p_back, p_out = (0.04, 0.022, 0.02) if open_ else (0.0, 0.2, 0.2)
        to_gal = int(rng.binomial(lobby, p_in))
        back = int(rng.binomial(gallery, p_back))
        out = int(rng.binomial(lobby - to_gal, p_out))
        lobby += arrive - to_gal - out + back
        gallery += to_gal - back
        for sid, n in zip(COUNTERS, (arrive, out, to_gal, back), strict=True):
            seen = float(rng.binomial(n, 0.96))
            count[sid] += seen
            if sid == "gal-out" and blocked and BLOCK[0] <= ts < BLOCK[1]:
                lost += seen
        if not 8.5 <= hour < 18.0 and k % 30:
            continue  # nights: a reading each 10 min (nobody crosses; a faster test)
        readings = [
            Reading("wing", sid, ts, count[sid] - (lost if sid == "gal-out" else 0.0))
            for sid in COUNTERS
        ]
        update, _ = va.process(readings)
        if ts >= T0 + 4 * DAY + 9 * 3600.0 and hour < 17.0 and update.crowd:
            g = next(c for c in update.crowd if c.zone == "gallery")
            rows.append((ts, gallery, g.occupancy, g.occupancy_sd))
            flows.append((ts, next(f for f in update.flows if f.gate == "gal")))
        if ts < T0 + 4 * DAY:
            assert not va.crowd.distrusted  # no fault, no distrust
    r = np.array(rows)
    return r[:, 0], r[:, 1:], flows


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
