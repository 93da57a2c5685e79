"""Reports within one excursion of :class:`StreamScore` (``ScoreTuning.escalation``).

With escalation on, a stream's records are held while an evidence stays
above its record (an excursion), so a growing event keeps scoring against
what the stream knew before it. Its readings would then score high
throughout; this keeps the one-report-per-event rule: within an excursion
already reported, a reading is reported again only if its strength over the
held record is ``factor`` times the last reported one's (``1 - score``
divided by ``factor``). Off in the product: measured on NAB held out, it
lost (docs/anomaly.md).
"""

from __future__ import annotations

__all__ = ["Escalation"]


class Escalation:
    """The last score reported in the current excursion, and the growth a new report needs."""

    __slots__ = ("_factor", "_last")

    def __init__(self, factor: float) -> None:
        if not factor >= 1.0:
            raise ValueError(f"escalation factor must be >= 1, got {factor}")
        self._factor = factor
        self._last = -1.0  # no report in the current excursion yet

    def filter(self, score: float, reported: float) -> float:
        """What to report of ``reported`` (the plain rule's report of ``score``)."""
        if score <= 0.0:
            self._last = -1.0  # nothing beats its record: the excursion is over
            return 0.0
        if reported <= 0.0:
            return 0.0
        last = self._last
        if last >= 0.0 and 1.0 - reported > (1.0 - last) / self._factor:
            return 0.0
        self._last = reported
        return reported
