"""Where the product's NAB points still go: every fired row, the evidence that made it.

Usage: python -m bench.nab_trace [DATA_DIR] [--threshold T] [--rows] [--per-visit]
                                 [--no-durations | --durations | --unreported] [--no-majority]
                                 [--no-spike-tail]

Scores every file with the product's :class:`StreamScore`, takes the whole-set
standard threshold (or ``--threshold``) and, for every row at or above it after
NAB's probation, recomputes from a copy of the detector's state just before the
row what each evidence would have scored: the spike (the reading's own
``|z|``), the shift (its EWMA over about 10 readings), the slow change (about
100), range novelty against every earlier value and against the range a day
before (lagged). The largest is the row's cause. Then:

- false rows (outside windows) by cause, by category and by file, and by where
  they fall: **early** (inside the width of the next window before it: an early
  detection NAB counts false), **after** (within three widths after a window,
  where NAB's cost is reduced), or **far**; and whether the row follows an
  earlier fired row of the same file closely (a second report of one event);
- each window: its first detection's position (0 its first row, 1 its last)
  and cause, or, if missed, its largest score and that score's cause.

Diagnosis only: the product's scores are not changed. ``causes`` is the one
probe of a fired row; ``bench/false_rows.py`` uses it on the synthetic streams.
"""

from __future__ import annotations

import argparse
import copy
import math
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

from bench.nab import _categories, _default_data_dir  # noqa: E402
from twin.analytics.anomaly.decay_average import DecayAverage  # noqa: E402
from twin.analytics.anomaly.range_novelty import novelty  # noqa: E402
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning  # noqa: E402
from twin.analytics.anomaly.stream_score import StreamScore  # noqa: E402
from twin.analytics.nab import PROFILES, evaluate_corpus, load_corpus, sweep  # noqa: E402

__all__ = ["CAUSES", "Fired", "cause_of", "causes", "main", "trace_file"]

_MAD_TO_SIGMA = 1.2533141373155001  # StreamScore's
_DAY = 86400.0
CAUSES = ("spike", "shift", "slow", "novelty", "lagged", "duration")
# A fired row this close (readings) after an earlier fired row of the file is a repeat.
_REPEAT = 70


@dataclass(frozen=True, slots=True)
class Fired:
    """One row at or above the threshold, after the probation."""

    file: str
    category: str
    row: int
    score: float
    cause: str
    window: int  # its window's index, or -1 outside
    place: str  # in, early, after, far
    since_fired: int  # readings since the file's previous fired row (any score >= threshold)
    known: bool  # repeats a known odd value (its own evidence muted)
    position: float  # in a window: 0 its first row .. 1 its last; else nan
    z: float  # the reading's standardised residual
    record: float  # the spike evidence's slowest-decay record (sigma)
    scale: float  # the residual scale (value units)
    slow_ratio: float  # the slow residual scale over it


def causes(pre: StreamScore, ts: float, value: float) -> tuple[dict[str, float], bool]:
    """Each evidence's score for the reading at ``ts``, from the state ``pre`` just before it."""
    after = copy.deepcopy(pre)
    after.update(ts, value)
    probe = copy.deepcopy(pre)
    missed = probe._missed(ts)
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
    scale = max(floor, pre._scales[best] * _MAD_TO_SIGMA)
    slow_scale = pre._slow_scales[best] * _MAD_TO_SIGMA
    gains = pre._rates.gains
    z = (value - prediction) / scale
    strengths = [abs(z)]
    strengths += [abs(after._evidence[k]) * gains[k] for k in (1, 2)]
    out: dict[str, float] = {}
    for k, strength in enumerate(strengths):
        bar = copy.deepcopy(pre._records).bar(k, strength, False, missed)
        out[CAUSES[k]] = 1.0 - bar / strength if strength > bar else 0.0
    out["duration"] = 0.0  # a spell of an evidence twice its record (ScoreTuning.durations)
    if (spells := copy.deepcopy(pre._durations)) is not None:
        spells.tick(missed)
        judge = pre._count >= 100  # StreamScore's warm-up
        # The spike's spells are judged on the residual over the slow evidences' scale.
        slow = max(floor, min(scale, slow_scale)) if pre._rates.slow_alpha > 0.0 else scale
        ups = [abs(value - prediction) / slow, *strengths[1:]]
        for k, up in enumerate(ups):
            d = spells.observe(k, up, after._records.floor(k), judge)
            out["duration"] = max(out["duration"], d)
    quantum = after._quantum
    out["novelty"] = novelty(value, pre._low, pre._high, quantum)
    lagged = copy.deepcopy(pre._lagged)
    out["lagged"] = lagged.novelty(ts, value, pre._low, pre._high, quantum) if lagged else 0.0
    out["z"] = z
    records = pre._records
    out["records"] = min(records._records[0]) if isinstance(records, DecayAverage) else 0.0
    out["scale"] = scale
    # The slow scale over the fast one: above 1 where the fast scale has collapsed.
    out["slow_ratio"] = max(floor, slow_scale) / scale
    known = pre._odd_values.repeats(value, 0.5 * quantum)
    if known:  # a known odd value's own evidence is muted (StreamScore step 6)
        out["spike"] = out["novelty"] = out["lagged"] = 0.0
    return out, known


