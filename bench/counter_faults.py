"""Gate counters that stop counting: the live detector on the simulator, scored strictly.

Usage: python bench/counter_faults.py [--seeds 0,1,2] [--venues museum-wing,scenic-site]
                                      [--warmup-days 3] [--clean-days 1] [--fault-days 2]

Each sample venue runs from local midnight (Monday 25 Nov 2024; open 09-17,
realistic counters that miss 1-8 % and double-count up to 1 %) through
``--warmup-days`` days in which the detector learns, ``--clean-days`` days
with no fault (false alarms per counter-day, opening and closing included),
then ``--fault-days`` days with three blocked counters a day
(``FaultKind.BLOCKED``: the count freezes and the crossings are lost),
starting 09:30-16:30 local and lasting 20 min to 4 h (log-uniform), so some
run across closing. Only the counters' readings go to the live
``AnomalyWatch`` (the counter check reads nothing else); a watchdog tick
each minute ends alarms. Scoring is strict: a counter's ``stuck`` is right
only inside a blocked window on the same counter (plus 60 s). Prints
precision, recall, median delay, how long after a fault's end its alarm
ended, and the false alarms per counter-day, per venue and pooled.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from simulators.fault_scoring import COUNTER_DETECTION_FOR, KindScore, score_faults  # noqa: E402
from simulators.faults import Fault, FaultKind, FaultPlan  # noqa: E402
from simulators.simulator import VenueSimulator  # noqa: E402
from twin.live_analytics.anomalies import AnomalyWatch  # noqa: E402
from twin.loader import load_sample  # noqa: E402
from twin.venue import SensorKind, Venue  # noqa: E402

__all__ = ["main"]

_DAY = 86400.0
_PER_DAY = 3
_MIN_S, _MAX_S = 1200.0, 4 * 3600.0


def fault_plan(venue: Venue, midnight: float, days: range, seed: int) -> FaultPlan:
    """Three blocked counters a day (different ones), 09:30-16:30 starts, 20 min to 4 h."""
    rng = np.random.default_rng(10_000 + seed)
    counters = [s.id for s in venue.sensors if s.kind is SensorKind.GATE_COUNTER]
    faults = []
    for d in days:
        for k in rng.choice(len(counters), _PER_DAY, replace=False).tolist():
            start = midnight + d * _DAY + 3600.0 * float(rng.uniform(9.5, 16.5))
            length = math.exp(float(rng.uniform(math.log(_MIN_S), math.log(_MAX_S))))
            faults.append(Fault(counters[k], FaultKind.BLOCKED, start, start + length))
    return FaultPlan(tuple(sorted(faults, key=lambda f: f.start)))


def run(
    name: str, seed: int, warmup: int, clean: int, faulty: int
) -> tuple[list[Fault], list[tuple[str, str, float]], dict[str, list[float]], int, int]:
    """(truth, stuck detections, alarm ends per counter, counters, clean-day alarms)."""
    venue = load_sample(name)
    midnight = datetime(2024, 11, 25, tzinfo=ZoneInfo(venue.timezone)).timestamp()
    first_fault_day = warmup + clean
    plan = fault_plan(venue, midnight, range(first_fault_day, first_fault_day + faulty), seed)
    sim = VenueSimulator(venue, seed=seed, start=midnight, faults=plan)
    watch = AnomalyWatch(venue, active_s=900.0)
    ids = sim.sensor_ids
    counter = {ids.index(s.id) for s in venue.sensors if s.kind is SensorKind.GATE_COUNTER}
    found: list[tuple[str, str, float]] = []
    ends: dict[str, list[float]] = {}
    for _ in range(round((first_fault_day + faulty) * _DAY / 60.0)):
        batch = sim.step_batch(60.0)
        rows = zip(batch.sensor.tolist(), batch.ts.tolist(), batch.value.tolist(), strict=True)
        for i, ts, value in rows:
            if i in counter:
                a = watch.update(ids[i], ts, value)
                if a is not None:
                    found += [(d.sensor, d.kind.value, d.ts) for d in a.detections]
        for e in watch.expire(sim.now):
            if e.kind == "stuck":
                ends.setdefault(e.sensor, []).append(sim.now)
    stuck = [f for f in found if f[1] == "stuck"]
    clean_from, clean_to = midnight + warmup * _DAY, midnight + first_fault_day * _DAY
    clean_alarms = sum(clean_from <= t < clean_to for _, _, t in stuck)
    judged = [f for f in stuck if f[2] >= clean_to]
    truth = [f for f in sim.ground_truth.faults if f.kind is FaultKind.BLOCKED]
    return truth, judged, ends, len(counter), clean_alarms


def _end_lags(truth: list[Fault], ends: dict[str, list[float]]) -> list[float]:
    """Per fault, minutes from its end to the first alarm end after it (its counter counting)."""
    out = []
    for f in truth:
        after = [t for t in ends.get(f.sensor, []) if t >= f.end]
        if after:
            out.append((min(after) - f.end) / 60.0)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--venues", default="museum-wing,scenic-site")
    ap.add_argument("--warmup-days", type=int, default=3)
    ap.add_argument("--clean-days", type=int, default=1)
    ap.add_argument("--fault-days", type=int, default=2)
    a = ap.parse_args(argv)
    seeds = [int(s) for s in a.seeds.split(",")]
    pooled = KindScore(FaultKind.BLOCKED)
    pooled_fa, pooled_cd = 0, 0
    lengths: list[tuple[float, bool]] = []
    lags: list[float] = []
    for name in a.venues.split(","):
        t = time.perf_counter()
        score = KindScore(FaultKind.BLOCKED)
        fa = cd = 0
        for seed in seeds:
            truth, found, ends, n, clean = run(
                name, seed, a.warmup_days, a.clean_days, a.fault_days
            )
            s = score_faults(truth, found, (FaultKind.BLOCKED,), COUNTER_DETECTION_FOR)[
                FaultKind.BLOCKED
            ]
            for k in ("faults", "found", "detections", "correct"):
                setattr(score, k, getattr(score, k) + getattr(s, k))
            score.delays_s += s.delays_s
            fa += clean
            cd += n * a.clean_days
            for f in truth:
                hit = any(d[0] == f.sensor and f.start <= d[2] <= f.end + 60.0 for d in found)
                lengths.append((f.end - f.start, hit))
            lags += _end_lags(truth, ends)
        _print(name, score, fa, cd, time.perf_counter() - t)
        for k in ("faults", "found", "detections", "correct"):
            setattr(pooled, k, getattr(pooled, k) + getattr(score, k))
        pooled.delays_s += score.delays_s
        pooled_fa += fa
        pooled_cd += cd
    _print("pooled", pooled, pooled_fa, pooled_cd, 0.0)
    for lo, hi in ((1200, 3600), (3600, 7200), (7200, 14400.1)):
        sel = [h for length, h in lengths if lo <= length < hi]
        print(f"  faults {lo / 60:.0f}-{hi / 60:.0f} min: found {sum(sel)} of {len(sel)}")
    if lags:
        print(f"  alarm ended after the fault's end: median {statistics.median(lags):.1f} min")
    return 0


def _print(name: str, s: KindScore, fa: int, counter_days: int, secs: float) -> None:
    delay = s.median_delay_s / 60.0
    print(
        f"{name:12s} faults {s.faults:3d} found {s.found:3d} (recall {100 * s.recall:5.1f} %) "
        f"detections {s.detections:3d} right {s.correct:3d} (precision {100 * s.precision:5.1f} %) "
        f"median delay {delay:5.1f} min; clean days: {fa} alarms in {counter_days} counter-days"
        + (f" ({secs:.0f} s)" if secs else "")
    )


if __name__ == "__main__":
    raise SystemExit(main())
