"""Band calibration of the live occupancy over several simulated days (diagnosis and re-measure).

Usage: ``PYTHONPATH=. python -m bench.crowd_days [--days 4] [--seeds 0 1 2] [--venue museum-wing]``

Each sample venue runs through ``--days`` days in one go (open 09-17, known
empty from 18:00 to 08:00, so the estimator keeps what the nights taught
it), with the simulator's realistic sensors (counters miss 1-8 % per device,
double-count 0-1 %, cameras drop and occlude). For 08:00-19:00 of every day
it prints, per zone and per day, the mean reported sd, the RMS error, the
share of steps with the truth inside ``occupancy +- 1.96 sd`` and, pooled
over seeds, zones of a kind and days, the coverage: in one day a counter-only
zone's error is mostly one draw of its counters' miss rates, so a zone-day is
nearly all in or all out and only the pooled figure can show 90-98 %.
The venue is empty before 09:00 and after about 17:10: the counts pooled
over the opening hours 09-17 are printed as well. The tracker starts at
08:00 with every zone known empty (the operator's initial occupancy 0;
``--assumed-start`` gives the former 0 +- ``initial_sd``).
``--hours`` adds the day-1 figures per hour of the day (the sd against the
error as the day goes on), ``--hour-bands`` day 1's steps per zone and hour
inside / with the truth above / below the band. ``--channels`` prints, after each night's empty
venue, every counting channel's learned correction against the simulator's
true one (``1 / (1 - miss + double) - 1``) and its z-score.
Diagnostics: ``--miss M`` every counter misses M, no doubles (bench.crowd's
4 % table); ``--zone-hours ZONE`` day 1 of that zone per hour (signed error
per seed, MAE, reported sd, error while the trackers are silent);
``--drop-sensor ID`` withholds a sensor's readings (an ablation);
``--raw-hours`` day 1 per hour of the reported error against the error of
the filter's own mean before its projection on occupancy >= 0 (which moves
the reported estimate, not its sd).
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from bench.coverage_ci import Coverage, cluster_coverage, shares_coverage
from bench.switches import add_switch, switch
from simulators.people_sensing import SensingErrors
from simulators.simulator import VenueSimulator
from twin.live_analytics import AnalyticsConfig
from twin.live_analytics.config import LIVE_OCCUPANCY
from twin.live_analytics.counting_layout import counter_channels
from twin.live_analytics.crowd import CrowdTracker
from twin.loader import load_sample
from twin.venue import SensorKind, Venue

STEP_S = 10.0


def clustered(covs: list[np.ndarray], keys: list[tuple[str, int]]) -> list[Coverage]:
    """Per day, then all days: pooled zone-day coverage, clusters = (venue, seed) runs.

    The zones of one run share doors and the days of one run share their
    counters' rates, so a run is the independent draw (bench/coverage_ci.py).
    """
    shares = np.array(covs)  # (zone runs, days)
    runs = sorted(set(keys))
    of = np.array([runs.index(k) for k in keys])
    inside = np.array([shares[of == r].sum(axis=0) for r in range(len(runs))])
    steps = np.array([(of == r).sum() for r in range(len(runs))], dtype=float)
    out = [cluster_coverage(inside[:, d], steps) for d in range(shares.shape[1])]
    return [*out, cluster_coverage(inside.sum(axis=1), steps * shares.shape[1])]


def simulated_venue(
    name: str,
    seed: int,
    overrides: dict[str, float],
    *,
    assumed_start: bool = False,
    quiet: bool = False,
    miss: float | None = None,
    spread_counted: bool | None = None,
) -> tuple[Venue, VenueSimulator, AnalyticsConfig]:
    """A sample venue simulated from 08:00 local on a Monday, and the crowd config to judge it.

    Started an hour before opening: the operator knows the venue is empty and
    says so (initial occupancy 0, exact), as the venue file or the API let
    them; ``assumed_start`` leaves the former 0 +- initial_sd. Known empty
    18:00-08:00; ``overrides`` replace fields of the live occupancy config.
    """
    venue = load_sample(name)
    start = datetime(2024, 11, 25, 8, 0, tzinfo=ZoneInfo(venue.timezone)).timestamp()
    # ``miss``: every counter misses that share, no doubles (bench.crowd's 4 % table).
    sensing = SensingErrors() if miss is None else SensingErrors((miss, miss), (0.0, 0.0))
    sim = VenueSimulator(venue, seed=seed, start=start, sensing=sensing)
    zones = [z.id for z in venue.zones]
    fields: dict[str, Any] = dict(overrides)  # numeric fields by name (OccupancyConfig has a bool)
    cfg = AnalyticsConfig(
        empty_hours={venue.id: (18.0, 8.0)},
        occupancy=dataclasses.replace(LIVE_OCCUPANCY, **fields),
        initial_occupancy={} if assumed_start else dict.fromkeys(zones, 0.0),
        quiet_zones=quiet,
    )
    if spread_counted is not None:  # AnalyticsConfig.miss_spread_counted, else its default
        cfg = dataclasses.replace(cfg, miss_spread_counted=spread_counted)
    return venue, sim, cfg


def feed_step(
    sim: VenueSimulator,
    tracker: CrowdTracker,
    ids: Sequence[str],
    step_s: float,
    drop: frozenset[str] = frozenset(),
) -> set[str]:
    """Simulate ``step_s`` seconds, hand every reading (but ``drop``'s) to the tracker.

    Returns the ids of the sensors that reported in the step (a tracker absent: an outage).
    """
    batch = sim.step_batch(step_s)
    seen = set()
    for i, ts, value in zip(
        batch.sensor.tolist(), batch.ts.tolist(), batch.value.tolist(), strict=True
    ):
        seen.add(ids[i])
        if ids[i] not in drop:
            tracker.update(ids[i], ts, value)
    return seen


def true_corrections(sim: VenueSimulator, tracker: CrowdTracker) -> dict[int, float]:
    """Channel index -> the correction its counter really needs (per the simulator)."""
    ids = sim.sensor_ids
    out = {}
    for sensor, ch in counter_channels(sim.venue).items():
        k = ids.index(sensor)
        m, d = sim.sensing.miss[k], sim.sensing.double[k]
        out[ch] = 1.0 / (1.0 - m + d) - 1.0
    return out


def print_channels(day: int, sim: VenueSimulator, tracker: CrowdTracker) -> None:
    est = tracker.estimator
    nz = est.n_zones
    print(f"  after night {day}: channel, true / learned correction +- sd, z")
    for ch, b in sorted(true_corrections(sim, tracker).items()):
        x, sd = est.x[nz + ch], float(np.sqrt(est.P[nz + ch, nz + ch]))
        name = est.graph.channel_name(ch)
        print(f"    {name:30s} {b:7.4f} / {x:7.4f} +- {sd:.4f}  z {(x - b) / sd:+5.2f}")


def run(
    name: str,
    seed: int,
    days: int,
    overrides: dict[str, float],
    channels: bool = False,
    assumed_start: bool = False,
    quiet: bool = False,
    miss: float | None = None,
    drop: frozenset[str] = frozenset(),
    silent_out: list[np.ndarray] | None = None,
    spread_counted: bool | None = None,
    raw_out: list[np.ndarray] | None = None,
) -> tuple[list[str], set[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(zones, camera zones, est, sd, truth, hour); arrays (days, steps, zones), 08:00-19:00.

    ``silent_out`` gets (days, steps) True where the venue's people trackers sent nothing;
    ``raw_out`` the filter's own mean (days, steps, zones), before the projection on n >= 0.
    """
    venue, sim, cfg = simulated_venue(
        name,
        seed,
        overrides,
        assumed_start=assumed_start,
        quiet=quiet,
        miss=miss,
        spread_counted=spread_counted,
    )
    trackers = {s.id for s in venue.sensors if s.kind is SensorKind.PEOPLE_TRACKER}
    zones = [z.id for z in venue.zones]
    tracker = CrowdTracker(venue, cfg)
    direct = (SensorKind.PEOPLE_COUNT, SensorKind.PEOPLE_TRACKER)
    cams = {s.zone for s in venue.sensors if s.kind in direct}
    ids = sim.sensor_ids
    n_day, n_open = round(86400 / STEP_S), round(11 * 3600 / STEP_S)
    shape = (days, n_open, len(zones))
    est, sd, true, raw = np.zeros(shape), np.zeros(shape), np.zeros(shape), np.zeros(shape)
    at = [tracker.estimator.graph.zone_index[z] for z in zones]
    silent = np.zeros(shape[:2], dtype=bool)
    # A tiny first step samples every sensor at the start, as run_simulation
    # does; then each 10 s step ends with readings stamped at its end, which
    # carry the state then (a reading carries the state at its own stamp),
    # so the step's estimate and the truth at sim.now line up.
    feed_step(sim, tracker, ids, 1e-3, drop)
    for d in range(days):
        for k in range(n_day):
            seen = feed_step(sim, tracker, ids, STEP_S, drop)
            res = tracker.advance(sim.now)
            if k < n_open:
                silent[d, k] = bool(trackers) and not trackers & seen
                by = {c.zone: c for c in res}
                truth = sim.occupancy()
                raw[d, k] = tracker.estimator.x[at]
                for j, z in enumerate(zones):
                    est[d, k, j] = by[z].occupancy
                    sd[d, k, j] = by[z].occupancy_sd
                    true[d, k, j] = truth[z]
            if channels and k == n_open:  # 19:00, an hour after the empty venue was seen
                print_channels(d + 1, sim, tracker)
    hour = 8.0 + (np.arange(n_open) + 1) * STEP_S / 3600.0
    if silent_out is not None:
        silent_out.append(silent)
    if raw_out is not None:
        raw_out.append(raw)
    return zones, cams, est, sd, true, hour


def print_hour_bands(
    hourly: dict[str, list[tuple[np.ndarray, np.ndarray]]],
    kinds: dict[str, str],
    hour: np.ndarray,
) -> None:
    """Day 1 per zone and hour, pooled over seeds: % of steps in / above / below the band.

    "above": the truth above ``occupancy + 1.96 sd`` (the estimate too low),
    "below": under its lower end. A diagnostic of where day 1 loses coverage.
    """
    print("  day 1 per hour: % of steps inside / truth above / truth below the band")
    edges = np.arange(8, 19)
    print(f"  {'zone':18s} {'obs':6s} " + " ".join(f"{h:02d}-{h + 1:02d}     " for h in edges))
    for z, runs in hourly.items():
        cells = []
        for h0 in edges:
            m = (hour > h0) & (hour <= h0 + 1)
            # err = estimate - truth: truth above the band is err < -1.96 sd.
            above = np.mean([np.mean(r[1][m] < -1.96 * r[0][m]) for r in runs])
            below = np.mean([np.mean(r[1][m] > 1.96 * r[0][m]) for r in runs])
            cells.append(f"{100 * (1 - above - below):3.0f}/{100 * above:2.0f}/{100 * below:2.0f}")
        print(f"  {z:18s} {kinds[z]:6s} " + " ".join(f"{c:>11s}" for c in cells))


def print_zone_hours(
    zone: str,
    runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    peaks: list[float],
    hour: np.ndarray,
) -> None:
    """Day 1 of one zone per hour over seeds: signed error, its sd, MAE, tracker silence.

    ``runs``: per seed (reported sd, error = estimate - truth, tracker silent) per step.
    A diagnostic of when in the day a zone's error arises and whether outages coincide.
    """
    peak = max(peaks)
    print(f"  {zone}, day 1 per hour (peak {peak:.0f}): mean signed error [seeds' means], sd")
    print("    across seeds, MAE % of peak, mean reported sd, % steps tracker silent,")
    print("    mean signed error in silent / reporting steps")
    for h0 in range(8, 19):
        m = (hour > h0) & (hour <= h0 + 1)
        means = np.array([r[1][m].mean() for r in runs])
        mae = 100 * np.mean([np.abs(r[1][m]).mean() for r in runs]) / peak
        rep = np.mean([r[0][m].mean() for r in runs])
        sil = np.concatenate([r[2][m] for r in runs])
        err = np.concatenate([r[1][m] for r in runs])
        e_sil = f"{err[sil].mean():+6.1f}" if sil.any() else "     -"
        print(
            f"    {h0:02d}-{h0 + 1:02d} {means.mean():+6.1f} ["
            + " ".join(f"{x:+5.1f}" for x in means)
            + f"] sd {means.std(ddof=1) if len(means) > 1 else 0.0:4.1f}  MAE {mae:4.1f} %"
            + f"  sd {rep:5.1f}  silent {100 * sil.mean():3.0f} %"
            + f"  {e_sil} / {err[~sil].mean():+6.1f}"
        )
    own = [100 * np.abs(r[1]).mean() / p for r, p in zip(runs, peaks, strict=True)]
    print(
        f"    08-19 MAE, each seed on its own peak (as bench.crowd): {np.mean(own):.1f} % "
        + "["
        + " ".join(f"{x:.1f}" for x in own)
        + "]"
    )


def print_raw_hours(
    hourly: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]],
    kinds: dict[str, str],
    hour: np.ndarray,
) -> None:
    """Day 1 per hour, pooled over seeds: the reported error against the filter's own.

    ``hourly``: per zone, per seed (reported sd, reported error, raw error, raw
    mean) per step; the raw error is the Kalman mean's before the projection on n >= 0
    (``OccupancyEstimator.projected``), which the reported estimate is and the
    reported sd is not conditioned by. Per class and hour: rms reported error /
    rms raw error / rms sd, and the share of steps whose raw mean is below 0
    (the projection acts). A diagnostic of whether a
    band too wide is the variance or the projection.
    """
    print("  day 1 per hour: rms reported error / rms raw (unprojected) error / rms sd,")
    print("  % of steps with the raw mean < 0 (the projection acts)")
    edges = np.arange(8, 19)
    print(f"  {'zones':18s} " + " ".join(f"{h:02d}-{h + 1:02d}".rjust(14) for h in edges))
    groups = {f"all {k}": [z for z in hourly if kinds[z] == k] for k in ("count", "camera")}
    groups.update({z: [z] for z in hourly})
    for label, members in groups.items():
        runs = [r for z in members for r in hourly[z]]
        if not runs:
            continue
        cells = []
        for h0 in edges:
            m = (hour > h0) & (hour <= h0 + 1)
            rep = np.sqrt(np.mean([np.mean(r[1][m] ** 2) for r in runs]))
            own = np.sqrt(np.mean([np.mean(r[2][m] ** 2) for r in runs]))
            sd = np.sqrt(np.mean([np.mean(r[0][m] ** 2) for r in runs]))
            neg = 100 * np.mean([np.mean(r[3][m] < 0.0) for r in runs])
            cells.append(f"{rep:.0f}/{own:.0f}/{sd:.0f} {neg:.0f}%")
        print(f"  {label:18s} " + " ".join(f"{c:>14s}" for c in cells))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--days", type=int, default=4)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--venue", nargs="+", default=["museum-wing", "scenic-site"])
    ap.add_argument("--hours", action="store_true", help="day-1 sd and error per hour")
    ap.add_argument(
        "--hour-bands",
        action="store_true",
        help="day-1 coverage per zone and hour, split into truth above / below the band",
    )
    ap.add_argument("--channels", action="store_true", help="learned vs true counter corrections")
    ap.add_argument(
        "--assumed-start",
        action="store_true",
        help="start every zone at the assumption 0 +- initial_sd, not known empty",
    )
    ap.add_argument(
        "--quiet-zones", action="store_true", help="AnalyticsConfig.quiet_zones (experiment)"
    )
    ap.add_argument(
        "--set",
        nargs="*",
        default=[],
        metavar="FIELD=VALUE",
        help="OccupancyConfig overrides of the live defaults (experiments)",
    )
    ap.add_argument(
        "--miss", type=float, default=None, help="every counter misses this share, no doubles"
    )
    ap.add_argument("--zone-hours", default=None, help="day 1 of this zone per hour (diagnostic)")
    ap.add_argument(
        "--drop-sensor", nargs="*", default=[], help="withhold these sensors' readings (ablation)"
    )
    ap.add_argument(
        "--raw-hours",
        action="store_true",
        help="day-1 error per hour of the reported estimate and of the filter's unprojected mean",
    )
    add_switch(ap, "--miss-spread-counted", "AnalyticsConfig.miss_spread_counted")
    a = ap.parse_args()
    overrides = {k: float(v) for k, v in (s.split("=") for s in a.set)}
    counted = switch(a.miss_spread_counted)
    print(
        f"seeds {a.seeds}, {a.days} days, 10 s steps, scored 08:00-19:00; overrides {overrides}"
        f"; miss_spread_counted {'default' if counted is None else counted}"
    )
    pooled: dict[str, list[np.ndarray]] = {"camera": [], "count": []}
    keys: dict[str, list[tuple[str, int]]] = {"camera": [], "count": []}
    # The same over the opening hours only (09-17): before and after them every
    # zone is empty and, from the second day, known to be: those hours are in
    # the band whatever the estimator does.
    pooled_open: dict[str, list[np.ndarray]] = {"camera": [], "count": []}
    # |error| / sd per step, pooled per kind and day: calibrated, its 95th percentile is 1.96.
    zs: dict[str, list[np.ndarray]] = {"camera": [], "count": []}
    # MAE per zone-run and day, % of that zone-run's peak (all days), as bench.crowd.
    maes: dict[str, list[np.ndarray]] = {"camera": [], "count": []}
    for name in a.venue:
        rows: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
        t = time.perf_counter()
        hourly: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
        kinds: dict[str, str] = {}
        silents: list[np.ndarray] = []
        raws: list[np.ndarray] = []
        raw_hourly: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]] = {}
        zone_runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        peaks: list[float] = []
        for seed in a.seeds:
            zones, cams, est, sd, true, hour = run(
                name,
                seed,
                a.days,
                overrides,
                a.channels,
                a.assumed_start,
                a.quiet_zones,
                a.miss,
                frozenset(a.drop_sensor),
                silents,
                counted,
                raws,
            )
            if a.zone_hours in zones:
                j = zones.index(a.zone_hours)
                peaks.append(float(true[0, :, j].max()))
                e = est[0, :, j] - true[0, :, j]
                zone_runs.append((sd[0, :, j], e, silents[-1][0]))
            for j, z in enumerate(zones):
                err = est[:, :, j] - true[:, :, j]
                inside = np.abs(err) <= 1.96 * sd[:, :, j]
                rows.setdefault(z, []).append((inside.mean(axis=1), sd[:, :, j], err))
                pooled["camera" if z in cams else "count"].append(inside.mean(axis=1))
                keys["camera" if z in cams else "count"].append((name, seed))
                opening = (hour > 9.0) & (hour <= 17.0)
                pooled_open["camera" if z in cams else "count"].append(
                    inside[:, opening].mean(axis=1)
                )
                zs["camera" if z in cams else "count"].append(
                    np.abs(err) / np.maximum(sd[:, :, j], 1e-9)
                )
                peak = max(float(true[:, :, j].max()), 1.0)
                maes["camera" if z in cams else "count"].append(
                    100 * np.abs(err).mean(axis=1) / peak
                )
                hourly.setdefault(z, []).append((sd[0, :, j], err[0]))
                raw_hourly.setdefault(z, []).append(
                    (sd[0, :, j], err[0], raws[-1][0, :, j] - true[0, :, j], raws[-1][0, :, j])
                )
                kinds[z] = "camera" if z in cams else "count"
        print(f"\n{name} ({time.perf_counter() - t:.0f} s)")
        print(
            f"  {'zone':18s} {'obs':6s} "
            + " ".join(f"{'day ' + str(d + 1):>22s}" for d in range(a.days))
        )
        print(f"  {'':25s}" + " ".join(f"{'sd / rms err / cover':>22s}" for _ in range(a.days)))
        for z, runs in rows.items():
            kind = "camera" if z in cams else "count"
            cells = []
            for d in range(a.days):
                cov = 100 * np.mean([r[0][d] for r in runs])
                msd = np.mean([r[1][d].mean() for r in runs])
                rms = np.sqrt(np.mean([np.mean(r[2][d] ** 2) for r in runs]))
                cells.append(f"{msd:6.1f} / {rms:6.1f} / {cov:5.1f}")
            print(f"  {z:18s} {kind:6s} " + " ".join(f"{c:>22s}" for c in cells))
            # Each seed's zone-day is one cluster (equal steps).
            cis = [shares_coverage([r[0][d] for r in runs]) for d in range(a.days)]
            print(f"  {'':18s} {'95 %':6s} " + " ".join(f"{c!s:>28s}" for c in cis))
        if a.hours:
            print("  day 1 per hour: mean sd / rms error")
            edges = np.arange(8, 20)
            for z, hruns in hourly.items():
                cells = []
                for h0 in edges[:-1]:
                    m = (hour > h0) & (hour <= h0 + 1)
                    s = np.mean([r[0][m].mean() for r in hruns])
                    e = np.sqrt(np.mean([np.mean(r[1][m] ** 2) for r in hruns]))
                    cells.append(f"{s:4.0f}/{e:<4.0f}")
                print(f"  {z:18s} " + " ".join(cells))
        if a.hour_bands:
            print_hour_bands(hourly, kinds, hour)
        if a.raw_hours:
            print_raw_hours(raw_hourly, kinds, hour)
        if zone_runs:
            print_zone_hours(str(a.zone_hours), zone_runs, peaks, hour)
    for kind, covs in pooled.items():
        if covs:
            per_day = 100 * np.mean(np.array(covs), axis=0)
            print(
                f"pooled {kind}-zone coverage per day: "
                + ", ".join(f"{c:.1f} %" for c in per_day)
                + f"; all days {np.mean(per_day):.1f} %; 95th percentile of |error| / sd per day "
                + ", ".join(
                    f"{q:.2f}" for q in np.percentile(np.concatenate(zs[kind], axis=1), 95, axis=1)
                )
                + " (calibrated: 1.96)"
            )
            cis = clustered(covs, keys[kind])
            print(
                f"  {kind}-zone coverage [95 % interval, clusters = venue x seed runs] per day: "
                + ", ".join(str(c) for c in cis[:-1])
                + f"; all days {cis[-1]}"
            )
            print(
                f"  {kind}-zone coverage per day, opening hours 09-17 only: "
                + ", ".join(
                    f"{c:.1f} %" for c in 100 * np.mean(np.array(pooled_open[kind]), axis=0)
                )
            )
            days_cov = 100 * np.array(covs)
            print(
                f"  {kind}-zone days, lowest - highest coverage per day: "
                + ", ".join(
                    f"{lo:.1f} - {hi:.1f} %"
                    for lo, hi in zip(days_cov.min(axis=0), days_cov.max(axis=0), strict=True)
                )
            )
            mae = np.mean(np.array(maes[kind]), axis=0)
            print(
                f"  {kind}-zone MAE, % of each zone-run's peak, mean over zone-runs, per day: "
                + ", ".join(f"{m:.2f}" for m in mae)
                + f"; all days {np.mean(mae):.2f}"
            )
            # A zone-day is nearly all in or all out: count those mostly out.
            out = (np.array(covs) < 0.5).sum(axis=0)
            print(
                f"  {kind}-zone days mostly (> 50 %) outside the band, per day: "
                + ", ".join(f"{k} of {len(covs)}" for k in out.tolist())
                + " (calibrated: at most 1 in 10)"
            )


if __name__ == "__main__":
    main()