def cause_of(parts: dict[str, float]) -> str:
    """The evidence that made the score (the largest; not z, records, scale)."""
    return max(CAUSES, key=lambda c: parts[c])


def trace_file(
    tuning: ScoreTuning,
    ts: NDArray[np.float64],
    vs: NDArray[np.float64],
    rows: set[int],
) -> tuple[NDArray[np.float64], dict[int, tuple[dict[str, float], bool]]]:
    """The product's scores of one file and, for each row in ``rows``, its evidences."""
    scorer = StreamScore(tuning)
    out = np.zeros(len(vs))
    found: dict[int, tuple[dict[str, float], bool]] = {}
    last = -math.inf
    for i, (t, v) in enumerate(zip(ts.tolist(), vs.tolist(), strict=True)):
        if t <= last:
            continue  # a rewound timestamp is late: scored 0, as score_series does
        last = t
        if i in rows:
            found[i] = causes(scorer, t, v)
        out[i] = scorer.update(t, v)
    return out, found


def _place(row: int, windows: list[tuple[int, int]]) -> tuple[int, str]:
    for k, (left, right) in enumerate(windows):
        width = right - left + 1
        if left <= row <= right:
            return k, "in"
        if left - width <= row < left:
            return -1, "early"
        if right < row <= right + 3 * width and (k + 1 == len(windows) or row < windows[k + 1][0]):
            return -1, "after"
    return -1, "far"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=_default_data_dir())
    parser.add_argument("--threshold", type=float, default=0.0, help="default: whole-set standard")
    parser.add_argument("--rows", action="store_true", help="print every fired row")
    parser.add_argument(
        "--per-visit", action="store_true", help="ScoreTuning.profile_per_visit on (off: product)"
    )
    # The product has durations, duration_unreported and duration_known on
    # (issue 14, twenty-first NAB session); these give the earlier steps.
    steps = parser.add_mutually_exclusive_group()
    steps.add_argument(
        "--no-durations", action="store_true", help="the product before durations (all three off)"
    )
    steps.add_argument("--durations", action="store_true", help="ScoreTuning.durations alone")
    steps.add_argument(
        "--unreported",
        action="store_true",
        help="durations and duration_unreported, the record decaying (duration_known off)",
    )
    parser.add_argument(
        "--no-majority",
        action="store_true",
        help="ScoreTuning.spike_majority off: the product before the twenty-second NAB session",
    )
    parser.add_argument(
        "--no-spike-tail",
        action="store_true",
        help="ScoreTuning.spike_tail_risk 0: the product before issue 14's nab52 session",
    )
    args = parser.parse_args(argv)
    # The steps before the spike majority (twenty-second NAB session) had
    # neither it nor the spike tail (nab52 session).
    before_majority = args.no_majority or args.no_durations or args.durations or args.unreported
    tuning = replace(
        DEFAULT_TUNING,
        profile_per_visit=args.per_visit,
        spike_majority=not before_majority,
        spike_tail_risk=0.0
        if before_majority or args.no_spike_tail
        else DEFAULT_TUNING.spike_tail_risk,
    )
    if args.no_durations:
        tuning = replace(tuning, durations=False, duration_unreported=False, duration_known=False)
    elif args.durations:
        tuning = replace(tuning, duration_unreported=False, duration_known=False)
    elif args.unreported:
        tuning = replace(tuning, duration_known=False)
    files = [
        (c, s, v) for c in _categories(args.data_dir) for s, v in load_corpus(args.data_dir, c)
    ]
    first = [(s, trace_file(tuning, s.timestamps, v, set())[0]) for _, s, v in files]
    threshold = args.threshold or evaluate_corpus(first).profiles["standard"].threshold
    fired: list[Fired] = []
    missed: list[tuple[str, int, float, dict[str, float]]] = []
    cost = PROFILES["standard"]
    for (category, series, values), (_, scores) in zip(files, first, strict=True):
        swept = sweep(series, scores, cost, 0.15)
        hit = (scores >= threshold) & (swept.window_ids != -2)
        rows = set(np.flatnonzero(hit).tolist())
        windows = series.window_indices()
        lost = {}
        for k, (left, right) in enumerate(windows):
            if (swept.window_ids[left : right + 1] == k).any() and not hit[left : right + 1].any():
                lost[k] = range(left, right + 1)
        every = rows.union(*lost.values())
        _, parts = trace_file(tuning, series.timestamps, values, every)
        previous = -(10**9)
        for row in sorted(rows):
            k, place = _place(row, windows)
            p, known = parts[row]
            at = math.nan
            if k >= 0:
                left, right = windows[k]
                at = (row - left) / (right - left + 1)
            fired.append(
                Fired(
                    series.name,
                    category,
                    row,
                    float(scores[row]),
                    cause_of(p),
                    k,
                    place,
                    row - previous,
                    known,
                    at,
                    p["z"],
                    p["records"],
                    p["scale"],
                    p["slow_ratio"],
                )
            )
            previous = row
        for k, span in lost.items():
            # Before the one-report rule: each evidence's best inside the window.
            best = {c: max(parts[i][0][c] for i in span if i in parts) for c in CAUSES}
            missed.append((series.name, k, float(scores[span.start : span.stop].max()), best))
    _report(fired, missed, threshold, args.rows)
    return 0


