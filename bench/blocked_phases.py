"""Where the band beside a blocked counter fails: per phase, and the imputation against the truth.

Usage: PYTHONPATH=. python -m bench.blocked_phases [--seeds 0 1 2]
                                                  [--venues museum-wing scenic-site]
                                                  [--latent]

The fault day of ``bench/blocked_counters.py`` (same plan, same config),
with one tracker as ``VenueAnalytics`` runs it by default (stopped counters
distrusted, silent ones softly distrusted, ``silence_suspicion.py``). Per
blockage and adjacent zone the steps are split into phases: **silence**
(from the blockage's start to its detection: zeros read as data, the band
widened by the evidence), **outage** (from the detection, which backdates
the silence in one catch-up step, to the blockage's end),
**after** (to 18:00) and **undetected** (the blockage's window, never
reported). For each: coverage of ``occupancy +- 1.96 sd``, MAE, the mean
error (truth - estimate) and the rms and median of ``z = error / sd``. Then
the detector's imputed crossings (times the channel's correction, as the
tracker applies them) against the simulator's true crossings of that gate
and way since the counter's last increment, at the catch-up and at the
outage's end, with ``z`` against the imputation's sd. Each row (blockage,
zone, phase) is printed too, with its mean error (truth - estimate).
``--latent``: the tracker with ``AnalyticsConfig.silence_latent`` on.
"""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from bench.blocked_setup import fault_day, tracked_steps, warm_up
from simulators.faults import FaultKind
from simulators.simulator import VenueSimulator
from twin.live_analytics.crowd import CrowdTracker


@dataclass(frozen=True, slots=True)
class Step:
    t: float
    truth: np.ndarray
    est: np.ndarray
    sd: np.ndarray
    out: dict[str, tuple[float, float, float]]  # stopped counter -> (since, missed, var)
    gates: dict[str, tuple[int, int]]  # true crossings per gate, (forward, backward)
    scale: np.ndarray  # the channels' corrections


Steps = list[Step]


def run(name: str, seed: int, latent: bool = False) -> tuple[VenueSimulator, list[str], Steps]:
    day = fault_day(name, seed)
    sim, watch, ids = day.sim, day.watch, day.ids
    counters, zones, cfg = day.counters, day.zones, day.config
    cfg = dataclasses.replace(cfg, silence_latent=latent)
    tracker = CrowdTracker(day.venue, cfg)
    steps: Steps = []
    warm_up(day)  # the detector learns, nobody is tracked
    for dt in tracked_steps():
        batch = sim.step_batch(dt)
        for i, ts, v in zip(
            batch.sensor.tolist(), batch.ts.tolist(), batch.value.tolist(), strict=True
        ):
            if i in counters:
                watch.update(ids[i], ts, v)
            if ids[i] in tracker.handles:
                tracker.update(ids[i], ts, v)
        outages = watch.stopped_counters()
        tracker.distrust(outages, watch.silent_counters())  # as VenueAnalytics does
        res = {c.zone: c for c in tracker.advance(sim.now)}
        if not res:  # the tiny first step publishes nothing (less than crowd_step_s)
            continue
        truth = sim.occupancy()
        steps.append(
            Step(
                sim.now,
                np.array([float(truth[z]) for z in zones]),
                np.array([res[z].occupancy for z in zones]),
                np.array([res[z].occupancy_sd for z in zones]),
                {o.sensor: (o.since, o.missed, o.missed_var) for o in outages},
                sim.gate_counts(),
                tracker.estimator.channel_scale().copy(),
            )
        )
    return sim, zones, steps


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--venues", nargs="+", default=["museum-wing", "scenic-site"])
    ap.add_argument("--latent", action="store_true", help="silence_latent on")
    a = ap.parse_args(argv)
    pooled: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    imputed: list[str] = []
    for name in a.venues:
        for seed in a.seeds:
            sim, zones, steps = run(name, seed, a.latent)
            t = np.array([s.t for s in steps])
            err = np.array([s.truth for s in steps]) - np.array([s.est for s in steps])
            sd = np.maximum(np.array([s.sd for s in steps]), 1e-9)
            gates = {g.id: g for g in sim.venue.gates}
            meta = {s.id: s for s in sim.venue.sensors}
            for f in sim.ground_truth.faults:
                if f.kind is not FaultKind.BLOCKED:
                    continue
                sensor = meta[f.sensor]
                assert sensor.gate is not None
                out = np.array([f.sensor in s.out for s in steps])
                hit = np.flatnonzero(out & (t >= f.start) & (t <= f.end + 60.0))
                local = datetime.fromtimestamp(f.start, ZoneInfo(sim.venue.timezone))
                close = local.replace(hour=18, minute=0, second=0).timestamp()
                if hit.size:
                    td = t[hit[0]]
                    phases = {
                        "silence": (t > f.start) & (t < td),
                        "outage": (t >= td) & (t <= f.end),
                    }
                else:
                    phases = {"undetected": (t > f.start) & (t <= f.end)}
                phases["after"] = (t > f.end) & (t <= close)
                g = gates[sensor.gate]
                for z in (g.from_zone, g.to_zone):
                    if z is not None:
                        j = zones.index(z)
                        for phase, sel in phases.items():
                            if sel.any():
                                pooled.setdefault(phase, []).append((err[sel, j], sd[sel, j]))
                                e, zz = err[sel, j], err[sel, j] / sd[sel, j]
                                print(
                                    f"  {name} {seed} {f.sensor:26s} {z:18s} {phase:10s} "
                                    f"steps {e.size:5d} coverage "
                                    f"{100 * np.mean(np.abs(zz) <= 1.96):5.1f} %  mean error "
                                    f"{e.mean():7.1f}  MAE {np.abs(e).mean():6.1f}"
                                )
                if not hit.size:
                    continue
                last = hit[0]
                while last + 1 < len(steps) and out[last + 1]:
                    last += 1
                way = 0 if sensor.direction.value == "forward" else 1
                ch = 2 * [g.id for g in sim.venue.gates].index(sensor.gate) + way
                for tag, k in (("catch-up", hit[0]), ("end", last)):
                    since, m, v = steps[k].out[f.sensor]
                    i0 = max(0, int(np.searchsorted(t, since)) - 1)
                    true = steps[k].gates[g.id][way] - steps[i0].gates[g.id][way]
                    sc = float(steps[k].scale[ch])
                    z = (true - m * sc) / max(np.sqrt(v) * sc, 1e-9)
                    imputed.append(
                        f"  {name} {seed} {f.sensor:28s} {tag:8s} true {true:6.0f}  "
                        f"imputed {m * sc:7.1f} +- {np.sqrt(v) * sc:5.1f}  z {z:6.2f}"
                    )
            print(f"{name} seed {seed} done", flush=True)
    print("\nper phase, pooled over blockage x adjacent zone (z = (truth - estimate) / sd):")
    for phase in ("silence", "outage", "undetected", "after"):
        got = pooled.get(phase, [])
        if not got:
            continue
        e = np.concatenate([x for x, _ in got])
        s = np.concatenate([y for _, y in got])
        z = e / s
        print(
            f"  {phase:10s} rows {len(got):3d} steps {e.size:6d}  coverage "
            f"{100 * np.mean(np.abs(z) <= 1.96):5.1f} %  MAE {np.abs(e).mean():6.1f}  mean error "
            f"{e.mean():6.1f}  rms z {np.sqrt(np.mean(z * z)):5.2f}  median |z| "
            f"{np.median(np.abs(z)):4.2f}"
        )
    print("\nimputed crossings (x the channel's correction) against the truth:")
    print("\n".join(imputed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
