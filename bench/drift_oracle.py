"""An oracle's drift figure: a slope at the known onset, against the same residual.

Usage: python bench/drift_oracle.py [--seeds 0,1,2] [--warmup-days 3] [--cache DIR]
                                    [--rh-drift 1] [--product FILE ...] [--save FILE]
                                    [--load FILE ...]

Diagnostic only (drift62): how far the product's "within 24 h" is from what
the residual allows. The same simulated readings as ``bench/neighbour_drift.py``
(share its ``--cache``). Every hour, each thermometer's and hygrometer's
residual is taken from :class:`~twin.analytics.anomaly.neighbour_drift.NeighbourDrift`
itself (its step against the mates' median, summed per hour of the day, less
that hour of the day's usual level: what its slow path fits), hooked as
``bench/drift_t_noise.py`` does it, with reports off. So the residual differs
from the running detector's in what a report does: no re-anchoring (the
running detector clears its evidence after a report, the oracle does not
need it), and a reported or half-way sensor stays in its mates' medians (the
running detector leaves it out for a week, which makes the mates' residual a
little cleaner after a report; before the first report of a drift, which is
all this bench judges, the two are the same but for the half-way rule).

The oracle knows each drift's onset (the plan's start) and, ``n`` hours after
it, takes the least-squares slope (degC or %RH per hour) of the hourly
residual over the whole hours since the onset, with the line's intercept
pinned at the mean residual of the 48 hours before the onset's hour (the
hour it falls in is in neither part; two whole days: each hour
of the day counts alike, and the pinned level's noise is about half the ramp
hours' in the slope), the regressor being each hour's mean time since the
onset. Not a t: no scatter estimate, so none of its noise. A second,
weighted slope weighs each hour by 1 / (its sensor and hour of the day's
scatter)^2, learnt from the sound hours of all the seeds given (an oracle's
privilege: a product would learn it online and from its own past only).
Two more, added after the first two's figures (drift62): "trimmed", the
weighted slope refitted once without the hours more than 3 scatters off a
first line (a weighted median of the hours' slopes), as the product's
agreeing line drops a busy afternoon; and "plain t", the plain slope over
its standard error from the scatter about the pinned line.

Its null: the same statistic with an "onset" at every hour boundary of every
sound sensor (no drift, or with the window ending before the drift began), for
``n`` = 1..48 hours; a window of a sensor in an event's zone that overlaps the
event or the 24 h after it is an event window, counted apart. The bar at
``n`` is the larger of the sound and event maxima of |slope| at ``n``; the
product's margin rule asks 1.1 x it; printed too with the bar from the sound
windows alone. A drift is found within 24 h if at some
``n`` whose hours end within 24 h of the onset its |slope| reaches that
``n``'s bar. ``--product`` reads ``bench/neighbour_drift.py`` outputs for the
product's per-drift delays, printed beside the oracle's. ``--save`` keeps the
hourly residuals (an .npz), ``--load`` reads them instead of simulating.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.drift_options import add_run_options  # noqa: E402
from bench.neighbour_drift import (  # noqa: E402
    KINDS,
    drift_plan,
    events_for,
    short_kind,
    simulate,
    zone_of,
)
from simulators.faults import FaultKind  # noqa: E402
from twin.analytics.anomaly.drift_trend import DriftTrendConfig  # noqa: E402
from twin.analytics.anomaly.neighbour_drift import (  # noqa: E402
    DriftConfig,
    NeighbourDrift,
)
from twin.analytics.anomaly.robust_scale import mad_sd  # noqa: E402
from twin.live_analytics.anomalies import drift_members  # noqa: E402
from twin.loader import load_sample  # noqa: E402
from twin.venue import SensorKind  # noqa: E402

__all__ = ["hourly_residuals", "main", "pinned_slope", "ramp_x"]

_DAY = 86400.0
_H = 3600.0
_JUDGED = (SensorKind.TEMPERATURE, SensorKind.HUMIDITY)
PRE_H = 48  # hours before the onset's hour whose mean pins the intercept
MAX_N = 48  # ramp lengths judged, in hours
TRIM = 3.0  # the trimmed slope's cut, in the hour's scatters (the product's agree_trim)


def pinned_slope(
    y: np.ndarray,
    x: np.ndarray,
    level: float,
    w: np.ndarray | None = None,
    trim: float | None = None,
) -> tuple[float, float]:
    """Least-squares slope of ``y - level`` on ``x`` through the origin (NaN
    hours left out; ``w``: weights, 1 / scatter^2), and its standard error
    from the scatter about the line (the statistic is the slope alone; the
    error is for tests). ``trim``: refit once without the hours more than
    that many of their scatters (1 / sqrt(w)) off the first line."""
    ok = ~np.isnan(y)
    if w is not None:
        ok &= ~np.isnan(w)
    if trim is not None and w is not None and np.any(ok & (x > 0)):
        # The first line from a weighted median, not least squares: one wild
        # hour would tilt a least-squares start and trim the sound hours.
        ratio = np.where(ok & (x > 0), (y - level) / np.where(x > 0, x, 1.0), np.nan)
        first = float(weighted_median(ratio[None, :], np.where(ok, w * x * x, 0.0)[None, :])[0])
        off = np.abs(np.where(ok, y - level - first * x, 0.0)) * np.sqrt(np.where(ok, w, 0.0))
        ok &= off <= trim
    ys, xs = y[ok] - level, x[ok]
    ws = w[ok] if w is not None else np.ones_like(xs)
    sxx = float(np.sum(ws * xs * xs))
    if xs.size == 0 or sxx <= 0.0:
        return math.nan, math.nan
    slope = float(np.sum(ws * xs * ys)) / sxx
    if xs.size < 2:
        return slope, math.nan
    scatter = float(np.sum(ws * (ys - slope * xs) ** 2)) / (xs.size - 1)
    return slope, math.sqrt(scatter / sxx)


def weighted_median(v: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Each row's weighted median of ``v`` (NaN or weight 0: left out; NaN if none)."""
    w = np.where(np.isnan(v), 0.0, w)
    order = np.argsort(np.where(np.isnan(v), np.inf, v), axis=1)
    vs = np.take_along_axis(v, order, axis=1)
    cw = np.cumsum(np.take_along_axis(w, order, axis=1), axis=1)
    half = cw[:, -1:] / 2.0
    k = np.minimum(np.argmax(cw >= half, axis=1), v.shape[1] - 1)
    out = vs[np.arange(v.shape[0]), k]
    out[cw[:, -1] <= 0.0] = np.nan
    result: np.ndarray = out
    return result


