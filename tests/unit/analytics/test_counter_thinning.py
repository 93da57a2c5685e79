"""A watched hall does not drag its door counters' corrections down, night after night.

A counter misses a share of the people who cross: the misses are a thinning
of the flow, so how many it missed in a 10 s step does not depend on how
many it counted (half the steps count nobody and still miss someone). The
estimator's gain for its correction ``b`` used the step's own count, so a
tracker that sees the hall every step taught it a regression on a noisy
regressor: the steps that counted people over-predicted, the steps that
counted none under-predicted, and all four of the hall's corrections fell
together, about 0.03 a day in the simulated museum (main door forward
learned 0.037 / 0.005 / -0.024 against a true 0.073 after nights 1-3, the
corridor beside it then 20-50 people off). The filter's gain for ``b`` now
uses the channel's expected count (its recent flow,
``twin.live_analytics.unobserved_flow``), which carries none of the step's
misses.
"""

from __future__ import annotations

import numpy as np
import pytest

from twin.analytics.crowd import OccupancyConfig
from twin.live_analytics import AnalyticsConfig
from twin.live_analytics.config import LIVE_OCCUPANCY
from twin.live_analytics.crowd import CrowdTracker
from twin.venue import Venue

T0 = 1_732_521_600.0  # 2024-11-25 08:00 UTC
STEP = 10.0
# True miss rates of the four channels (door in/out, arch in/out): inside 1-8 %,
# 4 % on average as the live prior expects (its pull is then no offset).
MISS = {"door-in": 0.07, "door-out": 0.02, "arch-in": 0.02, "arch-out": 0.05}
CHANNELS = {
    "door-in": "door:forward",
    "door-out": "door:backward",
    "arch-in": "arch:forward",
    "arch-out": "arch:backward",
}


def venue() -> Venue:
    def counter(sid: str, gate: str, zone: str, back: bool) -> dict[str, object]:
        s: dict[str, object] = {
            "id": sid,
            "kind": "gate_counter",
            "zone": zone,
            "gate": gate,
            "position": [0, 0, 2],
            "interval_s": STEP,
        }
        if back:
            s["direction"] = "backward"
        return s

    return Venue.model_validate(
        {
            "id": "v",
            "name": "V",
            "zones": [
                {"id": "hall", "name": "Hall", "floor": [[0, 0], [20, 0], [20, 15], [0, 15]]},
                {"id": "gallery", "name": "G", "floor": [[20, 0], [50, 0], [50, 15], [20, 15]]},
            ],
            "gates": [
                {"id": "door", "from_zone": None, "to_zone": "hall", "position": [0, 7]},
                {"id": "arch", "from_zone": "hall", "to_zone": "gallery", "position": [20, 7]},
            ],
            "sensors": [
                counter("door-in", "door", "hall", False),
                counter("door-out", "door", "hall", True),
                counter("arch-in", "arch", "gallery", False),
                counter("arch-out", "arch", "gallery", True),
                {
                    "id": "eye",
                    "kind": "people_tracker",
                    "zone": "hall",
                    "position": [10, 7, 5],
                    "interval_s": STEP,
                },
            ],
        }
    )


def learned_after_nights(
    seed: int, days: int, occupancy: OccupancyConfig = LIVE_OCCUPANCY
) -> list[dict[str, float]]:
    """Each channel's learned correction at the end of every night."""
    config = AnalyticsConfig(empty_hours={"v": (18.0, 8.0)}, occupancy=occupancy)
    tracker = CrowdTracker(venue(), config)
    rng = np.random.default_rng(seed)
    hall = gallery = 0
    true = dict.fromkeys(MISS, 0)
    reported = dict.fromkeys(MISS, 0.0)
    out = []
    t = T0
    for _ in range(days):
        # 08:00-18:00 in 10 s steps: visitors arrive until 16:30, then all leave.
        for k in range(3600):
            t += STEP
            open_ = k < 3060
            arrive = rng.poisson(0.8) if open_ else 0
            to_gallery = rng.binomial(hall, 0.04 if open_ else 0.0)
            back = rng.binomial(gallery, 0.01 if open_ else 0.2)
            leave = rng.binomial(hall - to_gallery, 0.05 if open_ else 0.3)
            flows = {"door-in": arrive, "door-out": leave, "arch-in": to_gallery, "arch-out": back}
            hall += arrive - leave - to_gallery + back
            gallery += to_gallery - back
            for sid, f in flows.items():
                true[sid] += f
                reported[sid] += rng.binomial(f, 1.0 - MISS[sid])
                tracker.update(sid, t - 1.0, reported[sid])
            tracker.update("eye", t - 1.0, float(rng.binomial(hall, 0.98)))
            tracker.advance(t)
        # The night, known empty, in 10-minute steps up to 08:00.
        for _ in range(84):
            t += 600.0
            for sid in MISS:
                tracker.update(sid, t - 1.0, reported[sid])
            tracker.update("eye", t - 1.0, 0.0)
            tracker.advance(t)
        bias = tracker.channel_bias()
        out.append({sid: bias[ch] for sid, ch in CHANNELS.items()})
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_a_watched_halls_corrections_do_not_drift_together(seed: int) -> None:
    truth = {sid: m / (1.0 - m) for sid, m in MISS.items()}
    nights = learned_after_nights(seed, days=2)
    # Before: the four fell together, their mean error -0.013 / -0.014 after
    # night 1 and -0.024 / -0.025 after night 2 (seeds 0 / 1); now within 0.002.
    for learned in nights:
        mean_err = np.mean([learned[s] - truth[s] for s in MISS])
        assert abs(mean_err) < 0.01, (learned, truth)
    for sid in MISS:
        assert nights[-1][sid] == pytest.approx(truth[sid], abs=0.03)
