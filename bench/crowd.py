"""Crowd state from imperfect sensors, scored on real pedestrian experiments and the simulator.

Usage: ``PYTHONPATH=. python bench/crowd.py [--seeds 50] [--miss 0.04] [--step 1]``

Real data (never in tests): ``../shared/data/crowd/`` holds two PeTrack
experiments (bi- and uni-directional corridors, PedPy's demo data). Each is
cut into three zones of one venue: west and east ends counted only by gate
counters (transit zones) and a 4 m centre watched by a camera as well. The
zone cuts (x = -2 m, +2 m), the venue layout and every estimator setting are
the same for both experiments; nothing is fitted to either, so the
leave-one-experiment-out figure is the in-sample figure (see docs/crowd.md).
Counters miss ``--miss`` of the crossings at random (diagnostics:
``--miss-range LO,HI``, a rate per counter and seed; ``--doubles D``); cameras lose people to
noise, dropouts and occlusion. Reference density and flow come from PedPy
(``compute_classic_density`` per zone, ``compute_n_t`` at each gate line)
when it is installed (extra ``crowd``).
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import numpy as np

from bench.crowd_cost import cost
from bench.crowd_table import table
from bench.switches import add_switch, switch
from twin.analytics.crowd.trajectories import Trajectories, load_trajectories
from twin.live_analytics import AnalyticsConfig
from twin.live_analytics.config import LIVE_OCCUPANCY
from twin.venue import Venue
from venue_twin.crowd_evaluate import (
    SensorErrors,
    ZoneScore,
    flow_errors,
    ground_truth,
    run_estimator,
    score_run,
)

REPO = Path(__file__).resolve().parents[1]
# ../shared from the repository root (a worktree sits one level deeper).
DATA = next(
    (
        p / "shared" / "data" / "crowd"
        for p in (REPO.parent, REPO.parent.parent)
        if (p / "shared").is_dir()
    ),
    REPO.parent / "shared" / "data" / "crowd",
)
EXPERIMENTS = (("bi_corr_400_b_03.txt", "cm"), ("traj_UNI_CORR_500_01.txt", "m"))
CUTS = (-2.0, 2.0)


def corridor_venue(traj: Trajectories, name: str) -> Venue:
    """Three zones along the corridor, counters both ways on every gate, a camera in the centre."""
    x0, y0 = np.floor(traj.xy.min(axis=0) * 10 - 1) / 10
    x1, y1 = np.ceil(traj.xy.max(axis=0) * 10 + 1) / 10
    xs = [float(x0), *CUTS, float(x1)]
    ym = float((y0 + y1) / 2)
    ids = ["west", "centre", "east"]
    zones = [
        {
            "id": z,
            "name": z,
            "floor": [[a, float(y0)], [b, float(y0)], [b, float(y1)], [a, float(y1)]],
            "transit": True,
        }
        for z, a, b in zip(ids, xs[:-1], xs[1:], strict=True)
    ]
    sides = [None, *ids, None]
    gates = [
        {
            "id": f"g{k}",
            "from_zone": sides[k],
            "to_zone": sides[k + 1],
            "position": [xs[k], ym],
            "width_m": float(y1 - y0),
        }
        for k in range(4)
    ]
    sensors = [
        {
            "id": f"g{k}-{way}",
            "kind": "gate_counter",
            "zone": ids[min(k, 2)],
            "gate": f"g{k}",
            "direction": way,
            "position": [xs[k], ym, 3.0],
            "interval_s": 1,
        }
        for k in range(4)
        for way in ("forward", "backward")
    ]
    sensors.append(
        {
            "id": "cam-centre",
            "kind": "people_count",
            "zone": "centre",
            "position": [0, ym, 4],
            "interval_s": 1,
        }
    )
    return Venue.model_validate(
        {"id": name, "name": name, "zones": zones, "gates": gates, "sensors": sensors}
    )


def pedpy_reference(
    path: Path, unit: str, venue: Venue, truth_len: int, step_s: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """Classic density per zone per step and crossings per gate, from PedPy."""
    try:
        import pedpy
    except ImportError:
        return None
    traj = pedpy.load_trajectory(
        trajectory_file=path,
        default_unit=pedpy.TrajectoryUnit.CENTIMETER
        if unit == "cm"
        else pedpy.TrajectoryUnit.METER,
    )
    fps = traj.frame_rate
    first = int(traj.data["frame"].min())
    per = max(1, round(step_s * fps))
    dens = np.zeros((truth_len, len(venue.zones)))
    for i, z in enumerate(venue.zones):
        d = pedpy.compute_classic_density(
            traj_data=traj, measurement_area=pedpy.MeasurementArea(z.floor)
        )
        frames = d.index.to_numpy() if "frame" not in d.columns else d["frame"].to_numpy()
        values = d["density"].to_numpy()
        series = np.zeros(int(frames.max()) - first + 1)
        series[frames - first] = values
        ends = np.minimum(np.arange(1, truth_len + 1) * per, len(series)) - 1
        dens[:, i] = series[ends]
    n_gate = np.zeros(len(venue.gates))
    for g, gate in enumerate(venue.gates):
        x, _ = gate.position
        zone = venue.zones[0].floor
        y0, y1 = zone[0][1], zone[2][1]
        nt, _ = pedpy.compute_n_t(
            traj_data=traj, measurement_line=pedpy.MeasurementLine([(x, y0), (x, y1)])
        )
        n_gate[g] = float(nt["cumulative_pedestrians"].max()) if len(nt) else 0.0
    return dens, n_gate


def tracker_density(
    path: Path, unit: str, venue: Venue, every: int = 25, dropout: float = 0.0
) -> None:
    """Density from a tracker's positions (twin.analytics.crowd.tracking) against PedPy's.

    Classic and Voronoi density per zone on every ``every``-th frame, from the
    tracks (a tracker that sees everyone), and with ``dropout`` of the people
    missing in each frame; PedPy's Voronoi cells are restricted to the same
    walkable area (the venue's zones), without cut-off, like ours.
    """
    import pedpy

    from twin.analytics.crowd.tracking import VoronoiGrid, classic_density

    unit_p = pedpy.TrajectoryUnit.CENTIMETER if unit == "cm" else pedpy.TrajectoryUnit.METER
    traj = pedpy.load_trajectory(trajectory_file=path, default_unit=unit_p)
    data = traj.data[traj.data["frame"] % every == 0].copy()
    sub = pedpy.TrajectoryData(data=data[["id", "frame", "x", "y"]], frame_rate=traj.frame_rate)
    xs = [p[0] for z in venue.zones for p in z.floor]
    ys = [p[1] for z in venue.zones for p in z.floor]
    walk = [(min(xs), min(ys)), (max(xs), min(ys)), (max(xs), max(ys)), (min(xs), max(ys))]
    t = time.perf_counter()
    indiv = pedpy.compute_individual_voronoi_polygons(
        traj_data=sub, walkable_area=pedpy.WalkableArea(walk)
    )
    ref_v = {}
    ref_c = {}
    for z in venue.zones:
        dv, _ = pedpy.compute_voronoi_density(
            individual_voronoi_data=indiv, measurement_area=pedpy.MeasurementArea(z.floor)
        )
        ref_v[z.id] = dv.set_index("frame")["density"] if "frame" in dv.columns else dv["density"]
        dc = pedpy.compute_classic_density(
            traj_data=sub, measurement_area=pedpy.MeasurementArea(z.floor)
        )
        ref_c[z.id] = dc.set_index("frame")["density"] if "frame" in dc.columns else dc["density"]
    t_pedpy = time.perf_counter() - t
    grid = VoronoiGrid(walk, [z.floor for z in venue.zones], grid_m=0.05)
    rng = np.random.default_rng(0)
    frames = sorted(set(data["frame"].tolist()))
    ours_v = {z.id: [] for z in venue.zones}
    ours_c = {z.id: [] for z in venue.zones}
    t = time.perf_counter()
    for f in frames:
        rows = data[data["frame"] == f]
        xy = rows[["x", "y"]].to_numpy(dtype=float)
        if dropout:
            xy = xy[rng.random(len(xy)) >= dropout]
        dens = grid.density(xy)
        for i, z in enumerate(venue.zones):
            ours_v[z.id].append(dens[i])
            ours_c[z.id].append(classic_density(xy, z.floor, z.area_m2))
    t_ours = time.perf_counter() - t
    print(
        f"  tracker density vs PedPy, every {every}th frame ({len(frames)} frames), "
        f"dropout {dropout:.0%}; ours {1e3 * t_ours / len(frames):.1f} ms/frame, "
        f"PedPy {1e3 * t_pedpy / len(frames):.0f} ms/frame:"
    )
    for z in venue.zones:
        for name, ours, ref in (("Voronoi", ours_v, ref_v), ("classic", ours_c, ref_c)):
            r = ref[z.id].reindex(frames).fillna(0.0).to_numpy()
            o = np.asarray(ours[z.id])
            err = 100 * float(np.mean(np.abs(o - r))) / max(float(r.mean()), 1e-9)
            print(f"    {z.id:8s} {name:8s} mean {r.mean():.3f} p/m2, error {err:5.2f} % of mean")


def live_config(
    step_s: float,
    channel_corr: float = 0.0,
    learned_spread: bool = True,
    spread_counted: bool | None = None,
    camera_iterated: bool | None = None,
) -> AnalyticsConfig:
    """The live analytics' defaults, with ``channel_corr`` between a gate's directions.

    ``spread_counted``: ``AnalyticsConfig.miss_spread_counted`` (None: its default);
    ``camera_iterated``: ``OccupancyConfig.camera_iterated`` (None: its default).
    """

    occ = dataclasses.replace(LIVE_OCCUPANCY, channel_corr=channel_corr)
    if camera_iterated is not None:
        occ = dataclasses.replace(occ, camera_iterated=camera_iterated)
    cfg = AnalyticsConfig(crowd_step_s=step_s, occupancy=occ, dwell_spread_learned=learned_spread)
    if spread_counted is None:
        return cfg
    return dataclasses.replace(cfg, miss_spread_counted=spread_counted)


def real(
    data: Path,
    seeds: int,
    errors: SensorErrors,
    step_s: float,
    use_pedpy: bool,
    channel_corr: float = 0.0,
    first_seed: int = 0,
    learned_spread: bool = True,
    spread_counted: bool | None = None,
    camera_iterated: bool | None = None,
) -> None:
    for name, unit in EXPERIMENTS:
        path = data / name
        traj = load_trajectories(path, unit)
        venue = corridor_venue(traj, "corridor")
        truth = ground_truth(venue, traj, step_s)
        ref = pedpy_reference(path, unit, venue, len(truth.ts), step_s) if use_pedpy else None
        scores: dict[str, ZoneScore] = {}
        flows = []
        t = time.perf_counter()
        for seed in range(first_seed, first_seed + seeds):
            cfg = live_config(
                float(np.diff(truth.ts[:2])[0]) if len(truth.ts) > 1 else 1.0,
                channel_corr,
                learned_spread,
                spread_counted,
                camera_iterated,
            )
            run = run_estimator(venue, truth, errors, np.random.default_rng(seed), cfg)
            score_run(venue, truth, run, scores, None if ref is None else ref[0])
            # Gates at the ends of the tracked area are crossed where tracks start
            # and end, not over a line PedPy can measure: their reference is the truth.
            true = truth.channel.sum(axis=0)
            own = (true[0::2] + true[1::2]).astype(float)
            reference = own if ref is None else np.where(ref[1] > 0, ref[1], own)
            flows.append(flow_errors(truth, run, reference))
        el = time.perf_counter() - t
        src = "PedPy" if ref is not None else "own truth"
        if use_pedpy and ref is not None:
            tracker_density(path, unit, venue)
            tracker_density(path, unit, venue, dropout=0.02)
        table(
            f"{name}: {len(truth.ts)} steps of {step_s:g} s, seeds {first_seed}-"
            f"{first_seed + seeds - 1}, reference {src}, "
            f"uncounted crossings {truth.uncounted}, "
            f"{1e6 * el / seeds / len(truth.ts) / 3:.0f} us per zone-step (incl. synthesis)",
            scores,
            np.array(flows),
            [g.id for g in venue.gates],
        )


def directly_observed(venue: Venue) -> set[str]:
    """Zones with a camera or a tracker: a tracker counts its zone as a camera does."""
    direct = ("people_count", "people_tracker")
    return {s.zone for s in venue.sensors if s.kind.value in direct and s.zone is not None}


def simulated_day(
    name: str,
    seed: int,
    miss: float | None = None,
    step_s: float = 10.0,
    channel_corr: float = 0.0,
    direction_sd: float | None = None,
    days: int = 1,
) -> tuple[dict[str, ZoneScore], float]:
    """One opening day (08:00-19:00, open 09-17, known empty from 18:00) of a sample venue.

    The simulator's counters miss 1-8 % (per device; ``miss``: that rate for
    all, no double counts) and double-count up to
    1 %; its cameras drop 2 % and lose up to 6 % per p/m^2 to occlusion.
    ``direction_sd``: a gate's two directions share one counter's rate, each
    that far off it; ``channel_corr``: the estimator's correlation between a
    gate's two directions (docs/measurements/crowd-log.md, "Correlated directions").
    ``days`` > 1: the tracker runs through the days before (their nights
    known empty) and only the last day's 08:00-19:00 is scored.
    Returns per-zone scores and the estimator's seconds per zone-step.
    """
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from simulators.simulator import VenueSimulator
    from twin.live_analytics import AnalyticsConfig
    from twin.live_analytics.crowd import CrowdTracker
    from twin.loader import load_sample

    venue = load_sample(name)
    start = datetime(2024, 11, 25, 8, 0, tzinfo=ZoneInfo(venue.timezone)).timestamp()
    from simulators.people_sensing import SensingErrors

    if miss is None:
        sensing = SensingErrors(direction_sd=direction_sd)
    else:
        sensing = SensingErrors((miss, miss), (0.0, 0.0), direction_sd=direction_sd)
    sim = VenueSimulator(venue, seed=seed, start=start, sensing=sensing)
    occ = live_config(step_s, channel_corr).occupancy
    tracker = CrowdTracker(
        venue, AnalyticsConfig(empty_hours={venue.id: (18.0, 8.0)}, occupancy=occ)
    )
    ids = sim.sensor_ids
    # A tiny first step sends the readings due at the start, so each later
    # step ends with the readings stamped at its end, where the truth is read
    # (readings carry the state at their own stamp: docs/simulator.md).
    for dt in [1e-3] + [step_s] * round((days - 1) * 86400 / step_s):
        batch = sim.step_batch(dt)
        for i, ts, value in zip(
            batch.sensor.tolist(), batch.ts.tolist(), batch.value.tolist(), strict=True
        ):
            tracker.update(ids[i], ts, value)
        tracker.advance(sim.now)
    zones = [z.id for z in venue.zones]
    n = round(11 * 3600 / step_s)
    est, sd, true = np.zeros((n, len(zones))), np.zeros((n, len(zones))), np.zeros((n, len(zones)))
    spent = 0.0
    for k in range(n):
        batch = sim.step_batch(step_s)
        t = time.perf_counter()
        for i, ts, value in zip(
            batch.sensor.tolist(), batch.ts.tolist(), batch.value.tolist(), strict=True
        ):
            tracker.update(ids[i], ts, value)
        res = {c.zone: c for c in tracker.advance(sim.now)}
        spent += time.perf_counter() - t
        truth = sim.occupancy()
        for j, z in enumerate(zones):
            est[k, j], sd[k, j], true[k, j] = res[z].occupancy, res[z].occupancy_sd, truth[z]
    cams = directly_observed(venue)
    scores = {}
    for j, z in enumerate(zones):
        peak = float(true[:, j].max())
        sc = ZoneScore(z, peak, z in cams)
        if peak > 0:
            sc.mae_pct_peak.append(100 * float(np.abs(est[:, j] - true[:, j]).mean()) / peak)
            sc.coverage.append(
                100 * float(np.mean(np.abs(est[:, j] - true[:, j]) <= 1.96 * sd[:, j]))
            )
            sc.mean_sd.append(float(sd[:, j].mean()))
        scores[z] = sc
    return scores, spent / n / len(zones)


def simulated(
    seeds: int,
    miss: float | None,
    channel_corr: float = 0.0,
    direction_sd: float | None = None,
    days: int = 1,
) -> None:
    for name in ("museum-wing", "scenic-site"):
        merged: dict[str, ZoneScore] = {}
        costs = []
        for seed in range(seeds):
            scores, cost = simulated_day(name, seed, miss, 10.0, channel_corr, direction_sd, days)
            costs.append(cost)
            for z, sc in scores.items():
                m = merged.setdefault(z, ZoneScore(z, sc.peak, sc.observed))
                m.mae_pct_peak += sc.mae_pct_peak
                m.coverage += sc.coverage
                m.mean_sd += sc.mean_sd
                m.density_err_pct.append(np.nan)
        print(
            f"\nsimulator {name}: {seeds} seeds, 10 s steps, 08:00-19:00 of day {days}, "
            "counters miss "
            f"{'1-8 % (per device), double 0-1 %' if miss is None else f'{miss:.0%}'}; "
            f"estimator {1e6 * np.mean(costs):.0f} us per zone-step"
        )
        print(
            f"  {'zone':18s} {'obs':>6s} {'peak(s0)':>8s} {'MAE %peak':>10s} "
            f"{'95% cover':>9s} {'mean sd':>8s}"
        )
        for sc in merged.values():
            kind = "camera" if sc.observed else "count"
            print(
                f"  {sc.zone:18s} {kind:>6s} {sc.peak:8.0f} {np.mean(sc.mae_pct_peak):10.1f} "
                f"{np.mean(sc.coverage):9.1f} {np.mean(sc.mean_sd):8.2f}"
            )


def sensor_errors(miss: float, miss_range: str | None = None, doubles: float = 0.0) -> SensorErrors:
    """The real experiments' synthesised sensors: every counter misses ``miss`` (the issue's bench).

    ``miss_range`` "LO,HI": each counter's rate drawn per seed uniformly in
    it, as the simulator's devices are; ``doubles``: a share double-counted.
    Both are diagnostics (docs/measurements/crowd-log.md, "Why bi east's band is wide").
    """
    lo, hi = (miss, miss) if miss_range is None else map(float, miss_range.split(","))
    if not 0.0 <= lo <= hi < 0.5 or not 0.0 <= doubles < 0.5:
        raise ValueError(f"need 0 <= LO <= HI < 0.5 and 0 <= doubles < 0.5: {miss_range}")
    return SensorErrors(miss_range=(lo, hi), double_rate=doubles)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seeds", type=int, default=50)
    ap.add_argument("--first-seed", type=int, default=0, help="real experiments' first seed")
    ap.add_argument("--miss", type=float, default=0.04)
    ap.add_argument(
        "--miss-range",
        default=None,
        help="real experiments: LO,HI, each counter's miss rate drawn per seed in it (diagnostic)",
    )
    ap.add_argument(
        "--doubles", type=float, default=0.0, help="real experiments: share double-counted"
    )
    ap.add_argument("--step", type=float, default=1.0)
    ap.add_argument("--no-pedpy", action="store_true")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--cost-only", action="store_true", help="only the 420-zone cost figure")
    ap.add_argument("--sim-seeds", type=int, default=10, help="simulated days per sample venue")
    ap.add_argument(
        "--channel-corr",
        type=float,
        default=0.0,
        help="estimator: correlation of a gate's two directions' corrections (experiment)",
    )
    ap.add_argument(
        "--direction-sd",
        type=float,
        default=None,
        help="simulator: a gate's directions share one counter's rate, each this far off it",
    )
    ap.add_argument(
        "--fixed-spread",
        action="store_true",
        help="estimator: transit zones' Little's-law spread as stated, not learned",
    )
    ap.add_argument(
        "--days", type=int, default=1, help="simulated days run; the last one is scored"
    )
    ap.add_argument(
        "--sim-only", action="store_true", help="only the simulator's tables (no real data, cost)"
    )
    add_switch(
        ap, "--miss-spread-counted", "AnalyticsConfig.miss_spread_counted (real experiments)"
    )
    add_switch(ap, "--camera-iterated", "OccupancyConfig.camera_iterated (real experiments)")
    a = ap.parse_args()
    errors = sensor_errors(a.miss, a.miss_range, a.doubles)
    print(f"real experiments' sensors: {errors}")
    if not a.cost_only and not a.sim_only:
        real(
            a.data,
            a.seeds,
            errors,
            a.step,
            not a.no_pedpy,
            a.channel_corr,
            a.first_seed,
            not a.fixed_spread,
            switch(a.miss_spread_counted),
            switch(a.camera_iterated),
        )
    if a.sim_seeds and not a.cost_only:
        simulated(a.sim_seeds, a.miss, a.channel_corr, a.direction_sd, a.days)
        simulated(a.sim_seeds, None, a.channel_corr, a.direction_sd, a.days)
    if not a.sim_only:
        cost()


if __name__ == "__main__":
    main()
