"""Where a NAB score's points go: late detections, missed windows, false positives.

For one profile at one threshold, ``perfect - raw`` splits exactly into three
parts (NAB's scoring, as ``twin.analytics.nab`` implements it):

- **late**: a window found after its first row earns less than ``tp``
  (the scaled sigmoid of its first detection's position);
- **missed**: a window never found costs ``tp + fn`` against perfect;
- **false positives**: every detection outside a window costs its (negative)
  sweep score, ``fp`` far from a window and less just after one.

Detections in the probationary period count for nothing, as in NAB.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from twin.analytics.nab import PROBATIONARY, CostMatrix, LabeledSeries, sweep

__all__ = ["Losses", "losses"]


@dataclass(frozen=True, slots=True)
class Losses:
    """Raw NAB points lost, and the counts behind them."""

    late: float
    missed: float
    false_positives: float
    windows: int
    windows_missed: int
    fp_rows: int
    mean_position: float
    """Mean relative position of the first detection in found windows (0 start, 1 end)."""

    @property
    def total(self) -> float:
        return self.late + self.missed + self.false_positives


def losses(
    scored: Sequence[tuple[LabeledSeries, NDArray[np.float64]]],
    threshold: float,
    cost: CostMatrix,
    probation_percent: float = 0.15,
) -> Losses:
    """Points lost at ``threshold`` over all files in ``scored``."""
    late = missed = fp_cost = 0.0
    windows = windows_missed = fp_rows = 0
    positions: list[float] = []
    for series, scores in scored:
        swept = sweep(series, scores, cost, probation_percent)
        hit = (swept.anomaly_scores >= threshold) & (swept.window_ids != PROBATIONARY)
        ids = swept.window_ids
        outside = hit & (ids < 0)
        fp_rows += int(outside.sum())
        fp_cost -= float(swept.sweep_scores[outside].sum())
        for k, (left, right) in enumerate(series.window_indices()):
            rows = np.flatnonzero(hit & (ids == k))
            if not (ids == k).any():
                continue  # a window wholly in the probation is not scored
            windows += 1
            if rows.size:
                first = int(rows[0])
                late += cost.tp - float(swept.sweep_scores[first])
                positions.append((first - left) / max(right - left + 1, 1))
            else:
                windows_missed += 1
                missed += cost.tp + cost.fn
    return Losses(
        late=late,
        missed=missed,
        false_positives=fp_cost,
        windows=windows,
        windows_missed=windows_missed,
        fp_rows=fp_rows,
        mean_position=float(np.mean(positions)) if positions else float("nan"),
    )
