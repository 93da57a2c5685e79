"""The occupancy estimator's cost per zone-step on a big synthetic venue (``--cost-only``)."""

from __future__ import annotations

import time

import numpy as np

from twin.venue import Venue


def grid_venue(n_zones: int = 420) -> Venue:
    """A grid of square rooms, every door counted both ways, a camera in every tenth room."""
    side = int(np.ceil(np.sqrt(n_zones)))
    zones, gates, sensors = [], [], []
    for k in range(n_zones):
        x, y = (k % side) * 10.0, (k // side) * 10.0
        zones.append(
            {
                "id": f"z{k}",
                "name": f"z{k}",
                "floor": [[x, y], [x + 10, y], [x + 10, y + 10], [x, y + 10]],
            }
        )
        nbrs = [k + 1] if (k % side) + 1 < side and k + 1 < n_zones else []
        nbrs += [k + side] if k + side < n_zones else []
        for j in nbrs:
            gates.append(
                {"id": f"g{k}-{j}", "from_zone": f"z{k}", "to_zone": f"z{j}", "position": [x, y]}
            )
        if k % 10 == 0:
            sensors.append(
                {"id": f"cam{k}", "kind": "people_count", "zone": f"z{k}", "position": [x, y, 3]}
            )
    gates.append({"id": "entry", "from_zone": None, "to_zone": "z0", "position": [0, 0]})
    for g in gates:
        for way in ("forward", "backward"):
            sensors.append(
                {
                    "id": f"{g['id']}-{way}",
                    "kind": "gate_counter",
                    "zone": g["to_zone"],
                    "gate": g["id"],
                    "direction": way,
                    "position": [0, 0, 2],
                }
            )
    return Venue.model_validate(
        {"id": "big", "name": "big", "zones": zones, "gates": gates, "sensors": sensors}
    )


def cost(n_zones: int = 420, steps: int = 60) -> None:
    """Estimator cost on a large synthetic venue: a grid of rooms, every door counted both ways."""
    from twin.live_analytics import AnalyticsConfig
    from twin.live_analytics.crowd import CrowdTracker

    venue = grid_venue(n_zones)
    gates = venue.gates
    tracker = CrowdTracker(venue, AnalyticsConfig(crowd_step_s=1.0))
    rng = np.random.default_rng(0)
    counters = [s.id for s in venue.sensors if s.kind.value == "gate_counter"]
    cams = [s.id for s in venue.sensors if s.kind.value == "people_count"]
    cum = np.zeros(len(counters))
    t0 = 1_700_000_000.0
    spent = 0.0
    for k in range(steps + 1):
        cum += rng.poisson(0.2, len(cum))  # a crossing every 5 s per channel
        t = time.process_time()
        for sid, v in zip(counters, cum.tolist(), strict=True):
            tracker.update(sid, t0 + k, v)
        for j, sid in enumerate(cams):
            if (k + j) % 10 == 0:  # cameras report every 10 s, staggered
                tracker.update(sid, t0 + k, float(rng.poisson(10)))
        tracker.advance(t0 + k)
        if k:
            spent += time.process_time() - t
    per_step = spent / steps
    print(
        f"\ncost: {n_zones} zones, {len(gates)} gates ({len(counters)} counters), "
        f"{len(cams)} cameras, 1 s steps: {1e3 * per_step:.1f} ms CPU per step = "
        f"{1e6 * per_step / n_zones:.0f} us per zone-step "
        f"= {per_step:.3f} core at 1 Hz"
    )
