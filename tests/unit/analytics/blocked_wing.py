"""A lobby and a gallery through five days, the gallery's exit counter blocked on day 5.

Shared by ``test_stopped_counter_trust`` (counters only) and
``test_stopped_counter_camera`` (a camera over the gallery too). Every door is
counted both ways by counters missing 4 %; for four days the stopped-counter
detector learns each counter's share; on the fifth the gallery's exit counter
is blocked from 11:00 to 14:00 while visitors keep leaving the gallery.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ingest.contract import Reading
from twin.live_analytics import AnalyticsConfig
from twin.live_analytics.config import SilenceMode
from twin.live_analytics.results import GateFlow
from twin.live_analytics.venue_analytics import VenueAnalytics
from twin.venue import Venue

T0 = 1_767_225_600.0  # a midnight, UTC
STEP_S = 20.0
DAY = 86400.0
BLOCK = (T0 + 4 * DAY + 11 * 3600.0, T0 + 4 * DAY + 14 * 3600.0)
COUNTERS = ("main-in", "main-out", "gal-in", "gal-out")

Flows = list[tuple[float, GateFlow]]  # (time, the gallery gate's flow)


def venue(camera: bool) -> Venue:
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
    sensors: list[dict[str, object]] = [
        counter("main-in", "main", "forward", "lobby"),
        counter("main-out", "main", "backward", "lobby"),
        counter("gal-in", "gal", "forward", "gallery"),
        counter("gal-out", "gal", "backward", "gallery"),
    ]
    if camera:
        sensors.append(
            {
                "id": "gal-cam",
                "kind": "people_count",
                "zone": "gallery",
                "position": [10, 10, 4],
                "interval_s": STEP_S,
            }
        )
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
            "sensors": sensors,
        }
    )


@dataclass(frozen=True)
class Day5:
    """Day 5, 09:00-17:00, per step: the gallery's truth, estimate and sd; the gate flows."""

    t: npt.NDArray[np.float64]
    x: npt.NDArray[np.float64]  # columns: truth, estimate, sd
    flows: Flows
    detected: float | None  # when the tracker first distrusted the blocked counter


@functools.cache
def day5(seed: int, blocked: bool, camera: bool, suspect: SilenceMode = "off") -> Day5:
    """``suspect``: the silent counters' soft distrust (``silence_suspicion.py``)."""
    rng = np.random.default_rng(seed)
    cfg = AnalyticsConfig(
        initial_occupancy={"lobby": 0, "gallery": 0},
        empty_hours={"wing": (18.0, 8.0)},
        suspect_silent_counters=suspect,
    )
    va = VenueAnalytics(venue(camera), cfg)
    lobby = gallery = 0
    count = dict.fromkeys(COUNTERS, 0.0)
    lost = 0.0
    rows: list[tuple[float, float, float, float]] = []
    flows: Flows = []
    detected: float | None = None
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
        if camera:  # misses about 10 % of the people in the gallery
            readings.append(Reading("wing", "gal-cam", ts, float(rng.binomial(gallery, 0.9))))
        update, _ = va.process(readings)
        if detected is None and "gal-out" in va.crowd.distrusted:
            detected = ts
        if ts >= T0 + 4 * DAY + 9 * 3600.0 and hour < 17.0 and update.crowd:
            g = next(c for c in update.crowd if c.zone == "gallery")
            rows.append((ts, gallery, g.occupancy, g.occupancy_sd))
            flows.append((ts, next(f for f in update.flows if f.gate == "gal")))
        if ts < T0 + 4 * DAY:
            assert not va.crowd.distrusted  # no fault, no distrust
    r = np.array(rows)
    return Day5(r[:, 0], r[:, 1:], flows, detected)
