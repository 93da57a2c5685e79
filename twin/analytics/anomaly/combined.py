"""One anomaly score per reading, in [0, 1], from the detectors' evidence.

The NAB results format wants a score for every row, and NAB then picks one
threshold for the whole corpus, so the score must mean the same thing on
every stream: here it is the strongest evidence, each detector's statistic
divided by its own threshold, squashed to [0, 1) by ``1 - exp(-e)``.
"""

from __future__ import annotations

import math

__all__ = ["CombinedScore"]


class CombinedScore:
    """Turns per-reading evidence (1.0 = at a detector's threshold) into a score."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0.0

    def update(self, evidence: float) -> float:
        self.value = 1.0 - math.exp(-max(evidence, 0.0))
        return self.value