def ramp_x(first_hour: int, count: int, onset_s: float) -> np.ndarray:
    """Each hour's mean time since the onset (hours; 0 before it): the drift's
    share of that hour's mean, per unit rate. Hour ``h`` covers [h, h + 1) h."""
    start = (first_hour + np.arange(count)) * _H
    after = np.clip((start + _H - onset_s) / _H, 0.0, 1.0)  # the part of the hour after it
    # Wholly after: the midpoint's age; partly: its part's mean age times the part.
    whole = (start + _H / 2 - onset_s) / _H
    return np.where(after >= 1.0, whole, after * after / 2.0)


@dataclass
class Run:
    """One simulated run's hourly residuals: ``res[sensor][h - h0]`` (NaN: none)."""

    seed: int
    events: bool
    h0: int
    res: dict[str, np.ndarray]
    drifts: dict[str, tuple[float, float]] = field(default_factory=dict)  # start s, rate/h
    event_zones: list[tuple[str, float, float]] = field(default_factory=list)


def hourly_residuals(
    names: list[str], i: np.ndarray, ts: np.ndarray, v: np.ndarray
) -> tuple[int, dict[str, np.ndarray]]:
    """The slow path's hourly residual of every judged sensor, reports off:
    (first hour, sensor -> residual per hour from it, NaN where none)."""
    venue = load_sample("museum-wing")
    # No report of either path (hold_h 1: no run rule at a lower bar either).
    quiet = DriftConfig(trend=DriftTrendConfig(t_min=math.inf, hold_h=1), sigma=math.inf)
    nd = NeighbourDrift(drift_members(venue, quiet), quiet)  # as AnomalyWatch has them
    judged = {s.id for s in venue.sensors if s.kind in _JUDGED}
    evidence = {n: nd.evidence(n) for n in names if n in judged}
    seen = dict.fromkeys(evidence, 0)
    got: dict[str, dict[int, float]] = {n: {} for n in evidence}
    for k, t, x in zip(i.tolist(), ts.tolist(), v.tolist(), strict=True):
        nd.update(names[k], t, x)
        for n, ev in evidence.items():
            if ev is None or ev.hours == seen[n]:
                continue
            new, seen[n] = ev.hours - seen[n], ev.hours
            # Judged at the first reading after its hour ends: the hour before this one.
            last = int(t // _H) - 1
            for j, r in enumerate(ev.last(new)):
                got[n][last - new + 1 + j] = r
    h0 = int(ts.min() // _H)
    h1 = int(ts.max() // _H) + 1
    out = {}
    for n, by_h in got.items():
        arr = np.full(h1 - h0, math.nan)
        for h, r in by_h.items():
            arr[h - h0] = r
        out[n] = arr
    return h0, out


def collect(seeds: Sequence[int], warm: float, rh_drift: float, cache: Path | None) -> list[Run]:
    runs = []
    for seed in seeds:
        plan = drift_plan(seed, warm, rh_drift)
        names, i, ts, v, truth = simulate(seed, warm + 4 * _DAY, plan, [], cache)
        h0, res = hourly_residuals(names, i, ts, v)
        drifts = {
            f.sensor: (f.start, float(f.params["rate_per_h"]))
            for f in truth
            if f.kind is FaultKind.DRIFT and f.sensor in res
        }
        runs.append(Run(seed, False, h0, res, drifts))
        events = events_for(warm)
        names_e, ie, tse, ve, _ = simulate(seed, warm + 3 * _DAY, None, events, cache)
        h0e, rese = hourly_residuals(names_e, ie, tse, ve)
        zones = [(e.zone, e.start, e.end) for e in events]
        runs.append(Run(seed, True, h0e, rese, event_zones=zones))
        print(f"seed {seed}: residuals taken", flush=True)
    return runs


def save(path: Path, runs: list[Run]) -> None:
    arrays: dict[str, np.ndarray] = {}
    for k, r in enumerate(runs):
        tag = f"r{k}"
        arrays[f"{tag}.meta"] = np.array([r.seed, int(r.events), r.h0], dtype=np.int64)
        for s, a in r.res.items():
            arrays[f"{tag}.res.{s}"] = a
        for s, (start, rate) in r.drifts.items():
            arrays[f"{tag}.drift.{s}"] = np.array([start, rate])
        for z, (zone, begin, end) in enumerate(r.event_zones):
            arrays[f"{tag}.event.{z}.{zone}"] = np.array([begin, end])
    np.savez(path, **arrays)  # type: ignore[arg-type]


def load(path: Path) -> list[Run]:
    z = np.load(path)
    runs: dict[str, Run] = {}
    for key in sorted(z.files, key=lambda k: k.endswith(".meta"), reverse=True):
        tag, what, rest = key.split(".", 2) if key.count(".") >= 2 else (*key.split("."), "")
        if what == "meta":
            seed, ev, h0 = (int(x) for x in z[key])
            runs[tag] = Run(seed, bool(ev), h0, {})
        elif what == "res":
            runs[tag].res[rest] = z[key]
        elif what == "drift":
            runs[tag].drifts[rest] = (float(z[key][0]), float(z[key][1]))
        else:  # event.<k>.<zone>
            zone = rest.split(".", 1)[1]
            runs[tag].event_zones.append((zone, float(z[key][0]), float(z[key][1])))
    return [runs[t] for t in sorted(runs, key=lambda t: int(t[1:]))]


def scatter_by_slot(runs: list[Run], warm_h: int) -> dict[str, np.ndarray]:
    """Each sensor's robust scatter of its residual per hour of the day, from
    its sound hours of every run (outside events and before any drift)."""
    zones = zone_of()
    pooled: dict[str, list[list[float]]] = {}
    for r in runs:
        for s, a in r.res.items():
            slots = pooled.setdefault(s, [[] for _ in range(24)])
            zone = zones[s]
            for j, y in enumerate(a.tolist()):
                h = r.h0 + j
                if math.isnan(y) or h - r.h0 < warm_h:
                    continue
                if s in r.drifts and (h + 1) * _H > r.drifts[s][0]:
                    continue
                if any(
                    z == zone and a0 <= (h + 1) * _H and h * _H <= b + _DAY
                    for z, a0, b in r.event_zones
                ):
                    continue
                slots[h % 24].append(y)
    out = {}
    for s, slots in pooled.items():
        out[s] = np.asarray([mad_sd(xs) if len(xs) > 5 else math.nan for xs in slots])
    return out


def _weights(h0: int, count: int, sd: np.ndarray | None) -> np.ndarray | None:
    if sd is None:
        return None
    slots = (h0 + np.arange(count)) % 24
    weights: np.ndarray = 1.0 / np.maximum(sd[slots], 1e-9) ** 2
    return weights


def slopes(
    a: np.ndarray,
    h0: int,
    onset_s: float,
    sd: np.ndarray | None,
    trim: float | None = None,
    as_t: bool = False,
) -> list[tuple[int, float, float]]:
    """(n, hours since the onset at the end of the n-th whole hour after it,
    |slope|) for n = 1..MAX_N, as far as the residual goes. The hour the
    onset falls in is in neither part (pre: the 48 h before it; ramp: from
    the next), so the ramp's design is the null's but for an offset under an
    hour, and one partial hour's tiny regressor cannot set the slope."""
    oh = math.ceil(onset_s / _H)  # the first whole hour after the onset
    pre_end = int(onset_s // _H) - h0
    j = oh - h0
    if pre_end - PRE_H < 0:
        return []
    pre = a[pre_end - PRE_H : pre_end]
    if np.sum(~np.isnan(pre)) < PRE_H // 2:
        return []
    level = float(np.nanmean(pre))
    out = []
    for n in range(1, MAX_N + 1):
        if j + n > a.size:
            break
        x = ramp_x(oh, n, onset_s)
        w = _weights(oh, n, sd)
        b, se = pinned_slope(a[j : j + n], x, level, w, trim)
        stat = abs(b) / se if as_t and se > 0.0 else abs(b) if not as_t else math.nan
        if not math.isnan(stat):
            out.append((n, ((oh + n) * _H - onset_s) / _H, stat))
    return out


def null_slopes(
    a: np.ndarray,
    h0: int,
    first: int,
    sd: np.ndarray | None,
    trim: float | None = None,
    as_t: bool = False,
) -> np.ndarray:
    """|slope| for an onset at the start of every hour from index ``first``
    on (row) and n = 1..MAX_N (column); NaN where the residual does not reach.
    ``trim`` (with ``sd``): as :func:`pinned_slope`'s, per n; ``as_t``: the
    slope over its standard error in place of the slope."""
    pad = np.concatenate([a, np.full(MAX_N, math.nan)])
    onsets = np.arange(first, a.size)
    pre = np.lib.stride_tricks.sliding_window_view(pad, PRE_H)[onsets - PRE_H]
    held = np.sum(~np.isnan(pre), axis=1)
    level = np.nansum(pre, axis=1) / np.maximum(held, 1)
    level[held < PRE_H // 2] = math.nan
    ramp = np.lib.stride_tricks.sliding_window_view(pad, MAX_N)[onsets]
    x = np.arange(MAX_N) + 0.5  # each hour's mean age after an onset at its start
    w = np.ones_like(ramp)
    if sd is not None:
        per_hour = 1.0 / np.maximum(sd[(h0 + np.arange(pad.size)) % 24], 1e-9) ** 2
        w = np.lib.stride_tricks.sliding_window_view(per_hour, MAX_N)[onsets]
    ok = ~np.isnan(ramp) & ~np.isnan(w)
    dev = np.where(ok, ramp - level[:, None], 0.0)
    ww = np.where(ok, w, 0.0)
    den = np.cumsum(ww * x * x, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        num = np.cumsum(ww * x * dev, axis=1)
        out = np.abs(num / den)
        if as_t:
            ss = np.cumsum(ww * dev * dev, axis=1) - num / den * num
            m = np.cumsum(ww > 0, axis=1)
            out = out / np.sqrt(np.maximum(ss, 0.0) / (m - 1) / den)
        if trim is not None and sd is not None:
            ratio = np.where(ww > 0, dev / x, np.nan)
            for n in range(1, MAX_N + 1):
                line0 = weighted_median(ratio[:, :n], ww[:, :n] * x[:n] * x[:n])
                off = np.abs(dev[:, :n] - line0[:, None] * x[:n]) * np.sqrt(ww[:, :n])
                kw = np.where(off <= trim, ww[:, :n], 0.0)
                d = np.sum(kw * x[:n] * x[:n], axis=1)
                nu = np.sum(kw * x[:n] * dev[:, :n], axis=1)
                out[:, n - 1] = np.abs(nu / d)
                if as_t:
                    ss_n = np.sum(kw * dev[:, :n] ** 2, axis=1) - nu / d * nu
                    m_n = np.sum(kw > 0, axis=1)
                    out[:, n - 1] /= np.sqrt(np.maximum(ss_n, 0.0) / (m_n - 1) / d)
                den[:, n - 1] = d
    # A window reaching past the residual's end is not judged.
    reach = np.arange(MAX_N)[None, :] + onsets[:, None] < a.size
    return np.where(reach & (den > 0) & ~np.isnan(level)[:, None], out, math.nan)


def null(
    runs: list[Run],
    warm_h: int,
    sds: dict[str, np.ndarray] | None,
    trim: float | None = None,
    as_t: bool = False,
) -> dict[tuple[str, str], np.ndarray]:
    """(kind, "sound"|"event") -> max |slope| per n (index n - 1); with
    "-n" appended: how many windows. A window from 48 h before the onset to
    its n-th hour is an event's if its sensor's zone has an event that
    overlaps it or ended under 24 h before it; one that reaches a drift's
    start is not counted at all."""
    zones = zone_of()
    out: dict[tuple[str, str], np.ndarray] = {}
    for key in [(k, c) for k in KINDS for c in ("sound", "event")]:
        out[key] = np.zeros(MAX_N)
        out[(key[0], key[1] + "-n")] = np.zeros(MAX_N, dtype=np.int64)
    ns = np.arange(1, MAX_N + 1)
    for r in runs:
        first = warm_h  # onsets in the judged days only, as drift_t_noise.py
        for s, a in r.res.items():
            if a.size <= first:
                continue
            sd = sds.get(s) if sds is not None else None
            b = null_slopes(a, r.h0, first, sd, trim, as_t)
            onset = (r.h0 + np.arange(first, a.size)) * _H
            end = onset[:, None] + ns[None, :] * _H
            lo = onset - PRE_H * _H
            keep = ~np.isnan(b)
            if s in r.drifts:
                keep &= end <= r.drifts[s][0]
            hit = np.zeros_like(keep)
            for z, a0, b1 in r.event_zones:
                if z == zones[s]:
                    hit |= (a0 < end) & (lo < b1 + _DAY)[:, None]
            kind = short_kind(s)
            for cls, mask in (("sound", keep & ~hit), ("event", keep & hit)):
                col = np.where(mask, b, 0.0).max(axis=0)
                out[(kind, cls)] = np.maximum(out[(kind, cls)], col)
                out[(kind, cls + "-n")] += mask.sum(axis=0)
    return out


_REPORT = re.compile(r"([\w-]+) (missed|([\d.]+) h)")


def product_delays(paths: Sequence[Path]) -> dict[tuple[int, str], float]:
    """(seed, sensor) -> the product's first report's delay (inf: missed)."""
    out: dict[tuple[int, str], float] = {}
    for p in paths:
        for line in p.read_text().splitlines():
            m = re.match(r"seed (\d+): .*first report after (.*); events", line)
            if not m:
                continue
            for sensor, what, h in _REPORT.findall(m.group(2)):
                out[(int(m.group(1)), sensor)] = math.inf if what == "missed" else float(h)
    return out


def judge(
    runs: list[Run],
    bars: dict[str, np.ndarray],
    sds: dict[str, np.ndarray] | None,
    product: dict[tuple[int, str], float],
    label: str,
    trim: float | None = None,
    as_t: bool = False,
) -> None:
    """Each drift's slope at 24 h, its first crossing of the bar and of 1.1 x
    it, and the fractions within 24 h, beside the product's."""
    within: dict[tuple[str, float], int] = {}
    total = dict.fromkeys(KINDS, 0)
    prod = dict.fromkeys(KINDS, 0)
    lines = []
    for r in runs:
        for s, (start, rate) in sorted(r.drifts.items()):
            kind = short_kind(s)
            sd = sds.get(s) if sds is not None else None
            got = slopes(r.res[s], r.h0, start, sd, trim, as_t)
            first = {}
            for m in (1.0, 1.1):
                hit = [age for n, age, b in got if b >= m * bars[kind][n - 1]]
                first[m] = min(hit) if hit else math.inf
                within[(kind, m)] = within.get((kind, m), 0) + (first[m] <= 24.0)
            day = [(b, b / bars[kind][n - 1]) for n, age, b in got if age <= 24.0]
            at24, ratio = day[-1] if day else (math.nan, math.nan)
            total[kind] += 1
            p = product.get((r.seed, s), math.nan)
            prod[kind] += p <= 24.0
            size = f"|t| {at24:.1f}" if as_t else f"|slope| {at24 / abs(rate):.2f} x the rate"
            lines.append(
                f"  seed {r.seed} {s}: at 24 h {size}, {ratio:.2f} x the bar; "
                f"first at the bar {first[1.0]:.1f} h, at 1.1 x {first[1.1]:.1f} h; "
                f"product {p:.1f} h"
            )
    print(f"{label}: per drift")
    print("\n".join(lines))
    for kind in KINDS:
        print(
            f"{label} {kind}: within 24 h at the bar {within.get((kind, 1.0), 0)} of "
            f"{total[kind]}, at 1.1 x {within.get((kind, 1.1), 0)} of {total[kind]}; "
            f"product {prod[kind]} of {total[kind]}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_options(parser)
    parser.add_argument("--product", type=Path, nargs="*", default=[])
    parser.add_argument("--save", type=Path, default=None)
    parser.add_argument("--load", type=Path, nargs="*", default=[])
    args = parser.parse_args(argv)
    warm = args.warmup_days * _DAY
    warm_h = int(warm // _H)
    if args.load:
        runs = [r for p in args.load for r in load(p)]
    else:
        runs = collect([int(s) for s in args.seeds.split(",")], warm, args.rh_drift, args.cache)
    if args.save is not None:
        save(args.save, runs)
    product = product_delays(args.product)
    print(f"{len(runs) // 2} seeds; the oracle's slope pinned at the mean of the {PRE_H} h before")
    scatter = scatter_by_slot(runs, warm_h)
    variants = (
        ("plain", None, None, False),
        ("weighted", scatter, None, False),
        ("trimmed", scatter, TRIM, False),
        # The t of the plain slope (added after the slopes' figures; its
        # trimmed twin is left out: a trim that keeps a few hours has ~0 scatter).
        ("plain t", None, None, True),
    )
    for label, sds, trim, as_t in variants:
        top = null(runs, warm_h, sds, trim, as_t)
        print(f"{label}: null max |statistic| per n hours (sound / event windows, counts)")
        for kind in KINDS:
            for n in (3, 6, 12, 18, 24, 36, 48):
                print(
                    f"  {kind} n {n:2d}: sound {top[(kind, 'sound')][n - 1]:.5f} "
                    f"(n {top[(kind, 'sound-n')][n - 1]}), event {top[(kind, 'event')][n - 1]:.5f} "
                    f"(n {top[(kind, 'event-n')][n - 1]})"
                )
        both = {k: np.maximum(top[(k, "sound")], top[(k, "event")]) for k in KINDS}
        judge(runs, both, sds, product, f"{label}, bar from sound and event windows", trim, as_t)
        sound = {k: top[(k, "sound")] for k in KINDS}
        judge(runs, sound, sds, product, f"{label}, bar from sound windows alone", trim, as_t)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
