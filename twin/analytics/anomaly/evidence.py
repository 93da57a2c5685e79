"""Evidences beside the built-in three, fused by max: one interface, built from ``ScoreTuning``.

:class:`StreamScore`'s own evidences (spike, shift, slow change, range
novelty) are always on. An extra evidence is an option measured on NAB and
kept off by default (docs/anomaly.md, "The calibrated score"): the product
builds none, and the scorer's per-reading path runs one empty loop instead
of one ``if`` per option. :func:`extra_evidences` is the one place that maps
``ScoreTuning`` fields to evidences.

Today only HTM's anomaly likelihood (``ScoreTuning.likelihood``) is one. The
options removed in issue 14's cost session (run length, quiet spells, noise
regime; docs/anomaly.md's table of options tried) were evidences of this
kind; their code is in the commit the table names.
"""

from __future__ import annotations

from typing import Protocol

from twin.analytics.anomaly.likelihood import AnomalyLikelihood
from twin.analytics.anomaly.score_tuning import ScoreTuning

__all__ = ["Evidence", "extra_evidences"]


class Evidence(Protocol):
    """One more opinion on a reading, a score in [0, 1) fused with the others by max."""

    def update(self, z: float, residual: float, missed: int, learn: bool, judge: bool) -> float:
        """Take a reading; its score (0: nothing to report).

        ``z``: the residual over the spike's scale; ``residual``: in the
        stream's units, from the predictor in use; ``missed``: readings
        missed before this one; ``learn``: past the 10th reading (the
        records learn); ``judge``: past the warm-up (a score may count).
        """
        ...


class _Likelihood:
    """:class:`AnomalyLikelihood` as an evidence: learns from the 10th reading, judged after
    the warm-up (as it did inline before)."""

    __slots__ = ("_likelihood",)

    def __init__(self, bar: float, clip: float) -> None:
        self._likelihood = AnomalyLikelihood(bar, clip)

    def update(self, z: float, residual: float, missed: int, learn: bool, judge: bool) -> float:
        if not learn:
            return 0.0
        opinion = self._likelihood.score(z)
        return opinion if judge else 0.0


def extra_evidences(tuning: ScoreTuning, z_clip: float) -> tuple[Evidence, ...]:
    """The extra evidences ``tuning`` turns on (the product: none); ``z_clip``: the scorer's."""
    evidences: list[Evidence] = []
    if tuning.likelihood:
        evidences.append(_Likelihood(tuning.likelihood, z_clip))
    return tuple(evidences)
