"""Where the simulator's camera and tracker zones' band comes from, source by source (diagnostic).

Usage: ``PYTHONPATH=. python -m bench.camera_variance [--seeds 28 29] [--days 3]``

Runs ``bench.crowd_days``' simulated days (live defaults, realistic sensors)
and splits the filter's covariance ``P`` by the source that put it there, as
``bench/crowd_variance.py`` does for the real experiments
(``bench/variance_trace.py``). The camera's reading variance is
split into the terms ``direct_measurement`` adds (``direct_rel_sd n``,
``direct_abs_sd``, the occlusion coefficient's spread or the tracker
dropouts' binomial) and what the innovations' adaptation widened it by.

Beside it, per camera, what the readings really err by against the
simulator's truth: the corrected count minus the truth, its mean (the
systematic part, the miss share ``g``'s business) and the variance about
that mean (the random part, ``R``'s), against the ``R`` the filter used.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

import twin.live_analytics.crowd as live_crowd
from bench.crowd_days import feed_step, simulated_venue
from bench.variance_trace import Matrix, VarianceTrace
from twin.live_analytics import AnalyticsConfig
from twin.live_analytics.direct_counts import direct_measurements, step_values
from twin.venue import SensorKind

STEP_S = 10.0
CAMERA_PARTS = ("cam rel", "cam abs", "cam occl/drop", "cam adapt")
SOURCES = (
    "count noise",
    "b prior",
    "b drift",
    "g prior",
    "g drift",
    "turnover",
    *CAMERA_PARTS,
    "little",
    "empty",
    "start",
    "other",
)
# camera index -> (corrected count, the three variances direct_measurement adds), this step
LAST: dict[int, tuple[float, tuple[float, float, float]]] = {}


def reading_parts(
    values: list[float], tracker: bool, occupancy: float, area: float, cfg: AnalyticsConfig
) -> tuple[float, tuple[float, float, float]]:
    """direct_measurement's count and its variance, term by term (same formula)."""
    o = cfg.occupancy
    seen = sum(values) / len(values)
    if tracker:
        keep = max(0.5, 1.0 - cfg.tracker_dropout)
        n = seen / keep
        miss_var = n * (1.0 - keep) / keep  # the dropouts' binomial
    else:
        rho = occupancy / area
        n = seen / max(0.5, 1.0 - cfg.camera_undercount_per_density * rho)
        miss_var = (cfg.camera_undercount_sd * rho * n) ** 2
    return n, ((o.direct_rel_sd * n) ** 2, o.direct_abs_sd**2 / len(values), miss_var)


def recording_direct_measurements(
    pending: Mapping[str, list[tuple[float, float]]],
    zone_of: Mapping[str, str],
    trackers: Any,
    camera_index: Mapping[str, int],
    occupancy: Mapping[str, float],
    area: Mapping[str, float],
    cfg: AnalyticsConfig,
) -> dict[int, tuple[float, float]]:
    out = direct_measurements(pending, zone_of, trackers, camera_index, occupancy, area, cfg)
    for sensor, readings in pending.items():
        z = zone_of[sensor]
        n, parts = reading_parts(
            step_values(readings, cfg), sensor in trackers, occupancy[z], area[z], cfg
        )
        cam = camera_index[sensor]
        assert np.isclose(n, out[cam][0]) and np.isclose(sum(parts), out[cam][1] ** 2)
        LAST[cam] = (n, parts)
    return out


class Decomposing(VarianceTrace):
    """The filter's ``P`` split into ``SOURCES``, a camera reading's variance into its parts."""

    SOURCES = SOURCES
    PRIORS = ("start", "b prior", "g prior")
    SET_TO = "start"
    EMPTY = "empty"

    snaps: list[npt.NDArray[np.float64]]

    def _add_prediction_noise(self, qc: Matrix, rest: Matrix) -> None:
        nz, nb = self.n_zones, self.n_zones + self.graph.n_channels
        self.comps["count noise"] += qc
        d = np.diag(rest).copy()
        for name, sl in (("turnover", slice(0, nz)), ("b drift", slice(nz, nb))):
            self.comps[name][sl, sl] += np.diag(d[sl])
        self.comps["g drift"][nb:, nb:] += np.diag(d[nb:])
        self.comps["other"] += rest - np.diag(d)

    def _camera_r(
        self, cams: list[int], r_used: npt.NDArray[np.float64]
    ) -> dict[str, npt.NDArray[np.float64]]:
        parts = np.zeros((4, len(cams)))
        for row, cam in enumerate(cams):
            parts[:3, row] = LAST[cam][1]
            parts[3, row] = r_used[row] - parts[:3, row].sum()
        return dict(zip(CAMERA_PARTS, parts, strict=True))

    def _snapshot(self) -> npt.NDArray[np.float64]:
        nz = self.n_zones
        return np.array([np.diag(self.comps[s])[:nz] for s in SOURCES])


