"""Why the calibrated score fires where nothing happened: one line per false row.

Usage: python bench/false_rows.py [--threshold 0.126] [--seeds 0-5] [--nab CATEGORY,...]
[--tuning product|...] [--rows]

For every reading at or above the threshold after NAB's probation on the
synthetic streams of ``bench/nab_synthetic.py`` (no events: every such row is
false) and, with ``--nab``, outside the labelled windows of the named NAB
categories, it tells which evidence made the score (spike: the reading's own
``|z|``; shift: its EWMA over about 10 readings; slow: about 100; novelty: a
new extreme), which predictor the residual came from (level, daily or weekly
profile), the residual and scale at that reading, the phase of day and week,
and the daily profile's slope there (the change between the neighbouring
bins in residual scales: large on a cycle's steep flank). Diagnosis only: the
score is the product's (``StreamScore`` unchanged); the evidences are
recomputed by ``bench/nab_trace.py``'s probe (``causes``: the exact bars, range
novelty against every earlier value and against the range a day before) from a
copy of the state just before the reading. ``nab_trace`` covers NAB's windows;
this bench the synthetic streams, the predictor and the phase of the day.
"""

from __future__ import annotations

import argparse
import copy
import math
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

from bench.nab import _default_data_dir  # noqa: E402
from bench.nab_synthetic import counts, road_speed  # noqa: E402
from bench.nab_trace import cause_of, causes  # noqa: E402
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning  # noqa: E402
from twin.analytics.anomaly.stream_score import StreamScore  # noqa: E402
from twin.analytics.nab import PROFILES, load_corpus, sweep  # noqa: E402

__all__ = ["Explained", "explain_rows", "main"]

_MAD_TO_SIGMA = 1.2533141373155001  # StreamScore's
_DAY = 86400.0
_PREDICTOR = ("level", "daily", "weekly")


@dataclass(frozen=True, slots=True)
class Explained:
    """One fired reading, explained from the detector's state just before it."""

    row: int
    score: float
    value: float
    known: bool  # the value repeats a remembered odd one (its spike evidence muted)
    cause: str  # spike / shift / slow / novelty / lagged (nab_trace.CAUSES)
    predictor: str
    residual: float
    scale: float
    z: float
    hour: float
    weekday: int
    slope: float  # daily profile: (next bin - previous bin) / 2, in residual scales
    in_bin: float  # where in its 30-minute bin the reading falls, 0 start .. 1 end


def _state_before(
    tuning: ScoreTuning, ts: NDArray[np.float64], vs: NDArray[np.float64], rows: set[int]
) -> tuple[NDArray[np.float64], dict[int, StreamScore]]:
    scorer = StreamScore(tuning)
    out = np.zeros(len(vs))
    before: dict[int, StreamScore] = {}
    last = -math.inf
    for i, (t, v) in enumerate(zip(ts.tolist(), vs.tolist(), strict=True)):
        if t <= last:
            continue
        last = t
        if i in rows:
            before[i] = copy.deepcopy(scorer)
        out[i] = scorer.update(t, v)
    return out, before


