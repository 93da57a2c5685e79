"""How long the shift evidence stays on one side (``ScoreTuning.signed_runs``).

Issue 14, nab50 session; off. A drop on counts (a gate closed for three
hours) moves each reading by about 2 sd: its shift evidence never passes
the records' floor (five times its mean), which the event-free downward
noise reaches too (nab48, nab49), so :mod:`evidence_durations` never opens
a spell for it. What a drop has that the noise lacks is *duration on one
side*: the residuals stay below the prediction for 12-72 readings. As
Page's one-sided CUSUM (1954) splits the two directions and sets its
reference value ``k`` from the noise (half the shift it looks for), a run
here is the readings for which the signed shift evidence (an EWMA over
about 10 readings, at unit noise) stays beyond the stream's own mean
``|evidence|`` on one side: its reference is the noise's own typical
size, not a fitted constant. Each sign keeps its own record of runs (the
longest earlier run *of that sign*, never decaying), so a stream whose
seasonal misfit routinely leaves long runs below (or above) its
prediction has learnt them; a run is reported once, when it first lasts
twice its sign's record, as the duration evidence's spells are (its rules:
``duration_known``, ``duration_unreported``, one report per event).

A run is strict: it ends at the first reading off its side (no dips, unlike
a duration spell: the EWMA is already smooth over 10 readings, and
merging dips would join the noise's short runs into long ones). Nothing is
fitted: the bar is the records' own mean, the two-fold beat and the
record's floor (10 readings) the duration evidence's. State: one
:class:`EvidenceDurations` of two evidences (below, above).
"""

from __future__ import annotations

from twin.analytics.anomaly.evidence_durations import EvidenceDurations

__all__ = ["SignedRuns"]

_BELOW, _ABOVE = 0, 1


class SignedRuns:
    """The current run of the signed shift evidence on each side, and each side's record."""

    __slots__ = ("_runs",)

    def __init__(self, decay: float, typical_alpha: float) -> None:
        # The product's duration rules (known record, unreported events only),
        # strict runs (merge=1: a run closes at its first reading off side).
        self._runs = EvidenceDurations(
            decay, typical_alpha, evidences=2, unreported=True, known=True, merge=1
        )

    def tick(self, missed: int) -> None:
        """A new reading, after ``missed`` missed ones."""
        self._runs.tick(missed)

    def fired(self, score: float) -> None:
        """The stream reported ``score`` this reading."""
        self._runs.fired(score)

    def observe(self, signed: float, mean: float, judge: bool) -> float:
        """This reading's run score: ``signed`` the shift evidence at unit noise, ``mean``
        its running mean ``|evidence|`` (an EWMA from 0: debiased by the runs)."""
        runs = self._runs
        below = runs.observe(_BELOW, -signed, mean, judge)
        above = runs.observe(_ABOVE, signed, mean, judge)
        return below if below > above else above

    def state(self) -> tuple[float, ...]:
        """Each side's run record (below, above), for benches and tests."""
        return self._runs.state()
