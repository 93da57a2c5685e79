"""The known-onset oracle on the slow path's own line: its t, not a bare slope.

Usage: python bench/drift_oracle_line.py --load FILE [FILE ...] [--product FILE ...]
                                         [--pre 24]

Diagnostic only (drift62). ``bench/drift_oracle.py``'s bare slope at the
known onset found none of the drifts the product finds, so it bounds
nothing; this asks the same question with the product's statistic. The
hourly residuals are ``drift_oracle.py --save``'s (the detector's own,
reports off). An oracle that knows the onset fits the slow path's line
(``slow_line="agreeing_kept"``: the agreeing hours' slope, its t from their
spread in time; the change and steepness tests of the default
:class:`~twin.analytics.anomaly.drift_trend.DriftTrendConfig`; the scale
the MAD of the 72 hours held, as the product's) over one window: from
``--pre`` hours before the onset's hour to the n-th whole hour after it.
The product searches four windows ending now (18-48 h) and must clear its
bar on all of them; the oracle looks at one window placed by the onset, so
its null (the same line at every hour boundary of the sound and event
windows, as ``drift_oracle.py`` classes them) is the maximum of fewer
lines. A drift is found within 24 h if at some n whose hours end within
24 h of the onset its |t| reaches 1.1 x the null's maximum at that n.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.drift_oracle import _DAY, _H, Run, load, product_delays  # noqa: E402
from bench.neighbour_drift import KINDS, short_kind, zone_of  # noqa: E402

# The slow line's own functions, so the oracle's t is the product's line's.
from twin.analytics.anomaly.drift_trend import (  # noqa: E402
    DriftTrendConfig,
    _agreeing_t,
    _fit,
    _refit,
    _trimmed_trend,
)
from twin.analytics.anomaly.robust_scale import mad_sd  # noqa: E402

__all__ = ["line_t", "main"]

NS = (6, 12, 18, 21, 23, 30, 36)  # ramp hours judged (23: the last whole hours within 24 h)
_HELD = 72  # hours the slow path holds (its scale's)


def line_t(a: np.ndarray, start: int, end: int, cfg: DriftTrendConfig) -> float:
    """|t| of the slow path's line over ``a[start:end]`` (0: it fails the
    change or steepness test; NaN: a gap, or no scale yet, as the product
    skips such a window)."""
    if start < 0 or end > a.size:
        return math.nan
    ys = a[start:end]
    if np.isnan(ys).any() or cfg.agree_trim is None:
        return math.nan
    held = a[max(0, end - _HELD) : end]
    scale = mad_sd([float(y) for y in held if not math.isnan(y)])
    if scale <= 0.0:
        return math.nan
    window = [float(y) for y in ys]
    refit = _refit(window, cfg.agree_trim)
    trend = _agreeing_t(
        _fit(window, scale), _trimmed_trend(window, scale, refit), window, refit.sxx
    )
    if abs(trend.change) < cfg.min_change * scale or abs(trend.slope) > cfg.max_rate * scale:
        return 0.0
    return abs(trend.t)


def null(runs: list[Run], warm_h: int, pre: int) -> dict[tuple[str, str], list[float]]:
    """(kind, "sound"|"event") -> max |t| per n of NS, and how many windows."""
    cfg = DriftTrendConfig()
    zones = zone_of()
    top: dict[tuple[str, str], list[float]] = {}
    for kind in KINDS:
        for cls in ("sound", "event", "sound-n", "event-n"):
            top[(kind, cls)] = [0.0] * len(NS)
    for r in runs:
        for s, a in r.res.items():
            kind = short_kind(s)
            for j in range(warm_h, a.size):
                onset = (r.h0 + j) * _H
                for k, n in enumerate(NS):
                    end = onset + n * _H
                    if s in r.drifts and end > r.drifts[s][0]:
                        break
                    t = line_t(a, j - pre, j + n, cfg)
                    if math.isnan(t):
                        continue
                    lo = onset - pre * _H
                    hit = any(
                        z == zones[s] and a0 < end and lo < b1 + _DAY for z, a0, b1 in r.event_zones
                    )
                    cls = "event" if hit else "sound"
                    top[(kind, cls)][k] = max(top[(kind, cls)][k], t)
                    top[(kind, cls + "-n")][k] += 1
    return top


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load", type=Path, nargs="+", required=True)
    parser.add_argument("--product", type=Path, nargs="*", default=[])
    parser.add_argument("--pre", type=int, default=24, help="hours before the onset's hour")
    parser.add_argument("--warmup-days", type=float, default=3.0)
    args = parser.parse_args(argv)
    runs = [r for p in args.load for r in load(p)]
    product = product_delays(args.product)
    warm_h = int(args.warmup_days * _DAY // _H)
    top = null(runs, warm_h, args.pre)
    cfg = DriftTrendConfig()
    print(f"{len(runs) // 2} seeds; the slow path's line from {args.pre} h before the onset")
    for kind in KINDS:
        for k, n in enumerate(NS):
            print(
                f"  {kind} n {n:2d}: max |t| sound {top[(kind, 'sound')][k]:.1f} "
                f"(n {top[(kind, 'sound-n')][k]:.0f}), event {top[(kind, 'event')][k]:.1f} "
                f"(n {top[(kind, 'event-n')][k]:.0f})"
            )
    for bar_from in ("sound and event", "sound alone"):
        within = dict.fromkeys(KINDS, 0)
        total = dict.fromkeys(KINDS, 0)
        firsts: dict[str, list[float]] = {k: [] for k in KINDS}
        print(f"bar from {bar_from} windows, x 1.1: per drift")
        for r in runs:
            for s, (start, _rate) in sorted(r.drifts.items()):
                kind = short_kind(s)
                a = r.res[s]
                oh = math.ceil(start / _H)
                first = math.inf
                seen = []
                for k, n in enumerate(NS):
                    bar = top[(kind, "sound")][k]
                    if bar_from == "sound and event":
                        bar = max(bar, top[(kind, "event")][k])
                    t = line_t(a, int(start // _H) - r.h0 - args.pre, oh - r.h0 + n, cfg)
                    age = ((oh + n) * _H - start) / _H
                    seen.append(f"{t:.1f}/{1.1 * bar:.1f}")
                    if t >= 1.1 * bar:
                        first = min(first, age)
                total[kind] += 1
                within[kind] += first <= 24.0
                firsts[kind].append(first)
                p = product.get((r.seed, s), math.nan)
                print(
                    f"  seed {r.seed} {s}: first {first:.1f} h; product {p:.1f} h; "
                    f"|t|/bar at n {','.join(map(str, NS))}: {' '.join(seen)}"
                )
        for kind in KINDS:
            print(
                f"bar from {bar_from}, {kind}: within 24 h {within[kind]} of {total[kind]}, "
                f"first median {statistics.median(firsts[kind]):.1f} h"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
