"""Why the entrance hall's estimate leaves its band while its tracker is offline.

    python -m bench.tracker_outages --seeds 16 --explain

During an outage the hall is tracked on its counters alone. Its error at the
end of each outage (counters only since the last step before it) is split into:

- ``start``: the error when the tracker went offline;
- ``counts``: the counters' own misses and double counts in the outage, what
  the crossings reported would be off by with each counter's true rate
  applied (``sum_j s_j (r_j (1 + b_j) - t_j)``, ``s_j`` +1 into the hall, -1
  out of it, ``r`` reported, ``t`` true crossings, ``b_j = 1 / (1 - m_j +
  d_j) - 1`` from the simulator's miss and double rates);
- ``corrections``: what the learned corrections at the outage's start get
  wrong on those counts (``sum_j s_j r_j (b^_j - b_j)``); ``prior``: the same
  with the prior correction in place of the learned one;
- ``other``: the rest (the estimator's other terms; near 0 when the parts
  above explain the error).

Each part is set against the sd the estimator carries for it (the start's sd,
``count_rel_sd sqrt(sum r)``, ``sqrt(w^T P_b w)`` with ``w = s r``), and the
count part also against its exact binomial sd from the true rates. A ratio
(rms of part / sd) near 1 is a calibrated part; the summary pools all outages.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from bench.tracker_outages import HALL, outage_steps, simulate
from ingest.contract import Reading, TrackFrame
from simulators.simulator import VenueSimulator
from twin.live_analytics import AnalyticsConfig, VenueAnalytics
from twin.live_analytics.counting_layout import counter_channels
from twin.live_analytics.crowd import CrowdTracker


class _Hall:
    """Per hall step: reported and true crossings per hall channel, corrections and their P."""

    def __init__(self, sim: VenueSimulator, va: VenueAnalytics) -> None:
        assert isinstance(va.crowd, CrowdTracker)
        est = va.crowd.estimator
        venue = sim.venue
        row = est.graph.incidence[est.graph.zone_index[HALL]]
        self.channels = np.flatnonzero(row != 0)
        self.sign = row[self.channels].astype(float)
        self.sensors: dict[str, int] = {}  # counter -> position among the hall's channels
        self.rows: dict[int, list[int]] = {}  # position -> sensor rows of the simulator
        row_of = {s.id: k for k, s in enumerate(venue.sensors)}
        for sensor, ch in counter_channels(venue).items():
            k = row_of[sensor]
            if ch in self.channels:
                pos = int(np.flatnonzero(self.channels == ch)[0])
                self.sensors[sensor] = pos
                self.rows.setdefault(pos, []).append(k)
        self.gates = [venue.gates[ch // 2].id for ch in self.channels.tolist()]
        m, d = sim.sensing.miss, sim.sensing.double
        self.b_true = np.array(
            [np.mean(1.0 / (1.0 - m[r] + d[r]) - 1.0) for r in self.rows.values()]
        )
        self.var_true = np.array(
            [np.mean((m[r] * (1 - m[r]) + d[r]) / (1 - m[r]) ** 2) for r in self.rows.values()]
        )
        self.latest: dict[str, float] = {}
        self.reported: list[np.ndarray] = []
        self.true: list[np.ndarray] = []
        self.b: list[np.ndarray] = []
        self.pb: list[np.ndarray] = []

    def probe(
        self, sim: VenueSimulator, va: VenueAnalytics, batch: list[Reading | TrackFrame]
    ) -> None:
        for r in batch:
            if isinstance(r, Reading) and r.sensor in self.sensors:
                self.latest[r.sensor] = r.value
        rep = np.zeros(len(self.channels))
        for s, pos in self.sensors.items():
            rep[pos] += self.latest.get(s, 0.0) / len(self.rows[pos])
        counts = sim.gate_counts()
        self.reported.append(rep)
        self.true.append(
            np.array(
                [counts[g][int(ch % 2)] for g, ch in zip(self.gates, self.channels, strict=True)]
            )
        )
        assert isinstance(va.crowd, CrowdTracker)
        est = va.crowd.estimator
        j = est.n_zones + self.channels
        self.b.append(est.x[j].copy())
        self.pb.append(est.P[np.ix_(j, j)].copy())


class _Probe:
    """Builds the hall's record at the first step, then fills it."""

    def __init__(self) -> None:
        self.hall: _Hall | None = None

    def __call__(
        self, sim: VenueSimulator, va: VenueAnalytics, batch: list[Reading | TrackFrame]
    ) -> None:
        if self.hall is None:
            self.hall = _Hall(sim, va)
        self.hall.probe(sim, va, batch)


def explain(seeds: Iterable[int], hours: float) -> None:
    print(
        "seed steps in-band  error    sd | start counts corrections other"
        " | sd: start counts(exact) corrections | prior"
    )
    parts: dict[str, list[float]] = {
        k: [] for k in ("err", "start", "counts", "exact", "corr", "prior")
    }
    for seed in seeds:
        probe = _Probe()
        a, sim = simulate(seed, hours, probe)
        assert probe.hall is not None
        h = probe.hall
        cfg = AnalyticsConfig().occupancy  # the bench's configuration
        rel_sd = cfg.count_rel_sd
        prior_b = cfg.counter_miss_rate / (1.0 - cfg.counter_miss_rate)
        for sel in outage_steps(a[:, 0], sim):
            i0, i1 = int(sel[0]) - 1, int(sel[-1])
            rep = h.reported[i1] - h.reported[i0]
            tru = h.true[i1] - h.true[i0]
            w = h.sign * rep
            err = a[i1, 1] - a[i1, 3]
            start = a[i0, 1] - a[i0, 3]
            counts = float(h.sign @ (rep * (1.0 + h.b_true) - tru))
            corr = float(w @ (h.b[i0] - h.b_true))
            prior = float(w @ (prior_b - h.b_true))
            sds = (
                a[i0, 2],
                rel_sd * float(np.sqrt(rep.sum())),
                float(np.sqrt(h.var_true @ tru)),
                float(np.sqrt(w @ h.pb[i0] @ w)),
                cfg.bias_sd_initial * float(np.sqrt(w @ w)),
            )
            inside = np.mean(np.abs(a[sel, 1] - a[sel, 3]) <= 1.96 * a[sel, 2])
            print(
                f"{seed:4d} {sel.size:5d} {inside:7.0%} {err:6.2f} {a[i1, 2]:5.2f} | "
                f"{start:5.2f} {counts:6.2f} {corr:11.2f} {err - start - counts - corr:5.2f} | "
                f"{sds[0]:9.2f} {sds[1]:6.2f}({sds[2]:.2f}) {sds[3]:11.2f} | "
                f"{prior:5.2f} +- {sds[4]:.2f}"
            )
            for key, v, sd in (
                ("err", err, a[i1, 2]),
                ("start", start, sds[0]),
                ("counts", counts, sds[1]),
                ("exact", counts, sds[2]),
                ("corr", corr, sds[3]),
                ("prior", prior, sds[4]),
            ):
                parts[key].append(v / sd)
    names = {
        "err": "error / reported sd",
        "start": "start / its sd",
        "counts": "counts / model sd",
        "exact": "counts / exact binomial sd",
        "corr": "corrections (learned) / sd from P",
        "prior": "corrections (prior) / prior sd",
    }
    print(f"pooled over {len(parts['err'])} outages, rms of each ratio (1 = calibrated):")
    for key, label in names.items():
        print(f"  {label:36s} {np.sqrt(np.mean(np.square(parts[key]))):.2f}")
