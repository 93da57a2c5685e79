"""Per-point NAB weights and the threshold sweep (NAB's ``Sweeper``).

Each point gets a *sweep score*: what it would add to the total if it were a
detection. Inside a window that is the scaled sigmoid of its relative position
(earliest is best, normalised so the first point earns exactly ``tp``); outside
a window it is a false-positive cost, ``fp`` times the sigmoid of the distance
past the previous window (a point right after a window costs almost nothing,
one far away or before any window costs the full ``fp``). The threshold sweep
then walks the points from the highest anomaly score down and keeps, for every
distinct score, the total it would give as a threshold.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from twin.analytics.nab.errors import NabDataError
from twin.analytics.nab.profiles import CostMatrix

__all__ = [
    "OUTSIDE",
    "PROBATIONARY",
    "LabeledSeries",
    "SweptSeries",
    "ThresholdScore",
    "probationary_length",
    "scaled_sigmoid",
    "score_at_threshold",
    "scores_by_threshold",
    "sweep",
]

OUTSIDE = -1
"""Window id of a point outside every label window."""
PROBATIONARY = -2
"""Window id of a point in the probationary period (never scored)."""

# NAB starts its sweep above any valid score: the row where nothing is detected.
_START_THRESHOLD = 1.1


def scaled_sigmoid(position: float) -> float:
    """NAB's ``2 * sigmoid(-5 x) - 1``, and ``-1`` beyond 3 window lengths.

    ``position`` is -1 at a window's first point, 0 at its right edge and
    positive past it (in window lengths).
    """
    if position > 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


def _scaled_sigmoid_array(position: NDArray[np.float64]) -> NDArray[np.float64]:
    clipped = np.minimum(position, 3.0)  # avoids overflow; > 3 is replaced below
    value = 2.0 / (1.0 + np.exp(5.0 * clipped)) - 1.0
    return np.where(position > 3.0, -1.0, value)


def probationary_length(n_rows: int, probation_percent: float) -> float:
    """Rows at the start of a file that are never scored (NAB's formula)."""
    return min(math.floor(probation_percent * n_rows), probation_percent * 5000)


@dataclass(frozen=True, slots=True)
class LabeledSeries:
    """One data file: its name, timestamps (epoch s, file order) and label windows."""

    name: str
    timestamps: NDArray[np.float64]
    windows: tuple[tuple[float, float], ...]

    def window_indices(self) -> list[tuple[int, int]]:
        """Inclusive (first, last) row index of each window.

        As NAB: a window starts at the row whose timestamp equals its start
        and ends at the first row equal to its end; where a limit is not a
        timestamp of the file we take the rows inside the limits instead.
        Rows are in file order, which is not always time order.
        """
        ts = self.timestamps
        out: list[tuple[int, int]] = []
        last_right = -1
        for start, end in self.windows:
            left = _first_index(ts, start, ts >= start)
            inside = np.flatnonzero(ts <= end)
            exact = np.flatnonzero(ts == end)
            right = int(exact[0]) if len(exact) else (int(inside[-1]) if len(inside) else -1)
            if left < 0 or right < left:
                raise NabDataError(f"{self.name}: window {start}..{end} holds no rows")
            if left <= last_right:
                raise NabDataError(f"{self.name}: windows overlap or are not sorted")
            out.append((left, right))
            last_right = right
        return out


def _first_index(ts: NDArray[np.float64], value: float, fallback: NDArray[np.bool_]) -> int:
    exact = np.flatnonzero(ts == value)
    if len(exact):
        return int(exact[0])
    later = np.flatnonzero(fallback)
    return int(later[0]) if len(later) else -1


@dataclass(frozen=True, slots=True)
class SweptSeries:
    """Per-row anomaly score, sweep score and window id of one file."""

    name: str
    anomaly_scores: NDArray[np.float64]
    sweep_scores: NDArray[np.float64]
    window_ids: NDArray[np.int64]
    n_windows: int


@dataclass(frozen=True, slots=True)
class ThresholdScore:
    """The total score and counts when every row with score >= threshold is a detection."""

    threshold: float
    score: float
    tp: int
    tn: int
    fp: int
    fn: int

    @property
    def total(self) -> int:
        return self.tp + self.tn + self.fp + self.fn


def sweep(
    series: LabeledSeries,
    anomaly_scores: NDArray[np.float64],
    cost: CostMatrix,
    probation_percent: float = 0.15,
) -> SweptSeries:
    """Sweep scores of one file (NAB ``Sweeper.calcSweepScore``)."""
    scores = np.asarray(anomaly_scores, dtype=np.float64)
    n = len(series.timestamps)
    if scores.shape != (n,):
        raise NabDataError(f"{series.name}: {scores.shape[0]} scores for {n} rows")
    if n and (not np.all(np.isfinite(scores)) or scores.min() < 0.0 or scores.max() > 1.0):
        raise NabDataError(f"{series.name}: anomaly scores must be finite and in [0, 1]")
    windows = series.window_indices()
    index = np.arange(n, dtype=np.float64)
    swept = np.empty(n, dtype=np.float64)
    ids = np.full(n, OUTSIDE, dtype=np.int64)
    max_tp = scaled_sigmoid(-1.0)

    # Outside windows: distance past the closest preceding window, in its widths.
    swept[:] = -cost.fp
    for k, (left, right) in enumerate(windows):
        width = right - left + 1
        inside = slice(left, right + 1)
        position = -(right - index[inside] + 1.0) / width
        swept[inside] = _scaled_sigmoid_array(position) * cost.tp / max_tp
        ids[inside] = k
        next_left = windows[k + 1][0] if k + 1 < len(windows) else n
        after = slice(right + 1, next_left)
        # NAB divides by (width - 1), which is zero for a one-row window; we
        # then count distance in rows.
        past = (index[after] - right) / max(width - 1, 1)
        swept[after] = _scaled_sigmoid_array(past) * cost.fp

    probation = probationary_length(n, probation_percent)
    ids[index < probation] = PROBATIONARY
    return SweptSeries(series.name, scores, swept, ids, len(windows))


def scores_by_threshold(swept: Sequence[SweptSeries], cost: CostMatrix) -> list[ThresholdScore]:
    """Total score for every distinct anomaly score used as the threshold.

    Rows are in descending threshold order, starting with NAB's 1.1 row where
    nothing is detected and every scorable window is a false negative. Files
    are pooled, as NAB's optimiser pools the corpus.
    """
    scores_l: list[NDArray[np.float64]] = []
    sweep_l: list[NDArray[np.float64]] = []
    keys_l: list[NDArray[np.int64]] = []
    offset = 0
    for item in swept:
        keep = item.window_ids != PROBATIONARY
        scores_l.append(item.anomaly_scores[keep])
        sweep_l.append(item.sweep_scores[keep])
        ids = item.window_ids[keep]
        # Unique key per (file, window) so windows of different files stay apart.
        keys_l.append(np.where(ids >= 0, ids + offset, OUTSIDE))
        offset += item.n_windows
    scores = np.concatenate(scores_l) if scores_l else np.empty(0)
    values = np.concatenate(sweep_l) if sweep_l else np.empty(0)
    keys = np.concatenate(keys_l) if keys_l else np.empty(0, dtype=np.int64)

    order = np.argsort(-scores, kind="stable")
    scores, values, keys = scores[order], values[order], keys[order]
    in_window = keys >= 0
    window_keys = np.unique(keys[in_window])
    base = -cost.fn * len(window_keys)

    # What each row adds when it becomes a detection: its FP cost, or for a
    # window the rise of that window's best (earliest) detection over -fn.
    contrib = np.where(in_window, 0.0, values)
    for key in window_keys:
        where = np.flatnonzero(keys == key)
        best = np.maximum.accumulate(np.concatenate(([-cost.fn], values[where])))
        contrib[where] += np.diff(best)

    totals = base + np.cumsum(contrib)
    tp_counts = np.cumsum(in_window)
    fp_counts = np.cumsum(~in_window)
    n_in, n_out = int(in_window.sum()), int((~in_window).sum())

    rows = [ThresholdScore(_START_THRESHOLD, base, 0, n_out, 0, n_in)]
    if len(scores) == 0:
        return rows
    group_ends = [*np.flatnonzero(np.diff(scores) != 0.0).tolist(), len(scores) - 1]
    for end in group_ends:
        tp, fp = int(tp_counts[end]), int(fp_counts[end])
        rows.append(
            ThresholdScore(float(scores[end]), float(totals[end]), tp, n_out - fp, fp, n_in - tp)
        )
    return rows


def score_at_threshold(rows: Sequence[ThresholdScore], threshold: float) -> ThresholdScore:
    """The row where every score >= ``threshold`` is a detection.

    ``rows`` as returned by :func:`scores_by_threshold`.
    """
    if not rows:
        raise NabDataError("no threshold rows to choose from")
    match = rows[0]
    for row in rows:
        if row.threshold < threshold:
            break
        match = row
    return match
