"""Diagnosis: where in a real run a zone's band loses the truth, the misses' spread on vs off.

Usage: ``PYTHONPATH=. python -m bench.crowd_phases [--experiment 0] [--zone west]
[--seeds 100] [--first-seed 0] [--compare miss|censored]``

``--compare censored``: "off" and "on" are instead
``AnalyticsConfig.dwell_speed_censored`` off and on, both with the default
misses' window (the transit prior's censored speed, crowd-log "The
transit prior's censored speed").

Runs one of ``bench.crowd``'s real experiments with today's defaults, once
with ``OccupancyConfig.miss_window_s = 0`` (the misses' spread on the step's
own count) and once with the default window (on the channel's expected
count), on the same seeds. Per time slice it prints the zone's band
coverage, mean sd and bias, coverage with one variant's mean and the
other's sd (the band or the mean?), and the misses' spread summed over
the zone's channels (``count_rel_sd^2`` times the expected or the own
count) against the misses' realised ``sum (M - b c)^2``: the bench knows
the true crossings, so the misses ``M`` are known. Measured in
docs/measurements/crowd-log.md, "Bi west's band with the misses' spread
on: where it is lost".
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

import bench.crowd as bc
import twin.analytics.crowd.occupancy as occupancy
from twin.analytics.crowd.channel_misses import MissBooking
from twin.analytics.crowd.trajectories import load_trajectories
from venue_twin.crowd_evaluate import SensorErrors, ground_truth, run_estimator

Array = npt.NDArray[np.float64]


def record_spread() -> list[tuple[Array, Array]]:
    """Patch the estimator to record each step's (own counts, count the spread used)."""
    steps: list[tuple[Array, Array]] = []
    last: list[Array | None] = [None]
    expect: Callable[..., Array] = MissBooking.expect
    predict: Callable[..., None] = occupancy.OccupancyEstimator.predict_vector

    def expect_rec(self: MissBooking, counts: Array, dt_s: float) -> Array:
        e = expect(self, counts, dt_s)
        last[0] = e.copy()
        return e

    def predict_rec(self: Any, c: Array, dt_s: float, expected: Array | None = None) -> None:
        last[0] = None
        predict(self, c, dt_s, expected)
        # Off (or no expected count given): the spread is on the step's own count.
        steps.append((c.copy(), c.copy() if last[0] is None else last[0]))

    setattr(MissBooking, "expect", expect_rec)  # noqa: B010 (a diagnostic patch)
    setattr(occupancy.OccupancyEstimator, "predict_vector", predict_rec)  # noqa: B010
    return steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--experiment", type=int, default=0, help="0 bi-directional, 1 uni")
    ap.add_argument("--zone", default="west")
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--window", type=float, default=900.0, help="miss_window_s when on")
    ap.add_argument("--slices", default="12,40,80,115", help="slice ends, s")
    ap.add_argument("--compare", choices=("miss", "censored"), default="miss")
    a = ap.parse_args()
    name, unit = bc.EXPERIMENTS[a.experiment]
    traj = load_trajectories(bc.DATA / name, unit)
    venue = bc.corridor_venue(traj, "corridor")
    truth = ground_truth(venue, traj, 1.0)
    zi = [z.id for z in venue.zones].index(a.zone)
    gi = {g.id: i for i, g in enumerate(venue.gates)}
    chans = [
        2 * gi[g.id] + d for g in venue.gates if a.zone in (g.from_zone, g.to_zone) for d in (0, 1)
    ]
    steps = record_spread()
    seeds = range(a.first_seed, a.first_seed + a.seeds)
    t_steps = len(truth.ts)
    res: dict[str, dict[str, Array]] = {}
    for label, win in (("off", 0.0), ("on", a.window)):
        err, sd = np.zeros((len(seeds), t_steps)), np.zeros((len(seeds), t_steps))
        own, spread = np.zeros((len(seeds), t_steps)), np.zeros((len(seeds), t_steps))
        miss = np.zeros((len(seeds), t_steps))
        cfg = bc.live_config(1.0)
        if a.compare == "censored":
            cfg = dataclasses.replace(cfg, dwell_speed_censored=label == "on")
        else:
            cfg = dataclasses.replace(
                cfg, occupancy=dataclasses.replace(cfg.occupancy, miss_window_s=win)
            )
        b = cfg.occupancy.counter_miss_rate / (1.0 - cfg.occupancy.counter_miss_rate)
        for i, seed in enumerate(seeds):
            steps.clear()
            run = run_estimator(venue, truth, SensorErrors(), np.random.default_rng(seed), cfg)
            err[i] = run.occupancy[:, zi] - truth.occupancy[:, zi]
            sd[i] = run.sd[:, zi]
            if len(steps) != t_steps:
                raise SystemExit(f"{len(steps)} filter steps, {t_steps} truth steps")
            c = np.array([s[0][chans] for s in steps])
            e = np.array([s[1][chans] for s in steps])
            own[i], spread[i] = c.sum(axis=1), e.sum(axis=1)
            miss[i] = ((truth.channel[:, chans] - c - b * c) ** 2).sum(axis=1)
        rel = cfg.occupancy.count_rel_sd**2
        res[label] = {"err": err, "sd": sd, "own": rel * own, "spread": rel * spread, "miss": miss}
    ts = truth.ts
    ends = [float(x) for x in a.slices.split(",")] + [float(ts[-1])]
    print(f"{name}, zone {a.zone}, seeds {seeds.start}-{seeds.stop - 1}, {t_steps} steps")
    print(
        "slice s   cov off  on  on-mean/off-sd  pts   sd off/on  bias on  spread on own realised"
        "  bias off  |err| off/on"
    )
    lo = 0.0
    for hi in ends:
        m = (ts > lo) & (ts <= hi)
        off, on = res["off"], res["on"]

        def cov(e: Array, s: Array, m: npt.NDArray[np.bool_] = m) -> float:
            return 100.0 * float(np.mean(np.abs(e[:, m]) <= 1.96 * s[:, m]))

        c_off, c_on = cov(off["err"], off["sd"]), cov(on["err"], on["sd"])
        print(
            f"{lo:3.0f}-{hi:3.0f} {c_off:8.1f} {c_on:5.1f} {cov(on['err'], off['sd']):10.1f}"
            f" {(c_on - c_off) * m.sum() / t_steps:+9.2f} {off['sd'][:, m].mean():6.2f}/"
            f"{on['sd'][:, m].mean():.2f} {on['err'][:, m].mean():+7.2f}"
            f" {on['spread'][:, m].sum(1).mean():9.2f} {on['own'][:, m].sum(1).mean():6.2f}"
            f" {on['miss'][:, m].sum(1).mean():6.2f} {off['err'][:, m].mean():+8.2f}"
            f" {np.abs(off['err'][:, m]).mean():7.2f}/{np.abs(on['err'][:, m]).mean():.2f}"
        )
        lo = hi
    for label in ("off", "on"):
        r = res[label]
        inside = np.abs(r["err"]) <= 1.96 * r["sd"]
        below = r["err"] < -1.96 * r["sd"]
        print(
            f"{label}: coverage {100 * inside.mean():.2f} %, truth above the band on "
            f"{100 * below.mean():.1f} % of steps, "
            f"below it on {100 * (~inside & ~below).mean():.1f} %"
        )
    peak = float(truth.occupancy[:, zi].max())
    print(
        "MAE % of peak off / on: "
        + " / ".join(f"{100 * np.abs(res[k]['err']).mean() / peak:.2f}" for k in ("off", "on"))
    )
    d = (np.abs(res["on"]["err"]) <= 1.96 * res["on"]["sd"]).mean(1) - (
        np.abs(res["off"]["err"]) <= 1.96 * res["off"]["sd"]
    ).mean(1)
    print(
        f"on - off per seed: {100 * d.mean():+.2f} points, "
        f"s.e. {100 * d.std(ddof=1) / np.sqrt(len(d)):.2f}"
    )


if __name__ == "__main__":
    main()
