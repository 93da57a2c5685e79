"""What teaches the counters' corrections, and how sure the filter is of them (diagnostic).

Usage: ``PYTHONPATH=. python -m bench.correction_trace [--seeds 28 29] [--days 1]
[--gain lagged|own|late|pool] [--booked] [--empty-once] [--hourly] [--quiet]``

Runs ``bench.crowd_days``' simulated days on one venue (live defaults,
realistic sensors) and, at 19:00 of each day (an hour into the night's
known-empty venue), prints per counting channel the crossings it counted
so far, the simulator's true correction, the learned one, its sd and the
z-score; and the variance of each correction, booked by what changed it:
its prior, its drift, and the decrease each kind of measurement made
(known-empty zones, cameras, the dwell prior), with ``--hourly`` per hour
of the day. The booked changes are checked to add up to the filter's
variance, so nothing else (the non-negativity projection, the folding of
``P`` back to symmetric) moves it. Pooled over seeds, the rms of the
z-scores (1 when the corrections' sd is calibrated).

``--gain`` replaces the expected count the estimator is given, see
:class:`Booking` (the mean and the misses' spread on the step's own
count, the gain on the given one); ``--booked`` instead puts the gain and
the spread on the channel's counts booked over 900 s
(``OccupancyConfig.miss_window_s``; ``--gain`` is then not used; the
measurement log, "The misses' spread on the expected count");
``--empty-once`` fuses each night's known-empty zero once instead of every
step. docs/measurements/crowd-log.md, "The corrections' overconfidence".
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from bench.crowd_days import feed_step, simulated_venue, true_corrections
from twin.analytics.crowd import OccupancyEstimator
from twin.live_analytics.crowd import CrowdTracker

STEP_S = 10.0
GAIN = "lagged"
POOL_S = 900.0
EMPTY_ONCE = False
KINDS = ("drift", "empty", "camera", "little", "other")


class Booking(OccupancyEstimator):
    """The estimator, booking each call's change of the corrections' variances by kind and hour.

    ``gain`` picks the count the corrections' gain uses (the mean always
    adds the step's own count times ``b``): ``lagged``, the live tracker's
    expected count (recent flow, as shipped); ``own``, the step's count;
    ``late``, the expected count plus the previous step's surprise (count
    minus expected); ``pool``, plus a share ``dt / POOL_S`` of the surprises
    not yet booked (``--pool-s``). Each is passed to the estimator as its
    ``expected``.
    """

    book: dict[str, np.ndarray]
    by_hour: dict[str, np.ndarray]
    calls: dict[str, int]
    gain: str
    hour: int

    def start(self, gain: str) -> None:
        nc = self.graph.n_channels
        self.book = {k: np.zeros(nc) for k in KINDS}
        self.by_hour = {k: np.zeros((24, nc)) for k in KINDS}
        self.calls = dict.fromkeys(KINDS, 0)
        self.gain, self.hour = gain, 0
        self._last = np.zeros(nc)  # the previous step's surprise
        self._unbooked = np.zeros(nc)
        self._empty_seen = False

    def _var(self) -> np.ndarray:
        nz = self.n_zones
        return np.diag(self.P)[nz : nz + self.graph.n_channels].copy()

    def _booked(self, kind: str, call: Any, *args: Any) -> None:
        before = self._var()
        call(*args)
        change = self._var() - before
        self.book[kind] += change
        self.by_hour[kind][self.hour] += change
        self.calls[kind] += 1

    def predict_vector(self, c: Any, dt_s: float, expected: Any = None) -> None:
        e = c if expected is None else expected
        h = e
        if self.gain == "own":
            h = c
        elif self.gain == "late":
            h = e + self._last
        elif self.gain == "pool":
            h = e + self._unbooked * (1.0 - np.exp(-dt_s / POOL_S))
        self._unbooked += c - h
        self._last = c - e
        if np.any(c):
            self._empty_seen = False  # people moved: a new night's zero to come
        self._booked("drift", super().predict_vector, c, dt_s, h)

    def observe_empty(self, zones: Any = None) -> None:
        if EMPTY_ONCE and self._empty_seen:
            return  # the night's zero already fused once
        self._empty_seen = True
        self._booked("empty", super().observe_empty, zones)

    def observe_cameras(self, readings: Any) -> None:
        self._booked("camera", super().observe_cameras, readings)

    def observe_many(self, obs: Any) -> None:
        self._booked("little", super().observe_many, obs)


def run(name: str, seed: int, days: int, overrides: dict[str, float]) -> list[dict[str, Any]]:
    venue, sim, cfg = simulated_venue(name, seed, overrides)
    tracker = CrowdTracker(venue, cfg)
    est = tracker.estimator
    est.__class__ = Booking
    assert isinstance(est, Booking)
    est.start(GAIN)
    nz, nc = est.n_zones, est.graph.n_channels
    prior = est._var()
    truth = true_corrections(sim, tracker)
    ids = sim.sensor_ids
    n_day, n_open = round(86400 / STEP_S), round(11 * 3600 / STEP_S)
    counted = np.zeros(nc)
    out = []
    for d in range(days):
        for k in range(n_day):
            feed_step(sim, tracker, ids, STEP_S)
            before = tracker._pending.copy()
            est.hour = int(8 + (k + 1) * STEP_S / 3600.0) % 24
            tracker.advance(sim.now)
            counted += before
            if k == n_open:
                booked = prior + sum(est.book.values())
                assert np.allclose(booked, est._var(), rtol=1e-6, atol=1e-12), "unbooked change"
                x = est.x[nz : nz + nc].copy()
                out.append(
                    {
                        "day": d + 1,
                        "x": x,
                        "P": est.P[nz : nz + nc, nz : nz + nc].copy(),
                        "true": np.array([truth[j] for j in range(nc)]),
                        "counted": counted.copy(),
                        "book": {k_: v.copy() for k_, v in est.book.items()},
                        "by_hour": {k_: v.copy() for k_, v in est.by_hour.items()},
                        "calls": dict(est.calls),
                        "prior": prior,
                        "names": [est.graph.channel_name(j) for j in range(nc)],
                    }
                )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", type=int, nargs="+", default=[28])
    ap.add_argument("--days", type=int, default=1)
    ap.add_argument("--venue", default="scenic-site")
    ap.add_argument("--quiet", action="store_true", help="pooled figures only")
    ap.add_argument("--pool-s", type=float, default=900.0, help="--gain pool: booking window")
    ap.add_argument(
        "--empty-once", action="store_true", help="fuse each night's known-empty zero once"
    )
    ap.add_argument("--hourly", action="store_true", help="camera and empty booking per hour")
    ap.add_argument("--set", nargs="*", default=[], metavar="FIELD=VALUE")
    ap.add_argument(
        "--booked",
        action="store_true",
        help="gain and spread on the counts booked over 900 s (miss_window_s=900, the default "
        "since 2026-12); without it the --gain variants run with miss_window_s=0",
    )
    ap.add_argument(
        "--gain",
        choices=("lagged", "own", "late", "pool"),
        default="lagged",
        help="the count the corrections' gain uses (see Booking); lagged is the estimator's",
    )
    a = ap.parse_args()
    global GAIN, POOL_S, EMPTY_ONCE
    GAIN, POOL_S, EMPTY_ONCE = a.gain, a.pool_s, a.empty_once
    overrides = {k: float(v) for k, v in (s.split("=") for s in a.set)}
    if a.booked:
        overrides["miss_window_s"] = 900.0
    else:  # the --gain variants need the option off (it was, as shipped, until 2026-12)
        overrides.setdefault("miss_window_s", 0.0)
    model = "booked" if a.booked else "--gain variant"
    print(
        f"{a.venue}, seeds {a.seeds}, {a.days} days, {model}, gain {a.gain}; overrides {overrides}"
    )
    zs: dict[int, list[np.ndarray]] = {}
    for seed in a.seeds:
        for r in run(a.venue, seed, a.days, overrides):
            sd = np.sqrt(np.diag(r["P"]))
            z = (r["x"] - r["true"]) / sd
            zs.setdefault(r["day"], []).append(z)
            if a.quiet:
                continue
            print(f"\nseed {seed}, after night {r['day']}: calls {r['calls']}")
            head = "".join(f"{k:>9s}" for k in ("prior", *KINDS))
            print(
                f"  {'channel':26s}{'counted':>8s}{'true':>7s}{'learned':>8s}{'sd':>7s}"
                f"{'z':>7s}  variance (1e-6):{head}"
            )
            for j, name in enumerate(r["names"]):
                parts = "".join(f"{1e6 * r['book'][k][j]:9.1f}" for k in KINDS)
                print(
                    f"  {name:26s}{r['counted'][j]:8.0f}{100 * r['true'][j]:6.2f}%"
                    f"{100 * r['x'][j]:7.2f}%{100 * sd[j]:6.2f}%{z[j]:+7.2f}"
                    f"  {'':16s}{1e6 * r['prior'][j]:9.1f}{parts}"
                )
            if a.hourly:
                print("  camera + empty booking per hour of the day (1e-6), 08-19 h:")
                for j, name in enumerate(r["names"]):
                    per = r["by_hour"]["camera"][:, j] + r["by_hour"]["empty"][:, j]
                    print(f"  {name:26s}" + "".join(f"{1e6 * v:7.0f}" for v in per[8:20]))
    for day, rows in sorted(zs.items()):
        arr = np.array(rows)
        per_seed = np.sqrt(np.mean(arr**2, axis=1))
        print(
            f"after night {day}: rms z over {arr.size} channel-seeds {np.sqrt(np.mean(arr**2)):.2f}"
            f"; per seed " + " ".join(f"{v:.2f}" for v in per_seed)
        )


if __name__ == "__main__":
    main()
