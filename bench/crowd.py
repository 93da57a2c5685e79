"""Crowd state from imperfect sensors, scored on real pedestrian experiments and the simulator.

Usage: ``PYTHONPATH=. python bench/crowd.py [--seeds 50] [--miss 0.04] [--step 1]``

Real data (never in tests): ``../shared/data/crowd/`` holds two PeTrack
experiments (bi- and uni-directional corridors, PedPy's demo data). Each is
cut into three zones of one venue: west and east ends counted only by gate
counters (transit zones) and a 4 m centre watched by a camera as well. The
zone cuts (x = -2 m, +2 m), the venue layout and every estimator setting are
the same for both experiments; nothing is fitted to either, so the
leave-one-experiment-out figure is the in-sample figure (see docs/crowd.md).
Counters miss ``--miss`` of the crossings at random; cameras lose people to
noise, dropouts and occlusion. Reference density and flow come from PedPy
(``compute_classic_density`` per zone, ``compute_n_t`` at each gate line)
when it is installed (extra ``crowd``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from twin.analytics.crowd.trajectories import Trajectories, load_trajectories
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


def table(title: str, scores: dict[str, ZoneScore], flows: np.ndarray, gates: list[str]) -> None:
    print(f"\n{title}")
    print(
        f"  {'zone':10s} {'obs':>6s} {'peak':>5s} {'MAE %peak':>10s} {'dens err %':>10s} "
        f"{'95% cover':>9s} {'mean sd':>8s}"
    )
    for s in scores.values():
        kind = "camera" if s.observed else "count"
        print(
            f"  {s.zone:10s} {kind:>6s} {s.peak:5.0f} {np.mean(s.mae_pct_peak):10.1f} "
            f"{np.mean(s.density_err_pct):10.1f} {np.mean(s.coverage):9.1f} "
            f"{np.mean(s.mean_sd):8.2f}"
        )
    fl = np.nanmean(flows, axis=0)
    print(
        "  flow error % (|estimated - reference| / reference crossings): "
        + ", ".join(f"{g} {f:.1f}" for g, f in zip(gates, fl, strict=True))
    )


def real(data: Path, seeds: int, errors: SensorErrors, step_s: float, use_pedpy: bool) -> None:
    for name, unit in EXPERIMENTS:
        path = data / name
        traj = load_trajectories(path, unit)
        venue = corridor_venue(traj, "corridor")
        truth = ground_truth(venue, traj, step_s)
        ref = pedpy_reference(path, unit, venue, len(truth.ts), step_s) if use_pedpy else None
        scores: dict[str, ZoneScore] = {}
        flows = []
        t = time.perf_counter()
        for seed in range(seeds):
            run = run_estimator(venue, truth, errors, np.random.default_rng(seed))
            score_run(venue, truth, run, scores, None if ref is None else ref[0])
            flows.append(flow_errors(truth, run, None if ref is None else ref[1]))
        el = time.perf_counter() - t
        src = "PedPy" if ref is not None else "own truth"
        table(
            f"{name}: {len(truth.ts)} steps of {step_s:g} s, {seeds} seeds, reference {src}, "
            f"uncounted crossings {truth.uncounted}, "
            f"{1e6 * el / seeds / len(truth.ts) / 3:.0f} us per zone-step (incl. synthesis)",
            scores,
            np.array(flows),
            [g.id for g in venue.gates],
        )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seeds", type=int, default=50)
    ap.add_argument("--miss", type=float, default=0.04)
    ap.add_argument("--step", type=float, default=1.0)
    ap.add_argument("--no-pedpy", action="store_true")
    ap.add_argument("--data", type=Path, default=DATA)
    a = ap.parse_args()
    errors = SensorErrors(miss_range=(a.miss, a.miss))
    print(f"counters miss {a.miss:.0%} at random; camera: {errors}")
    real(a.data, a.seeds, errors, a.step, not a.no_pedpy)


if __name__ == "__main__":
    main()
