"""Scoring a whole corpus: threshold optimisation and normalisation.

As NAB does it: for each profile, pool the sweep of every file and take the
threshold with the best total; score each file at that threshold; normalise
the total as ``100 * (raw - null) / (perfect - null)`` where ``null`` is the
null detector's total (a constant score, itself optimised, so in practice
``-fn`` per window) and ``perfect`` is ``tp`` times the number of windows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from twin.analytics.nab.profiles import PROFILES, CostMatrix
from twin.analytics.nab.sweep import (
    LabeledSeries,
    SweptSeries,
    score_at_threshold,
    scores_by_threshold,
    sweep,
)

__all__ = [
    "CorpusScore",
    "FileScore",
    "ProfileScore",
    "evaluate_corpus",
]

# NAB's null detector emits this constant score for every row.
_NULL_SCORE = 0.5


@dataclass(frozen=True, slots=True)
class FileScore:
    """One file under one profile, at the corpus-optimal threshold."""

    name: str
    raw: float
    null_raw: float
    perfect: float
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def normalised(self) -> float:
        """The file's own 0..100 figure (not an NAB number; NAB normalises the total)."""
        return _normalise(self.raw, self.null_raw, self.perfect)


@dataclass(frozen=True, slots=True)
class ProfileScore:
    """The corpus total under one profile."""

    profile: str
    threshold: float
    raw: float
    null_raw: float
    perfect: float
    files: tuple[FileScore, ...]

    @property
    def normalised(self) -> float:
        """NAB's final score: 0 for the null detector, 100 for the perfect one."""
        return _normalise(self.raw, self.null_raw, self.perfect)


@dataclass(frozen=True, slots=True)
class CorpusScore:
    profiles: Mapping[str, ProfileScore]


def _normalise(raw: float, null_raw: float, perfect: float) -> float:
    span = perfect - null_raw
    return 100.0 * (raw - null_raw) / span if span else 0.0


def _optimise(
    corpus: Sequence[tuple[LabeledSeries, NDArray[np.float64]]],
    cost: CostMatrix,
    probation_percent: float,
) -> tuple[float, list[SweptSeries]]:
    swept = [sweep(series, scores, cost, probation_percent) for series, scores in corpus]
    rows = scores_by_threshold(swept, cost)
    # Ties go to the higher threshold (the first seen), as NAB's stable sort does.
    best = max(rows, key=lambda row: row.score)
    return best.threshold, swept


def evaluate_corpus(
    corpus: Sequence[tuple[LabeledSeries, NDArray[np.float64]]],
    profiles: Mapping[str, CostMatrix] = PROFILES,
    probation_percent: float = 0.15,
    thresholds: Mapping[str, float] | None = None,
) -> CorpusScore:
    """Score a detector's anomaly scores (one array per labelled file) under each profile.

    ``thresholds`` (profile -> threshold) scores at thresholds chosen
    elsewhere, e.g. on the other categories for a leave-one-out figure,
    instead of the best threshold for this corpus. The null detector is
    always optimised on this corpus, as NAB normalises.
    """
    null_corpus = [(series, np.full(len(s), _NULL_SCORE)) for series, s in corpus]
    out: dict[str, ProfileScore] = {}
    for name, cost in profiles.items():
        threshold, swept = _optimise(corpus, cost, probation_percent)
        if thresholds is not None:
            threshold = thresholds[name]
        null_threshold, null_swept = _optimise(null_corpus, cost, probation_percent)
        files: list[FileScore] = []
        for (series, _), item, null_item in zip(corpus, swept, null_swept, strict=True):
            row = score_at_threshold(scores_by_threshold([item], cost), threshold)
            null_row = score_at_threshold(scores_by_threshold([null_item], cost), null_threshold)
            perfect = cost.tp * len(series.windows)
            files.append(
                FileScore(
                    series.name,
                    row.score,
                    null_row.score,
                    perfect,
                    row.tp,
                    row.fp,
                    row.fn,
                    row.tn,
                )
            )
        out[name] = ProfileScore(
            profile=name,
            threshold=threshold,
            raw=sum(f.raw for f in files),
            null_raw=sum(f.null_raw for f in files),
            perfect=sum(f.perfect for f in files),
            files=tuple(files),
        )
    return CorpusScore(out)
