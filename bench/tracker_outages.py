"""The museum wing's entrance hall while its people tracker is offline, and while it is not.

    python -m bench.tracker_outages [--seeds 4] [--first-seed 0] [--hours 3] [--explain]
        [--direct-count-latest | --no-direct-count-latest] [--sim-step 2]

The simulator (realistic counters and tracker, outages about every 90
minutes so a few hours hold several) feeds the live analytics with the
tracker's frames, as the demo does. Per seed: the hall's occupancy MAE and
the share of steps with the truth inside the reported 95 % band, during
outages (ground truth from the simulator, from one crowd step after the
start) and outside them, and the mean band half-width; then all seeds
pooled. A step is scored against the truth at its end (its newest
reading's stamp). ``--sim-step`` is how long each simulator step is (the
tracker's 2 s frame interval by default); the readings do not depend on
it, since each carries the state at its own stamp. Nothing here is
tuned: the constants of the offline handling were set before this ran.

``--explain`` splits the hall's error at the end of each outage (counters
only since its start) into its parts (bench/outage_errors.py).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from bench.coverage_ci import cluster_coverage
from ingest.contract import Reading, TrackFrame
from simulators.device_outages import OutageParams
from simulators.simulator import VenueSimulator
from simulators.tracker_positions import TrackerPositions, as_decoded
from twin.live_analytics import AnalyticsConfig, VenueAnalytics
from twin.loader import load_sample

STEP_S = 10.0
FRAME_S = 2.0  # the entrance tracker's frame interval
HALL = "entrance"

# Called after each hall step with the simulator, the analytics and the step's
# messages (--explain).
Probe = Callable[[VenueSimulator, VenueAnalytics, list[Reading | TrackFrame]], None]


def simulate(
    seed: int,
    hours: float,
    probe: Probe | None = None,
    latest: bool | None = None,
    sim_step: float = FRAME_S,
) -> tuple[np.ndarray, VenueSimulator]:
    """Per hall step (ts, occupancy, sd, truth), and the simulator (its ground truth)."""
    venue = load_sample("museum-wing")
    start = datetime(2024, 11, 25, 10, 0, tzinfo=ZoneInfo(venue.timezone)).timestamp()
    outages = OutageParams(per_day=16.0, min_s=300.0, max_s=1200.0)
    sim = VenueSimulator(venue, seed=seed, start=start, warm_start=True, outages=outages)
    positions = TrackerPositions(venue, np.random.default_rng(seed + 100))
    cfg = AnalyticsConfig(crowd_step_s=STEP_S)
    if latest is not None:  # else the configuration's default
        cfg = replace(cfg, direct_count_latest=latest)
    va = VenueAnalytics(venue, cfg)
    for zone, n in sim.occupancy().items():
        va.crowd.set_occupancy(zone, float(n), 0.5)
    rows = []
    # A tiny first step samples every sensor at the head count's moment, as
    # run_simulation does: the counters' first readings are their baselines,
    # so a whole first step would lose the crossings made in it. Each reading
    # carries the state at its own stamp, so the sim step's length changes
    # how the readings are batched, not what they say.
    steps = [1e-3] + [sim_step] * round(hours * 3600 / sim_step)
    truth_at: dict[float, int] = {}  # per reading stamp: the hall's truth then
    since: list[Reading | TrackFrame] = []  # the messages since the last hall step
    for dt in steps:
        readings = sim.step(dt)
        truth_at.update((r.ts, sim.occupancy_at(r.ts)[HALL]) for r in readings)
        plain, frames = positions.split(readings, sim.occupancy_at)
        batch: list[Reading | TrackFrame] = [*plain, *as_decoded(venue.id, frames)]
        batch.sort(key=lambda m: m.ts)
        since += batch
        update, _ = va.process(batch)
        for c in update.crowd:
            if c.zone == HALL:
                rows.append((c.ts, c.occupancy, c.occupancy_sd, truth_at[c.ts]))
                if probe is not None:
                    probe(sim, va, since)
                since = []
    return np.array(rows), sim


def outage_steps(ts: np.ndarray, sim: VenueSimulator) -> list[np.ndarray]:
    """Indices of the hall's steps inside each of its tracker's outages."""
    out = []
    for f in sim.ground_truth.faults:
        if f.sensor == "entrance-tracker":
            sel = np.flatnonzero((ts >= f.start + STEP_S) & (ts < f.end))
            if sel.size:
                out.append(sel)
    return out


def run(
    seed: int, hours: float, latest: bool | None = None, sim_step: float = FRAME_S
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
    """Per step: error, band half-width, during an outage, true occupancy; each outage's steps."""
    a, sim = simulate(seed, hours, latest=latest, sim_step=sim_step)
    during = np.zeros(len(a), dtype=bool)
    outages = outage_steps(a[:, 0], sim)
    for sel in outages:
        during[sel] = True
    return np.abs(a[:, 1] - a[:, 3]), 1.96 * a[:, 2], during, a[:, 3], outages


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--hours", type=float, default=3.0)
    ap.add_argument("--explain", action="store_true")
    ap.add_argument(
        "--direct-count-latest",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="fuse a tracker's latest count, not the step's mean (default: the config's)",
    )
    ap.add_argument("--sim-step", type=float, default=FRAME_S, help="simulator step, s (default 2)")
    args = ap.parse_args()
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    if args.explain:
        from bench.outage_errors import explain

        explain(seeds, args.hours)
        return
    print(f"simulator steps of {args.sim_step:g} s")
    print("seed  peak  steps off  MAE off / on  in band off / on  band +- off / on")
    inside = {True: [0, 0], False: [0, 0]}
    # Clusters for the intervals: (in band, steps) per outage, and per seed outside them.
    per_outage: list[tuple[int, int]] = []
    per_seed_on: list[tuple[int, int]] = []
    for seed in seeds:
        err, half, off, true, outages = run(
            seed, args.hours, args.direct_count_latest, args.sim_step
        )
        on = ~off
        per_outage += [(int(np.sum(err[o] <= half[o])), len(o)) for o in outages]
        per_seed_on.append((int(np.sum(err[on] <= half[on])), int(on.sum())))
        for key, sel in ((True, off), (False, on)):
            inside[key][0] += int(np.sum(err[sel] <= half[sel]))
            inside[key][1] += int(sel.sum())
        if not off.any():  # no outage in this run
            print(f"{seed:4d}  {true.max():4.0f}  {0:9d}  no outage")
            continue
        print(
            f"{seed:4d}  {true.max():4.0f}  {off.sum():9d}  "
            f"{err[off].mean():6.2f} / {err[on].mean():4.2f}  "
            f"{np.mean(err[off] <= half[off]):7.1%} / {np.mean(err[on] <= half[on]):5.1%}  "
            f"{half[off].mean():7.2f} / {half[on].mean():4.2f}"
        )
    (a, n), (b, m) = inside[True], inside[False]
    print(
        f"pooled seeds {seeds.start}-{seeds.stop - 1}: in band during outages "
        f"{a / max(n, 1):.1%} of {n} steps, outside {b / max(m, 1):.1%} of {m}"
    )
    if per_outage:
        po = np.array(per_outage)
        during = cluster_coverage(po[:, 0], po[:, 1])
        print(f"  during outages [95 % interval over outages] (outages): {during}")
    ps = np.array(per_seed_on)
    outside = cluster_coverage(ps[:, 0], ps[:, 1])
    print(f"  outside outages [95 % interval over seeds] (seeds): {outside}")


if __name__ == "__main__":
    main()
