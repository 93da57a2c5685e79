"""Occupancy beside a blocked gate counter: the estimate with and without distrusting it.

Usage: PYTHONPATH=. python -m bench.blocked_counters [--seeds 0 1 2]
                                                    [--venues museum-wing scenic-site]
                                                    [--soft-mode state|band] [--latent]

Each sample venue runs as in ``bench/counter_faults.py`` (same fault plan:
3 warm-up days in which the stopped-counter detector learns, 1 clean day,
then ``--fault-days`` days (default 1: the first of counter_faults' two)
with three blocked counters a day, ``FaultKind.BLOCKED``, starting
09:30-16:30 local and lasting 20 min to 4 h), with the simulator's
realistic counters (1-8 % misses, up to 1 % doubles). The occupancy is
tracked from 08:00 of the first fault day (every zone known empty then;
known empty 18:00-08:00) by three trackers fed the same readings: **off** never
hears of the detector, **on** is told the stopped counters before each
10 s step, as ``VenueAnalytics`` does, and **soft** is also told the silent
ones not yet reported, with the evidence against them
(``suspect_silent_counters`` = ``--soft-mode``, ``silence_suspicion.py``).
The same seed is also run without faults (**clean**), all trackers again.
``--latent`` adds a fourth tracker, **latent**: soft, with the silence's
missed crossings a state of the filter and the detector's imputation fused
as its measurement at the detection (``AnalyticsConfig.silence_latent``,
``latent_crossings.py``).

Per blockage and per zone beside its gate: the window's length, whether
and when the detector reported it, and for clean / off / on the occupancy
MAE (people) and the share of steps with the truth inside ``occupancy +-
1.96 sd``, during the blockage and for the rest of the day (to 18:00).
Pooled (step-weighted) at the end: all blockages, the detected ones
("found"), and the detected ones split at their detection: the silence
before it (zeros read as data) and from it to the blockage's end. On the clean runs it checks that
**on** equals **off**, prints how many counters were ever distrusted, and
every zone's MAE, coverage and sd per tracker (the soft distrust's cost on
a clean day; ``clean-soft`` is that column beside the blockages).
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from bench.blocked_setup import DAY_S as _DAY
from bench.blocked_setup import fault_day, tracked_steps, warm_up
from simulators.faults import FaultKind
from simulators.simulator import VenueSimulator
from twin.live_analytics.config import SilenceMode
from twin.live_analytics.crowd import CrowdTracker

# off: zeros read as data; on: stopped counters distrusted; soft: on, and the
# silent ones not yet reported widen the band (silence_suspicion.py).
MODES = ["off", "on", "soft"]  # --latent appends "latent": soft, silence_latent on
SOFT_MODE: list[SilenceMode] = ["state"]  # --soft-mode
# Table columns: (name, run, tracker); the clean runs' soft tracker is the clean-day risk.
CELLS = [
    ("clean", "clean", "off"),
    ("clean-soft", "clean", "soft"),
    ("off", "faulty", "off"),
    ("on", "faulty", "on"),
    ("soft", "faulty", "soft"),
]


@dataclass
class Run:
    """Per tracker (off, on): arrays (steps, zones) of estimate and sd; the truth; times."""

    ts: list[float] = field(default_factory=list)
    truth: list[list[float]] = field(default_factory=list)
    est: dict[str, list[list[float]]] = field(default_factory=lambda: {m: [] for m in MODES})
    sd: dict[str, list[list[float]]] = field(default_factory=lambda: {m: [] for m in MODES})
    distrusted: set[str] = field(default_factory=set)
    lag: float = 0.0  # largest step end - newest reading's stamp (tracked_steps: 1 ms)
    first_distrust: dict[str, list[float]] = field(default_factory=dict)


def simulate(
    name: str, seed: int, faults: bool, fault_days: int
) -> tuple[Run, list[str], VenueSimulator]:
    day = fault_day(name, seed, faults, fault_days)
    venue, midnight, sim, watch = day.venue, day.midnight, day.sim, day.watch
    ids, counters, zones, cfg = day.ids, day.counters, day.zones, day.config
    # The latent (on by default since 2026-12-06) is its own column: the other
    # three keep the catch-up they were measured with.
    cfg = dataclasses.replace(cfg, silence_latent=False)
    soft = dataclasses.replace(cfg, suspect_silent_counters=SOFT_MODE[0])
    trackers = {
        "off": CrowdTracker(venue, cfg),
        "on": CrowdTracker(venue, cfg),
        "soft": CrowdTracker(venue, soft),
    }
    if "latent" in MODES:
        trackers["latent"] = CrowdTracker(venue, dataclasses.replace(soft, silence_latent=True))
    handles = trackers["on"].handles
    run = Run()
    warm_up(day)  # the detector learns, nobody is tracked
    # The last day is tracked to 19:00 (the venue is empty and known empty after).
    for dt in tracked_steps(fault_days):
        batch = sim.step_batch(dt)
        if len(batch):
            run.lag = max(run.lag, sim.now - float(batch.ts.max()))
        for i, ts, v in zip(
            batch.sensor.tolist(), batch.ts.tolist(), batch.value.tolist(), strict=True
        ):
            s = ids[i]
            if i in counters:
                watch.update(s, ts, v)
            if s in handles:
                for t in trackers.values():
                    t.update(s, ts, v)
        outages = watch.stopped_counters()
        trackers["on"].distrust(outages)
        silent = watch.silent_counters()
        trackers["soft"].distrust(outages, silent)
        if "latent" in trackers:
            trackers["latent"].distrust(outages, silent)
        for o in outages:
            if o.sensor not in run.distrusted:
                run.first_distrust.setdefault(o.sensor, []).append(sim.now)
        run.distrusted = {o.sensor for o in outages}
        res = {k: {c.zone: c for c in t.advance(sim.now)} for k, t in trackers.items()}
        local = (sim.now - midnight) % _DAY
        # The tiny first step publishes nothing (less than crowd_step_s).
        if res["off"] and 8 * 3600.0 < local <= 19 * 3600.0:
            truth = sim.occupancy()
            run.ts.append(sim.now)
            run.truth.append([float(truth[z]) for z in zones])
            for k, r in res.items():
                run.est[k].append([r[z].occupancy for z in zones])
                run.sd[k].append([r[z].occupancy_sd for z in zones])
    return run, zones, sim


def _stats(err: np.ndarray, sd: np.ndarray) -> tuple[float, float, int]:
    """(MAE, coverage %, steps)."""
    if not err.size:
        return float("nan"), float("nan"), 0
    return float(np.abs(err).mean()), 100.0 * float((np.abs(err) <= 1.96 * sd).mean()), err.size


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--venues", nargs="+", default=["museum-wing", "scenic-site"])
    ap.add_argument("--fault-days", type=int, default=1)
    ap.add_argument("--soft-mode", choices=("state", "band"), default="state")
    ap.add_argument("--save", help="write every run's arrays to this .npz (diagnosis)")
    ap.add_argument("--latent", action="store_true", help="add the latent tracker")
    a = ap.parse_args(argv)
    SOFT_MODE[0] = a.soft_mode
    if a.latent and "latent" not in MODES:
        MODES.append("latent")
        CELLS[2:2] = [("clean-latent", "clean", "latent")]
        CELLS.append(("latent", "faulty", "latent"))
    clean_zone: dict[str, list[float]] = {m: [] for m in MODES}  # per zone, clean coverage
    clean_zone_names: list[str] = []
    # pooled[(phase, mode)] -> list of (abs errors, inside flags)
    pooled: dict[tuple[str, str], list[tuple[np.ndarray, np.ndarray]]] = {}
    clean_distrusted = 0
    clean_max_diff = 0.0
    clean_all: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
    saved: dict[str, tuple[list[str], Run, Run]] = {}
    print(
        "per blockage and adjacent zone: MAE people / coverage %, "
        + " | ".join(c[0] for c in CELLS)
    )
    for name in a.venues:
        for seed in a.seeds:
            t0 = time.perf_counter()
            clean, zones, _ = simulate(name, seed, False, a.fault_days)
            faulty, _, sim = simulate(name, seed, True, a.fault_days)
            if a.save:
                saved[f"{name}-{seed}"] = (zones, clean, faulty)
            clean_distrusted += len(clean.first_distrust)
            for k in ("est", "sd"):
                off, on = (np.array(getattr(clean, k)[m]) for m in ("off", "on"))
                clean_max_diff = max(clean_max_diff, float(np.abs(off - on).max()))
            # The clean day, every zone and step: what the soft distrust costs there.
            t_c = np.array(clean.truth)
            for m in MODES:
                e, sd = np.abs(np.array(clean.est[m]) - t_c), np.array(clean.sd[m])
                clean_all.setdefault(m, []).append((e, e <= 1.96 * sd, sd))
                clean_zone[m] += (100.0 * (e <= 1.96 * sd).mean(axis=0)).tolist()
            clean_zone_names += [f"{name}-{seed} {z}" for z in zones]
            same_truth = np.array_equal(np.array(clean.truth), np.array(faulty.truth))
            print(
                f"\n{name} seed {seed} ({time.perf_counter() - t0:.0f} s); truth same with and "
                f"without faults: {same_truth}; clean run: {len(clean.first_distrust)} counters "
                f"distrusted; fault run: distrusted {sorted(faulty.first_distrust)}; a step's "
                f"end after its newest reading: at most {max(clean.lag, faulty.lag):.3f} s"
            )
            ts = np.array(faulty.ts)
            gates = {g.id: g for g in sim.venue.gates}
            gate_of = {s.id: s.gate for s in sim.venue.sensors if s.gate is not None}
            for f in sorted(sim.ground_truth.faults, key=lambda f: f.start):
                if f.kind is not FaultKind.BLOCKED:
                    continue
                g = gates[gate_of[f.sensor]]
                seen = [t for t in faulty.first_distrust.get(f.sensor, []) if f.start <= t]
                seen = [t for t in seen if t <= f.end + 60.0]
                found = f"found +{(seen[0] - f.start) / 60:5.1f} min" if seen else "not found     "
                local_start = datetime.fromtimestamp(f.start, ZoneInfo(sim.venue.timezone))
                close = local_start.replace(hour=18, minute=0, second=0).timestamp()
                during = (ts > f.start) & (ts <= f.end)
                after = (ts > f.end) & (ts <= close)
                for z in (g.from_zone, g.to_zone):
                    if z is None:
                        continue
                    j = zones.index(z)
                    cells = []
                    for phase, sel in (("during", during), ("after", after)):
                        for mode, which, m in CELLS:
                            run = clean if which == "clean" else faulty
                            err = np.array(run.est[m])[sel, j] - np.array(run.truth)[sel, j]
                            sd = np.array(run.sd[m])[sel, j]
                            mae, cov, n = _stats(err, sd)
                            cells.append(f"{mae:5.1f}/{cov:5.1f}")
                            if n:
                                got = (np.abs(err), np.abs(err) <= 1.96 * sd)
                                pooled.setdefault((phase, mode), []).append(got)
                                if seen:
                                    pooled.setdefault((phase + " found", mode), []).append(got)
                    if seen:  # during: the silence before the detection, and from it on
                        split = (
                            ("silence", (ts > f.start) & (ts < seen[0])),
                            ("detected-end", (ts >= seen[0]) & (ts <= f.end)),
                        )
                        for phase, sel in split:
                            for mode in MODES:
                                err = (
                                    np.array(faulty.est[mode])[sel, j]
                                    - np.array(faulty.truth)[sel, j]
                                )
                                sd = np.array(faulty.sd[mode])[sel, j]
                                if err.size:
                                    pooled.setdefault((phase, mode), []).append(
                                        (np.abs(err), np.abs(err) <= 1.96 * sd)
                                    )
                    nc = len(CELLS)
                    print(
                        f"  {f.sensor:28s} {(f.end - f.start) / 60:5.0f} min {found} "
                        f"{z:16s} during {' | '.join(cells[:nc])}  after {' | '.join(cells[nc:])}"
                    )
    print("\npooled over blockages x adjacent zones (step-weighted): MAE people / coverage %")
    for phase in ("during", "after", "during found", "after found", "silence", "detected-end"):
        cells = []
        for mode, _, _ in CELLS:
            if (phase, mode) not in pooled:
                continue
            parts = pooled.get((phase, mode), [])
            e = np.concatenate([x for x, _ in parts]) if parts else np.zeros(0)
            ins = np.concatenate([x for _, x in parts]) if parts else np.zeros(0)
            mae = float(e.mean()) if e.size else float("nan")
            cov = 100.0 * float(ins.mean()) if ins.size else float("nan")
            cells.append(f"{mode} {mae:5.2f} / {cov:5.1f} %")
        print(f"  {phase:12s} " + "   ".join(cells) + f"  ({len(pooled.get((phase, 'on'), []))})")
    if a.save:
        arrays = {}
        for key, (zones, clean, faulty) in saved.items():
            arrays[f"{key}-zones"] = np.array(zones)
            arrays[f"{key}-ts"] = np.array(faulty.ts)
            for tag, run in (("clean", clean), ("faulty", faulty)):
                arrays[f"{key}-{tag}-truth"] = np.array(run.truth)
                for m in MODES:
                    arrays[f"{key}-{tag}-{m}-est"] = np.array(run.est[m])
                    arrays[f"{key}-{tag}-{m}-sd"] = np.array(run.sd[m])
        np.savez(a.save, **arrays)  # type: ignore[arg-type]  # numpy types kwargs as allow_pickle
    for m in MODES:
        e, ins, sd = (np.concatenate([x[i].ravel() for x in clean_all[m]]) for i in range(3))
        print(
            f"clean runs, every zone and step, {m:4s}: MAE {e.mean():.3f} people, coverage "
            f"{100.0 * ins.mean():.2f} %, mean sd {sd.mean():.3f}, median sd {np.median(sd):.3f}"
        )
    print(
        f"clean runs: {clean_distrusted} counters ever distrusted; largest |on - off| "
        f"in estimate or sd: {clean_max_diff:.3g}"
    )
    if "latent" in MODES:  # the rule's clean-day check, zone by zone
        print("clean runs, coverage % per zone, soft -> latent (outside 90-98 % marked *):")
        for z, a0, a1 in zip(
            clean_zone_names, clean_zone["soft"], clean_zone["latent"], strict=True
        ):
            mark = "*" if not 90.0 <= a1 <= 98.0 else " "
            print(f"  {mark} {z:36s} {a0:6.2f} -> {a1:6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
