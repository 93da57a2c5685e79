"""Cost of people trackers in the live analytics: per frame and per crowd step, per zone.

    python -m bench.tracker_zones

One zone watched by one tracker (ids on), people walking at random; a frame
is decoded (ingest validation) and added, and every ``step_frames`` frames a
crowd step computes classic and Voronoi density, speed and gate flows. Zone
sizes from a 30 m^2 corridor to a 1,200 m^2 hall (the Voronoi grid is capped
at 40,000 points, so its cost levels off). Prints medians of 5 rounds.

Then what a tracker going offline costs: the liveness check per message
(``TrackerLiveness.seen``), and per crowd step the imputation of its unseen
crossing channels and their variance in the occupancy filter
(``TrackerChannels.fill`` + ``widen``), on a chain of zones with one tracker
door between each pair, every door unseen.
"""

from __future__ import annotations

import json
import statistics
import time

import numpy as np

from ingest.contract import Topics
from ingest.decode import Decoder
from twin.analytics.crowd import OccupancyEstimator
from twin.analytics.crowd.graph import GateSpec
from twin.live_analytics.tracker_liveness import TrackerLiveness
from twin.live_analytics.tracker_zones import TrackerZones
from twin.live_analytics.unobserved_flow import TrackerChannels
from twin.venue import Venue

T0 = 1_750_000_000.0


def venue(w: float, h: float) -> Venue:
    return Venue.model_validate(
        {
            "id": "v",
            "name": "V",
            "zones": [{"id": "z", "name": "Z", "floor": [[0, 0], [w, 0], [w, h], [0, h]]}],
            "gates": [
                {"id": "a", "from_zone": None, "to_zone": "z", "position": [0, h / 2]},
                {"id": "b", "from_zone": "z", "to_zone": None, "position": [w, h / 2]},
            ],
            "sensors": [
                {"id": "trk", "kind": "people_tracker", "zone": "z", "position": [w / 2, h / 2, 3]}
            ],
        }
    )


def run(
    w: float, h: float, people: int, frames: int = 100, step_frames: int = 10
) -> tuple[float, float, float]:
    rng = np.random.default_rng(0)
    zones = TrackerZones(venue(w, h))
    dec = Decoder(Topics())
    xy = rng.uniform([0, 0], [w, h], (people, 2))
    topic = "venues/v/sensors/trk"
    decode_s = add_s = step_s = 0.0
    for f in range(frames):
        xy = np.clip(xy + rng.normal(0, 0.1, xy.shape), [0, 0], [w, h])
        ts = T0 + f / 10
        payload = json.dumps(
            {"ts": round(ts * 1000), "positions": xy.round(3).tolist(), "ids": list(range(people))}
        ).encode()
        t = time.perf_counter()
        out = dec.decode(topic, payload, T0 + 10)
        decode_s += time.perf_counter() - t
        t = time.perf_counter()
        zones.add(out.tracks[0])
        add_s += time.perf_counter() - t
        if (f + 1) % step_frames == 0:
            t = time.perf_counter()
            zones.step(ts)
            zones.take_crossings(ts - step_frames / 10, ts)  # what the crowd step takes
            step_s += time.perf_counter() - t
    n_steps = frames // step_frames
    return decode_s / frames * 1e3, add_s / frames * 1e3, step_s / n_steps * 1e3


def liveness_us(messages: int = 200_000) -> float:
    live = TrackerLiveness({"trk": 0.5})
    t = time.perf_counter()
    for k in range(messages):
        live.seen("trk", T0 + 0.5 * k)
    return (time.perf_counter() - t) / messages * 1e6


def unseen_step_ms(zones: int, rounds: int = 50) -> float:
    """``fill`` + ``widen`` per step with every one of ``zones - 1`` doors unseen."""
    names = [f"z{i}" for i in range(zones)]
    gates = [GateSpec(f"g{i}", names[i], names[i + 1]) for i in range(zones - 1)]
    est = OccupancyEstimator(names, gates)
    ch = TrackerChannels(np.arange(2 * len(gates), dtype=np.int64), tuple(g.id for g in gates))
    counts = np.ones(2 * len(gates))
    ch.fill(counts, {g.id: (1.0, 1.0) for g in gates}, 10.0)  # a known rate first
    t = time.perf_counter()
    for _ in range(rounds):
        ch.fill(counts, {}, 10.0)
        ch.widen(est)
    return (time.perf_counter() - t) / rounds * 1e3


def main() -> None:
    print("zone m^2  people  decode ms/frame  add ms/frame  step ms/zone")
    for w, h, people in ((10, 3, 10), (30, 10, 60), (40, 30, 200), (60, 20, 600)):
        rows = [run(w, h, people) for _ in range(5)]
        dec, add, step = (statistics.median(r[i] for r in rows) for i in range(3))
        print(f"{w * h:8.0f}  {people:6d}  {dec:15.3f}  {add:12.3f}  {step:12.2f}")
    live = statistics.median(liveness_us() for _ in range(5))
    print(f"liveness check: {live:.2f} us per tracker message")
    print("zones  unseen doors  fill + widen ms/step")
    for n in (10, 100, 420):
        ms = statistics.median(unseen_step_ms(n) for _ in range(5))
        print(f"{n:5d}  {n - 1:12d}  {ms:20.3f}")


if __name__ == "__main__":
    main()
