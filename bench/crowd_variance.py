"""Where a zone's reported occupancy variance comes from, source by source (diagnostic).

Usage: ``PYTHONPATH=. python -m bench.crowd_variance [--seeds 50] [--miss 0.04]``

Runs the real-experiment bench (bench/crowd.py, live defaults) and splits
the filter's covariance ``P`` by the source that put it there
(``bench/variance_trace.py``: each source's part propagated with the run's
own gains, checked against ``P`` every step):

- ``b prior``: the counter corrections' prior (``bias_sd_initial``), which
  reaches a zone as ``B diag(e) b``, the (K c)^2 var(b) term;
- ``misses`` / ``doubles``: the count noise ``count_rel_sd^2 c``, split in
  the proportion ``m / (1 - m)`` to ``d / (1 - m)^2`` of the prior's rates;
- ``little``: the Little's-law (transit) pseudo-measurements' variance;
- ``camera``: the camera readings' (adapted) variance;
- ``zone start``: the "empty" start's ``initial_sd``; ``camera prior``,
  ``drift`` (corrections' and cameras' random walk) and the rest.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
import numpy.typing as npt

import venue_twin.crowd_evaluate as ce
from bench.crowd import DATA, EXPERIMENTS, corridor_venue, live_config, sensor_errors
from bench.variance_trace import Matrix, VarianceTrace
from twin.analytics.crowd.dwell_prior import DwellPriorConfig
from twin.analytics.crowd.trajectories import load_trajectories
from twin.live_analytics.config import LIVE_OCCUPANCY
from twin.live_analytics.crowd import CrowdTracker

SOURCES = (
    "b prior",
    "misses",
    "doubles",
    "little",
    "camera",
    "zone start",
    "camera prior",
    "drift",
    "other",
)
DOUBLES = 0.005  # the live prior's double-count rate (twin/live_analytics/config.py)


class Decomposing(VarianceTrace):
    """The filter's ``P`` split into the sources above; also keeps the Little's-law means."""

    SOURCES = SOURCES
    PRIORS = ("zone start", "b prior", "camera prior")
    SET_TO = "other"

    snaps: list[dict[str, npt.NDArray[np.float64]]]
    pseudo: list[dict[str, float]]

    def start(self) -> None:
        super().start()
        self.pseudo = []

    def _add_prediction_noise(self, qc: Matrix, rest: Matrix) -> None:
        nz, m = self.n_zones, self.config.counter_miss_rate
        miss_part, dbl_part = m / (1.0 - m), DOUBLES / (1.0 - m) ** 2
        self.comps["misses"] += qc * miss_part / (miss_part + dbl_part)
        self.comps["doubles"] += qc * dbl_part / (miss_part + dbl_part)
        diag = np.diag(rest).copy()
        drift = np.concatenate([np.zeros(nz), diag[nz:]])
        self.comps["drift"] += np.diag(drift)
        self.comps["other"] += rest - np.diag(drift)

    def observe_many(self, obs: Any) -> None:
        self.pseudo.append({z: m for z, (m, _) in obs.items()})
        super().observe_many(obs)

    def _camera_r(
        self, cams: list[int], r_used: npt.NDArray[np.float64]
    ) -> dict[str, npt.NDArray[np.float64]]:
        return {"camera": r_used}

    def _snapshot(self) -> dict[str, npt.NDArray[np.float64]]:
        nz = self.n_zones
        return {s: np.diag(m)[:nz].copy() for s, m in self.comps.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", type=int, default=50)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--miss", type=float, default=0.04)
    ap.add_argument("--miss-range", default=None, help="LO,HI per counter (bench.crowd)")
    ap.add_argument("--doubles", type=float, default=0.0)
    ap.add_argument("--at", type=float, nargs="*", default=[15, 30, 45, 60, 80, 100, 120])
    a = ap.parse_args()
    errors = sensor_errors(a.miss, a.miss_range, a.doubles)
    made: list[Decomposing] = []

    class Tracker(CrowdTracker):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            est = self.estimator
            est.__class__ = Decomposing
            assert isinstance(est, Decomposing)
            est.start()
            made.append(est)

    ce.CrowdTracker = Tracker  # type: ignore[misc]
    print(f"live prior {LIVE_OCCUPANCY}; seeds {a.first_seed}-{a.first_seed + a.seeds - 1}")
    print(f"sensors: {errors}")
    for name, unit in EXPERIMENTS:
        traj = load_trajectories(DATA / name, unit)
        venue = corridor_venue(traj, "corridor")
        truth = ce.ground_truth(venue, traj, 1.0)
        var = {s: [] for s in SOURCES}
        err2, sd2, little = [], [], []
        for seed in range(a.first_seed, a.first_seed + a.seeds):
            made.clear()
            run = ce.run_estimator(
                venue, truth, errors, np.random.default_rng(seed), live_config(1.0)
            )
            snaps = made[0].snaps
            assert len(snaps) == len(truth.ts), (len(snaps), len(truth.ts))
            for s in SOURCES:
                var[s].append(np.array([sn[s] for sn in snaps]))
            assert len(made[0].pseudo) == len(truth.ts)
            little.append(
                np.array([[ps.get(z.id, np.nan) for z in venue.zones] for ps in made[0].pseudo])
            )
            err2.append((run.occupancy - truth.occupancy) ** 2)
            sd2.append(run.sd**2)
        v = {s: np.array(x) for s, x in var.items()}  # (seeds, steps, zones)
        e2, s2 = np.array(err2), np.array(sd2)
        occupied = truth.occupancy > 0  # (steps, zones)
        print(f"\n{name}: {len(truth.ts)} steps; share of the reported sd^2 by source")
        print("  over the occupied steps (mean of each source's variance / mean sd^2):")
        head = "".join(f"{s:>12s}" for s in SOURCES)
        print(f"  {'zone':8s}{'sd':>6s}{head}  (e/sd)^2  e^2/(sd^2-b prior-doubles)")
        for i, z in enumerate(venue.zones):
            o = occupied[:, i]
            tot = s2[:, o, i].mean()
            shares = "".join(f"{100 * v[s][:, o, i].mean() / tot:11.1f}%" for s in SOURCES)
            z2 = (e2[:, o, i] / s2[:, o, i]).mean()
            realised = s2[:, o, i] - v["b prior"][:, o, i] - v["doubles"][:, o, i]
            z2r = (e2[:, o, i] / realised).mean()
            print(f"  {z.id:8s}{np.sqrt(tot):6.2f}{shares}  {z2:8.2f}  {z2r:8.2f}")
        lz = np.array(little)  # (seeds, steps, zones): Little's-law occupancy
        rel = DwellPriorConfig().transit_rel_sd
        abs_sd = DwellPriorConfig().abs_sd
        print(
            "  Little's-law pseudo-measurement z against the truth n on occupied steps: "
            "mean z - n, rms z - n, stated sd sqrt((rel z)^2 + abs^2) (rms), ratio of squares"
        )
        for i, z in enumerate(venue.zones):
            o = occupied[:, i]
            d = lz[:, o, i] - truth.occupancy[None, o, i]
            stated = (rel * lz[:, o, i]) ** 2 + abs_sd**2
            print(
                f"    {z.id:8s} {np.nanmean(d):6.2f} {np.sqrt(np.nanmean(d**2)):6.2f} "
                f"{np.sqrt(np.nanmean(stated)):6.2f} {np.nanmean(d**2) / np.nanmean(stated):6.2f}"
            )
        for i, z in enumerate(venue.zones):
            print(f"  {z.id} at chosen steps (mean over seeds; truth mean):")
            for t in a.at:
                k = int(np.searchsorted(truth.ts, t))
                if k >= len(truth.ts):
                    continue
                tot = s2[:, k, i].mean()
                shares = "".join(f"{100 * v[s][:, k, i].mean() / tot:11.1f}%" for s in SOURCES)
                print(
                    f"    t={truth.ts[k]:5.0f}s n={truth.occupancy[k, i]:3d} "
                    f"sd {np.sqrt(tot):5.2f} rmse {np.sqrt(e2[:, k, i].mean()):5.2f}{shares}"
                )


if __name__ == "__main__":
    main()
