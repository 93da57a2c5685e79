"""Labelled events on synthetic count streams, with windows placed as NAB's labeller does.

``bench/nab_synthetic.py --events`` scores these (issue 14, twenty-sixth NAB
session): the false-row table alone cannot tell whether a change that quietens
count streams also quietens their real bursts. Each file is the same
gamma-Poisson stream as ``nab_synthetic.counts`` (15,800 five-minute counts,
daily and weekly cycle, shape 4), with three events, one of each kind a
tweet-volume stream shows, multiplying its mean before the counts are drawn:

- **burst** of mentions: the mean times 3-6 for 6-36 readings (30 min to 3 h);
- **drop** (a feed that stops collecting, an outage): the mean times 0-0.25 for
  12-72 readings (1-6 h);
- **level change** that lasts: the mean times 1.6-2.5 or its reciprocal (even
  odds) from the onset to the end of the file.

Sizes from first principles, fixed before any score was looked at: a count of
shape 4 around mean ``m`` has sd ``sqrt(m + m**2 / 4) >= m / 2``, so one
reading at ``F`` times its mean is under ``2 (F - 1)`` sd above it: a 3x burst
is under 4 sd a reading (seen by its length, not one reading), a 6x one under
10; a drop is at most 2 sd a reading (a count cannot go below 0) and a level
change 1.2-3 sd, both seen only through their duration.

Kinds come in an order drawn from the seed; onsets are uniform in three equal
parts of the scored span, each kept half a window from its part's ends, so
windows neither overlap nor touch the probation. The events' draws use their
own generator (``(seed, 46)``), and the counts the same draws as
``nab_synthetic.counts(seed)``, so a file equals the event-free one up to its
first onset.

Windows (:func:`nab_windows`) as NAB's ``labeler.applyWindows`` and
``checkWindows``: 10 % of the file's length shared among its anomalies,
centred on each onset and clipped to the file; a first window starting inside
the probation is dropped, overlapping windows are merged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from twin.analytics.nab.sweep import probationary_length

__all__ = [
    "EVENT_KINDS",
    "CountEvent",
    "count_mean",
    "count_times",
    "counts_with_events",
    "draw_counts",
    "nab_windows",
]

EVENT_KINDS = ("burst", "drop", "level")
_DAY = 86400.0
_N = 15_800
_SHAPE = 4.0  # gamma shape: variance m + m**2 / 4
_WINDOW_SHARE = 0.10  # NAB's windowSize
_PROBATION = 0.15  # NAB's probationaryPercent


@dataclass(frozen=True, slots=True)
class CountEvent:
    """One labelled event: kind, onset row, length in rows (a level: to the end) and factor."""

    kind: str
    onset: int
    length: int
    factor: float


def count_times() -> NDArray[np.float64]:
    """The files' timestamps: 15,800 readings five minutes apart."""
    return 1.4e9 + 300.0 * np.arange(_N, dtype=np.float64)


def draw_counts(seed: int, mean: NDArray[np.float64]) -> NDArray[np.float64]:
    """Gamma-Poisson counts (shape 4) around ``mean``, the seed's draws."""
    rng = np.random.default_rng(seed)
    values: NDArray[np.float64] = rng.poisson(rng.gamma(_SHAPE, mean / _SHAPE)).astype(np.float64)
    return values


def count_mean(t: NDArray[np.float64]) -> NDArray[np.float64]:
    """The event-free mean count at each timestamp: a daily cycle, quieter weekends."""
    day = 2.0 * math.pi * (t % _DAY) / _DAY
    week = (t // _DAY) % 7
    mean: NDArray[np.float64] = (
        20.0 * (1.0 + 0.8 * np.sin(day - 2.0)) * np.where(week >= 5, 0.6, 1.0) + 1.0
    )
    return mean


def nab_windows(n_rows: int, anomalies: list[int]) -> list[tuple[int, int]]:
    """Inclusive (first, last) rows of NAB windows around anomaly rows (sorted)."""
    if not anomalies:
        return []
    length = int(_WINDOW_SHARE * n_rows / len(anomalies))
    half = length // 2
    windows = [(max(a - half, 0), min(a + half, n_rows - 1)) for a in sorted(anomalies)]
    if windows[0][0] < probationary_length(n_rows, _PROBATION):
        del windows[0]  # NAB deletes a first window that overlaps the probation
    merged: list[tuple[int, int]] = []
    for first, last in windows:
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return merged


def _events(seed: int, n_rows: int) -> list[CountEvent]:
    rng = np.random.default_rng((seed, 46))
    kinds = [EVENT_KINDS[i] for i in rng.permutation(len(EVENT_KINDS))]
    half = int(_WINDOW_SHARE * n_rows / len(kinds)) // 2
    start = math.ceil(probationary_length(n_rows, _PROBATION))
    part = (n_rows - start) / len(kinds)
    out: list[CountEvent] = []
    for i, kind in enumerate(kinds):
        lo = int(start + i * part) + half + 1
        hi = int(start + (i + 1) * part) - half - 1
        onset = int(rng.integers(lo, hi))
        if kind == "burst":
            length, factor = int(rng.integers(6, 37)), float(rng.uniform(3.0, 6.0))
        elif kind == "drop":
            length, factor = int(rng.integers(12, 73)), float(rng.uniform(0.0, 0.25))
        else:
            up = float(rng.uniform(1.6, 2.5))
            length, factor = n_rows - onset, up if rng.random() < 0.5 else 1.0 / up
        out.append(CountEvent(kind, onset, length, factor))
    return out


def counts_with_events(
    seed: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64], list[CountEvent]]:
    """(timestamps, counts, events) of one labelled file."""
    t = count_times()
    mean = count_mean(t)
    events = _events(seed, _N)
    for e in events:
        mean[e.onset : e.onset + e.length] *= e.factor
    return t, draw_counts(seed, mean), events