def run(name: str, seed: int, days: int) -> dict[str, Any]:
    """One venue, one seed: per scored step the sd^2 split, the error, and the camera residuals."""
    venue, sim, cfg = simulated_venue(name, seed, {})
    zones = [z.id for z in venue.zones]
    tracker = live_crowd.CrowdTracker(venue, cfg)
    est = tracker.estimator
    est.__class__ = Decomposing
    assert isinstance(est, Decomposing)
    est.start()
    direct = (SensorKind.PEOPLE_COUNT, SensorKind.PEOPLE_TRACKER)
    cams = [s for s in venue.sensors if s.kind in direct]
    ids = sim.sensor_ids
    n_day, n_open = round(86400 / STEP_S), round(11 * 3600 / STEP_S)
    err: list[list[float]] = []
    split: list[npt.NDArray[np.float64]] = []
    resid: dict[int, list[tuple[float, float, float]]] = {k: [] for k in range(len(cams))}
    for _ in range(days):
        for k in range(n_day):
            feed_step(sim, tracker, ids, STEP_S)
            LAST.clear()
            res = tracker.advance(sim.now)
            if k < n_open:
                by = {c.zone: c for c in res}
                truth = sim.occupancy()
                err.append([by[z].occupancy - truth[z] for z in zones])
                split.append(est.snaps[-1])
                hour = 8.0 + (k + 1) * STEP_S / 3600.0
                for cam, (n, parts) in LAST.items():
                    t = truth[cams[cam].zone]
                    if 9.0 < hour <= 17.0 and t > 0:
                        resid[cam].append((n - t, sum(parts), t))
            est.snaps.clear()
    return {
        "zones": zones,
        "cams": [(s.id, s.zone) for s in cams],
        "err": np.array(err),
        "split": np.array(split),  # (steps, sources, zones)
        "resid": {k: np.array(v) for k, v in resid.items()},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", type=int, nargs="+", default=[28])
    ap.add_argument("--days", type=int, default=3)
    ap.add_argument("--venue", nargs="+", default=["museum-wing", "scenic-site"])
    a = ap.parse_args()
    setattr(live_crowd, "direct_measurements", recording_direct_measurements)  # noqa: B010
    print(f"seeds {a.seeds}, {a.days} days; camera and tracker zones, occupied steps 09-17")
    head = "".join(f"{s[:11]:>12s}" for s in SOURCES)
    for name in a.venue:
        runs = [run(name, seed, a.days) for seed in a.seeds]
        zones, cams = runs[0]["zones"], runs[0]["cams"]
        n_open = round(11 * 3600 / STEP_S)
        hour = np.tile(8.0 + (np.arange(n_open) + 1) * STEP_S / 3600.0, a.days)
        opening = (hour > 9.0) & (hour <= 17.0)
        print(f"\n{name}: share of the mean sd^2 by source (%)")
        print(f"  {'zone':17s}{'sd':>6s}{'rms e':>7s}{head}  rms e/sd  in band")
        for zone in sorted({z for _, z in cams}):
            j = zones.index(zone)
            v = np.concatenate([r["split"][opening][:, :, j] for r in runs])  # (steps, sources)
            e = np.concatenate([r["err"][opening][:, j] for r in runs])
            tot = v.sum(axis=1)
            occ = tot > 0
            shares = "".join(
                f"{100 * v[occ, s].mean() / tot[occ].mean():11.1f}%" for s in range(len(SOURCES))
            )
            # rms error over rms sd (1 when calibrated); a mean of (e/sd)^2 is
            # ruled by the few steps of a near-empty zone whose sd is tiny.
            z2 = np.sqrt(np.mean(e[occ] ** 2) / tot[occ].mean())
            cover = np.mean(np.abs(e) <= 1.96 * np.sqrt(tot))
            print(
                f"  {zone:17s}{np.sqrt(tot[occ].mean()):6.2f}{np.sqrt(np.mean(e**2)):7.2f}"
                f"{shares}  {z2:8.2f}  {100 * cover:5.1f} %"
            )
        print("  camera readings (corrected) against the truth, occupied steps 09-17:")
        cols = f"{'truth':>7s}{'bias %':>8s}{'resid sd':>9s}{'R sd':>7s}{'var/R':>7s}"
        print(f"  {'camera':18s}{cols}")
        for k, (sid, _) in enumerate(cams):
            r = np.concatenate([run_["resid"][k] for run_ in runs if run_["resid"][k].size])
            d, rv, t = r[:, 0], r[:, 1], r[:, 2]
            # Each seed's own mean is the camera's systematic error (the state g's business).
            per = [x["resid"][k] for x in runs if x["resid"][k].size]
            centred = np.concatenate([p[:, 0] - p[:, 0].mean() for p in per])
            print(
                f"  {sid:18s}{t.mean():7.1f}{100 * d.sum() / t.sum():8.2f}"
                f"{centred.std():9.2f}{np.sqrt(rv.mean()):7.2f}"
                f"{np.mean(centred**2) / rv.mean():7.2f}"
            )


if __name__ == "__main__":
    main()
