"""The slow drift path's statistic on sound sensors, in zone events and on drifts.

Usage: python bench/drift_t_noise.py [--seeds 0,1,2] [--warmup-days 3] [--cache DIR]
                                     [--covariate on|off] [--slow-line ...]

The same simulated readings as ``bench/neighbour_drift.py`` (share its
``--cache``). Every hour, for every thermometer and hygrometer, the lines of
every window of :class:`~twin.analytics.anomaly.drift_trend.TrendEvidence`
(no threshold) are taken, and the strongest |t| among the lines that pass the
change and steepness tests is kept. Printed, per class of sensor-hour:

- sound: no drift on the sensor (or before it began), in the realistic run,
  and every sensor-hour of the zone-event run outside the event zones;
- event: a sensor of an event's zone, from the event's start to 48 h after
  its end (the dip stays in the windows that long);
- drift: each drifting sensor's |t| by hours since its drift began,

so a threshold is chosen from the noise (the sound and event maxima), not
from the drifts. The detector runs with reports off (a report would
re-anchor the evidence), so the statistic is seen uncensored; the change
and steepness tests are the default config's.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.drift_options import (  # noqa: E402
    add_run_options,
    add_switch_options,
    add_trend_options,
    trend_from,
    with_switches,
)
from bench.neighbour_drift import (  # noqa: E402
    KINDS,
    T0,
    drift_plan,
    events_for,
    short_kind,
    simulate,
    zone_of,
)
from simulators.faults import FaultKind  # noqa: E402
from twin.analytics.anomaly.drift_trend import DriftTrendConfig, TrendEvidence  # noqa: E402
from twin.analytics.anomaly.neighbour_drift import (  # noqa: E402
    DriftConfig,
    NeighbourDrift,
)
from twin.live_analytics.anomalies import drift_members  # noqa: E402
from twin.loader import load_sample  # noqa: E402
from twin.venue import SensorKind  # noqa: E402

__all__ = ["hourly_t", "main"]

_DAY = 86400.0
_JUDGED = (SensorKind.TEMPERATURE, SensorKind.HUMIDITY)


def hourly_t(
    names: list[str],
    i: np.ndarray,
    ts: np.ndarray,
    v: np.ndarray,
    trend: DriftTrendConfig | None = None,
    switches: DriftConfig | None = None,
) -> list[tuple[str, float, float]]:
    """(sensor, end of the hour judged, strongest |t| of a line passing the
    change and steepness tests; 0 if none) for every judged sensor-hour.
    ``switches``: the detector's other settings (default: the product's)."""
    venue = load_sample("museum-wing")
    # Nothing reported (so nothing re-anchored): the statistic uncensored.
    base = trend if trend is not None else DriftTrendConfig()
    others = switches if switches is not None else DriftConfig()
    quiet = replace(others, trend=replace(base, t_min=math.inf, hold_h=1), sigma=math.inf)
    nd = NeighbourDrift(drift_members(venue, quiet), quiet)  # as AnomalyWatch has them
    judged = {s.id for s in venue.sensors if s.kind in _JUDGED}
    evidence = {n: nd.evidence(n) for n in names if n in judged}
    seen = dict.fromkeys(evidence, 0)
    out: list[tuple[str, float, float]] = []
    for k, t, x in zip(i.tolist(), ts.tolist(), v.tolist(), strict=True):
        nd.update(names[k], t, x)
        # Any sensor of the group may have been judged by this reading.
        for n, ev in evidence.items():
            if ev is None or ev.hours == seen[n]:
                continue
            seen[n] = ev.hours
            out.append((n, (t // 3600.0) * 3600.0, _strongest(ev)))
    return out


def _strongest(ev: TrendEvidence) -> float:
    best = 0.0
    cfg = ev.config
    for trend in ev.fits(significant=False):
        if abs(trend.change) < cfg.min_change * trend.scale:
            continue
        if abs(trend.slope) > cfg.max_rate * trend.scale:
            continue
        best = max(best, abs(trend.t))
    return best


def _q(xs: list[float]) -> str:
    if not xs:
        return "none"
    a = np.asarray(xs)
    qs = np.percentile(a, [50, 99, 99.9])
    return f"n {len(a)}, median {qs[0]:.1f}, p99 {qs[1]:.1f}, p99.9 {qs[2]:.1f}, max {a.max():.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_options(parser)
    add_trend_options(parser)
    add_switch_options(parser)
    args = parser.parse_args(argv)
    trend = trend_from(args)
    switches = with_switches(args, DriftConfig())
    warm = args.warmup_days * _DAY
    zones = zone_of()
    sound: dict[str, list[float]] = {k: [] for k in KINDS}
    event: dict[str, list[float]] = {k: [] for k in KINDS}
    by_age: dict[int, list[float]] = {}
    for seed in [int(s) for s in args.seeds.split(",")]:
        plan = drift_plan(seed, warm, args.rh_drift)
        names, i, ts, v, truth = simulate(seed, warm + 4 * _DAY, plan, [], args.cache)
        drifts = {f.sensor: f for f in truth if f.kind is FaultKind.DRIFT and f.sensor in names}
        for s, t, stat in hourly_t(names, i, ts, v, trend, switches):
            if t < T0 + warm:
                continue
            kind = short_kind(s)
            f = drifts.get(s)
            if f is None or t < f.start:
                sound[kind].append(stat)
            elif kind == "temp":
                by_age.setdefault(int((t - f.start) // 3600.0), []).append(stat)
        events = events_for(warm)
        names_e, ie, tse, ve, _ = simulate(seed, warm + 3 * _DAY, None, events, args.cache)
        for s, t, stat in hourly_t(names_e, ie, tse, ve, trend, switches):
            if t < T0 + warm:
                continue
            kind = short_kind(s)
            hit = any(zones[s] == e.zone and e.start <= t <= e.end + 2 * _DAY for e in events)
            (event if hit else sound)[kind].append(stat)
    for kind in KINDS:
        print(f"{kind:4} sound sensor-hours |t|: {_q(sound[kind])}")
        print(f"{kind:4} event zones, start to end + 48 h |t|: {_q(event[kind])}")
    print("0.5 degC/week drifts: |t| by hours since the drift began (median, min of drifts)")
    for age in sorted(by_age):
        xs = by_age[age]
        if age <= 30 and (age % 2 == 0 or age >= 16):
            print(f"  {age:3d} h: median {np.median(xs):5.1f}  min {min(xs):5.1f}  n {len(xs)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
