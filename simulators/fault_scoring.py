"""Strict scoring of sensor-fault detections against the simulator's ground truth.

A detection is a true positive only if it names the kind of a fault that was
injected on the *same sensor* and falls inside that fault's window (plus a
short grace for detectors that can only confirm after the fact). A detection
inside a fault of another kind is a false positive: an operator told "spike"
during a stuck sensor was told something wrong. Each fault kind has exactly
one detection kind that names it, so no detection is credited twice.

Detections are plain ``(sensor, kind, ts)`` tuples so that any detector can be
scored.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from simulators.faults import Fault, FaultKind

__all__ = ["COUNTER_DETECTION_FOR", "DETECTION_FOR", "GRACE_S", "KindScore", "score_faults"]

DETECTION_FOR: Mapping[FaultKind, str] = {
    FaultKind.SPIKE: "spike",
    FaultKind.STUCK: "stuck",
    FaultKind.DROPOUT: "dropout",
    FaultKind.DRIFT: "drift",
    FaultKind.OFFSET: "level_shift",
}
"""The one detection kind that correctly names each fault kind."""

COUNTER_DETECTION_FOR: Mapping[FaultKind, str] = {FaultKind.BLOCKED: "stuck"}
"""A stopped gate counter is named stuck (scored on its own: a counter's stuck
is right only inside a blocked window, pass it as ``names``)."""

GRACE_S: Mapping[FaultKind, float] = {
    FaultKind.SPIKE: 60.0,  # confirmed at the reading or the one after
    FaultKind.STUCK: 60.0,
    FaultKind.DROPOUT: 300.0,  # a gap is certain only once it ends or the watchdog ticks
    FaultKind.DRIFT: 900.0,
    FaultKind.OFFSET: 300.0,  # the step back when the offset ends is the same fault
    FaultKind.BLOCKED: 60.0,
}
"""Seconds after a fault's end during which its detection still counts."""


@dataclass(slots=True)
class KindScore:
    """One fault kind: faults found (recall), detections right (precision), delays."""

    kind: FaultKind
    faults: int = 0
    found: int = 0
    detections: int = 0
    correct: int = 0
    delays_s: list[float] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.faults if self.faults else float("nan")

    @property
    def precision(self) -> float:
        return self.correct / self.detections if self.detections else float("nan")

    @property
    def median_delay_s(self) -> float:
        return statistics.median(self.delays_s) if self.delays_s else float("nan")


def _covers(fault: Fault, sensor: str, ts: float) -> bool:
    return fault.sensor == sensor and fault.start <= ts <= fault.end + GRACE_S[fault.kind]


def score_faults(
    truth: Sequence[Fault],
    detections: Iterable[tuple[str, str, float]],
    kinds: Iterable[FaultKind] = tuple(DETECTION_FOR),
    names: Mapping[FaultKind, str] = DETECTION_FOR,
) -> dict[FaultKind, KindScore]:
    """Strict precision, recall and first-detection delay per fault kind.

    ``detections`` are ``(sensor, detection kind, ts)``. Only detections of the
    kinds in ``names`` (default ``DETECTION_FOR``) for ``kinds`` are judged;
    others (e.g. out of range) are not counted here.
    """
    found = list(detections)
    out: dict[FaultKind, KindScore] = {}
    for kind in kinds:
        name = names[kind]
        faults = [f for f in truth if f.kind is kind]
        mine = [(s, t) for s, k, t in found if k == name]
        score = KindScore(kind, faults=len(faults), detections=len(mine))
        score.correct = sum(any(_covers(f, s, t) for f in faults) for s, t in mine)
        for f in faults:
            times = [t for s, t in mine if _covers(f, s, t)]
            if times:
                score.found += 1
                score.delays_s.append(max(0.0, min(times) - f.start))
        out[kind] = score
    return out