def _report(
    fired: list[Fired],
    missed: list[tuple[str, int, float, dict[str, float]]],
    threshold: float,
    rows: bool,
) -> None:
    false = [f for f in fired if f.window < 0]
    print(f"threshold {threshold:.4f}: {len(fired)} fired rows, {len(false)} false")
    print(
        "false rows by cause x place (early, after, far); repeats: < 70 readings after a fired row"
    )
    for c in CAUSES:
        mine = [f for f in false if f.cause == c]
        places = Counter(f.place for f in mine)
        repeats = sum(f.since_fired < _REPEAT for f in mine)
        known = sum(f.known for f in mine)
        print(
            f"  {c:<8} {len(mine):>4}  early {places['early']:>3}  after {places['after']:>3}"
            f"  far {places['far']:>3}  repeats {repeats:>3}  known odd {known:>3}"
        )
    print(
        "false rows by category: "
        + ", ".join(f"{k} {n}" for k, n in Counter(f.category for f in false).most_common())
    )
    by_file: dict[str, Counter[str]] = defaultdict(Counter)
    for f in false:
        by_file[f.file][f.cause] += 1
    print("false rows by file (causes):")
    for name, counts in sorted(by_file.items(), key=lambda x: -sum(x[1].values())):
        print(
            f"  {sum(counts.values()):>3}  {name:<58} "
            + ", ".join(f"{k} {n}" for k, n in counts.most_common())
        )
    gaps = np.array([f.since_fired for f in false])
    print(
        "readings since the previous fired row: "
        + ", ".join(f"<{b} {int((gaps < b).sum())}" for b in (5, 20, 70, 300, 1000))
    )
    print("detected windows: first detection (position 0 first row .. 1 last; cause)")
    firsts: dict[tuple[str, int], Fired] = {}
    for f in fired:
        if f.window >= 0:
            firsts.setdefault((f.file, f.window), f)
    by_cause: dict[str, list[float]] = defaultdict(list)
    for _, f in sorted(firsts.items()):
        by_cause[f.cause].append(f.position)
    for c in CAUSES:
        at = np.array(by_cause[c])
        if at.size:
            print(
                f"  {c:<8} {at.size:>3} windows, position mean {at.mean():.2f}, "
                f"< 0.5: {int((at < 0.5).sum())}, >= 0.6: {int((at >= 0.6).sum())}"
            )
    if rows:
        for (name, k), f in sorted(firsts.items()):
            print(
                f"    {name:<58} #{k} row {f.row:>6} at {f.position:.2f} score {f.score:.3f}"
                f" {f.cause:<8} z {f.z:9.3g} record {f.record:8.3g} scale {f.scale:8.3g}"
                f" slow/fast {f.slow_ratio:5.2f}"
            )
    print(
        f"missed windows ({len(missed)}): largest score inside; each evidence's best there,"
        " before the one-report rule"
    )
    for name, k, score, best in missed:
        print(f"    {name:<58} #{k} {score:.3f}  " + " ".join(f"{c} {best[c]:.3f}" for c in CAUSES))
    if rows:
        for f in false:
            print(
                f"    {f.file:<58} row {f.row:>6} {f.score:.3f} {f.cause:<8} {f.place:<5}"
                f" since {f.since_fired:>6} z {f.z:9.3g} record {f.record:8.3g}"
                f" scale {f.scale:8.3g} slow/fast {f.slow_ratio:5.2f}"
                f"{' known' if f.known else ''}"
            )


if __name__ == "__main__":
    raise SystemExit(main())
