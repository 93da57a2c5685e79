"""One high score per event: scores that do not beat the recent record are damped."""

from __future__ import annotations

__all__ = ["EventSuppressor"]


class EventSuppressor:
    """Keep a score only when it beats the decayed maximum of recent scores.

    An anomaly usually raises the score for several readings; an operator (and
    NAB, which rewards the first detection in a window and charges for every
    one outside) wants one report per event. The record decays by ``decay``
    per reading (0.999: it halves over about 700 readings), so a later, larger
    event still gets through. A score at or below the record is multiplied by
    ``damping``. One float of state.
    """

    __slots__ = ("_damping", "_decay", "record")

    def __init__(self, decay: float = 0.999, damping: float = 0.5) -> None:
        self._decay = decay
        self._damping = damping
        self.record = 0.0

    def update(self, score: float) -> float:
        record = self.record
        decayed = record * self._decay
        self.record = score if score > decayed else decayed
        return score if score > record else score * self._damping