def _explain(pre: StreamScore, row: int, ts: float, value: float, score: float) -> Explained:
    parts, known = causes(pre, ts, value)
    floor = 0.5 * pre._quantum if pre._quantum < math.inf else 1e-9
    day_bin = int(ts % _DAY * 48 // _DAY) % 48
    week_bin = int(ts % (7 * _DAY) * 336 // (7 * _DAY)) % 336
    best = pre._best()
    level = pre._level
    prediction = (
        level,
        pre._day[day_bin] if pre._day_seen[day_bin] else level,
        pre._week[week_bin] if pre._week_seen[week_bin] else level,
    )[best]
    residual = value - prediction
    scale = max(floor, pre._scales[best] * _MAD_TO_SIGMA)
    z = residual / scale
    day = pre._day
    slope = (day[(day_bin + 1) % 48] - day[(day_bin - 1) % 48]) / 2.0 / scale
    return Explained(
        row=row,
        score=score,
        value=value,
        known=known,
        cause=cause_of(parts),
        predictor=_PREDICTOR[best],
        residual=residual,
        scale=scale,
        z=z,
        hour=(ts % _DAY) / 3600.0,
        weekday=int(ts // _DAY + 3) % 7,  # 1970-01-01 was a Thursday: Monday is 0
        slope=slope,
        in_bin=(ts % 1800.0) / 1800.0,
    )


def explain_rows(
    tuning: ScoreTuning,
    ts: NDArray[np.float64],
    vs: NDArray[np.float64],
    threshold: float,
    is_false: Callable[[NDArray[np.float64]], NDArray[np.bool_]],
) -> list[Explained]:
    """The false rows of one stream at ``threshold`` (``is_false`` marks them), explained."""
    scores, _ = _state_before(tuning, ts, vs, set())
    rows = set(np.flatnonzero(is_false(scores)).tolist())
    _, before = _state_before(tuning, ts, vs, rows)
    return [
        _explain(before[i], i, float(ts[i]), float(vs[i]), float(scores[i])) for i in sorted(rows)
    ]


def _synthetic_false(threshold: float) -> Callable[[NDArray[np.float64]], NDArray[np.bool_]]:
    def marks(scores: NDArray[np.float64]) -> NDArray[np.bool_]:
        hit = scores >= threshold
        hit[: math.ceil(0.15 * len(scores))] = False
        return hit

    return marks


def _summary(label: str, found: Iterable[Explained], show_rows: bool) -> None:
    rows = list(found)
    print(f"{label}: {len(rows)} false rows")
    if not rows:
        return
    print(
        "  cause:     "
        + ", ".join(f"{k} {n}" for k, n in Counter(r.cause for r in rows).most_common())
    )
    print(
        "  predictor: "
        + ", ".join(f"{k} {n}" for k, n in Counter(r.predictor for r in rows).most_common())
    )
    sign = Counter("above" if r.residual > 0 else "below" for r in rows)
    print(f"  residual:  above the prediction {sign['above']}, below {sign['below']}")
    print(f"  value repeats a known odd value: {sum(r.known for r in rows)}")
    steep = sum(abs(r.slope) >= 1.0 for r in rows)
    print(f"  daily profile slope >= 1 scale per bin: {steep}")
    z = np.array([abs(r.z) for r in rows])
    print(f"  |z| median {np.median(z):.1f}, range {z.min():.1f}-{z.max():.1f}")
    hours = Counter(int(r.hour // 3) * 3 for r in rows)
    print("  hour of day (3 h bins): " + ", ".join(f"{h:02d}h {hours[h]}" for h in range(0, 24, 3)))
    if show_rows:
        _print_rows(rows)


def _print_rows(rows: Iterable[Explained]) -> None:
    for r in rows:
        print(
            f"    row {r.row:>6} score {r.score:.3f} value {r.value:9.4g}{'*' if r.known else ' '} "
            f"{r.cause:<7} {r.predictor:<6} resid {r.residual:9.3g} scale {r.scale:9.3g} "
            f"z {r.z:6.1f} {r.hour:5.2f}h day {r.weekday} slope {r.slope:5.2f} "
            f"in bin {r.in_bin:.2f}"
        )


def phase_table(
    tuning: ScoreTuning,
    make: Callable[[int], tuple[NDArray[np.float64], NDArray[np.float64]]],
    seeds: range,
    threshold: float,
) -> None:
    """Per 2 hours of the day: each predictor's mean residual, the level's scale against the
    residuals' actual spread, and the false rows (readings after the probation)."""
    rows: list[tuple[float, ...]] = []
    for seed in seeds:
        t, v = make(seed)
        s = StreamScore(tuning)
        start = math.ceil(0.15 * len(t))
        for i, (ts, x) in enumerate(zip(t.tolist(), v.tolist(), strict=True)):
            d = int(ts % _DAY * 48 // _DAY) % 48
            w = int(ts % (7 * _DAY) * 336 // (7 * _DAY)) % 336
            level = s._level
            day = s._day[d] if s._day_seen[d] else level
            week = s._week[w] if s._week_seen[w] else level
            scale = max(0.5 * s._quantum, s._scales[0] * _MAD_TO_SIGMA)
            best = s._best()
            score = s.update(ts, x)
            if i >= start:
                rows.append(
                    ((ts % _DAY) / 3600.0, x - level, x - day, x - week, scale, best, score)
                )
    a = np.array(rows)
    print(
        "hours  mean residual: level daily weekly | level scale, residual sd "
        "| level used | false rows"
    )
    for h in range(0, 24, 2):
        m = (a[:, 0] >= h) & (a[:, 0] < h + 2)
        b = a[m]
        print(
            f"  {h:02d}-{h + 2:02d}  {b[:, 1].mean():6.2f} {b[:, 2].mean():6.2f} "
            f"{b[:, 3].mean():6.2f} "
            f"| {b[:, 4].mean():6.2f} {b[:, 1].std():6.2f} | {(b[:, 5] == 0).mean():5.0%} "
            f"| {int((b[:, 6] >= threshold).sum())}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=0.126)
    parser.add_argument("--seeds", default="0-5", help="first-last, inclusive")
    parser.add_argument("--nab", default="", help="NAB categories, comma-separated")
    parser.add_argument("--rows", action="store_true", help="print every row")
    parser.add_argument("--phase", action="store_true", help="the counts' residuals by hour")
    parser.add_argument(
        "--per-visit", action="store_true", help="profiles weighed per visit (off in the product)"
    )
    args = parser.parse_args(argv)
    first, last = (int(x) for x in args.seeds.split("-"))
    tuning = replace(DEFAULT_TUNING, profile_per_visit=args.per_visit)
    if args.phase:
        phase_table(tuning, counts, range(first, last + 1), args.threshold)
    for name, make in (("road speed", road_speed), ("counts", counts)):
        found: list[Explained] = []
        for seed in range(first, last + 1):
            t, v = make(seed)
            found += explain_rows(tuning, t, v, args.threshold, _synthetic_false(args.threshold))
        _summary(f"{name}, seeds {args.seeds}", found, args.rows)
    for category in filter(None, args.nab.split(",")):
        found = []
        for series, values in load_corpus(_default_data_dir(), category):
            swept_ids = sweep(series, np.zeros(len(values)), PROFILES["standard"], 0.15).window_ids

            def marks(
                scores: NDArray[np.float64], ids: NDArray[np.int64] = swept_ids
            ) -> NDArray[np.bool_]:
                hit: NDArray[np.bool_] = (scores >= args.threshold) & (ids == -1)
                return hit

            explained = explain_rows(tuning, series.timestamps, values, args.threshold, marks)
            if args.rows and explained:
                print(f"  {series.name}")
                _print_rows(explained)
            found += explained
        _summary(f"NAB {category}", found, False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
