"""Why a sized fault was missed: the detections on its sensor around it.

``bench/faults.py --trace`` prints one line per fault not found by its own
kind: the sensor, the fault's kind, start (hours into the run) and size, and
every detection of that sensor from 10 min before the fault to 30 min after
its end (kind and minutes from the fault's start), so that a miss reads as
"another kind fired", "fired too late" or "nothing fired" at a glance.
"""

from __future__ import annotations

from collections.abc import Sequence

from simulators.fault_scoring import DETECTION_FOR, GRACE_S
from simulators.faults import Fault

__all__ = ["false_alarms", "missed"]

_BEFORE_S = 600.0
_AFTER_S = 1800.0


def missed(truth: Sequence[Fault], found: Sequence[tuple[str, str, float]]) -> list[str]:
    """One line per fault of a scored kind that no detection of its kind found."""
    lines: list[str] = []
    for f in truth:
        name = DETECTION_FOR.get(f.kind)
        if name is None:
            continue
        near = sorted(
            (t, k)
            for s, k, t in found
            if s == f.sensor and f.start - _BEFORE_S <= t <= f.end + _AFTER_S
        )
        if any(k == name and t <= f.end + GRACE_S[f.kind] and t >= f.start for t, k in near):
            continue
        size = ",".join(f"{k}={v:.3g}" for k, v in f.params.items())
        seen = " ".join(f"{k}@{(t - f.start) / 60:+.1f}m" for t, k in near) or "nothing"
        lines.append(f"{f.sensor} {f.kind.value} [{size}] {(f.end - f.start) / 60:.0f} min: {seen}")
    return lines


def false_alarms(truth: Sequence[Fault], found: Sequence[tuple[str, str, float]]) -> list[str]:
    """One line per detection of a scored kind that no fault of its kind covers:
    its sensor, kind, and the fault of another kind it fell in (if any)."""
    names = set(DETECTION_FOR.values())
    lines: list[str] = []
    for s, k, t in found:
        if k not in names:
            continue
        mine = [f for f in truth if f.sensor == s and f.start <= t <= f.end + GRACE_S[f.kind]]
        if any(DETECTION_FOR.get(f.kind) == k for f in mine):
            continue
        inside = ", ".join(f"in {f.kind.value} {(t - f.start) / 60:+.1f}m" for f in mine)
        lines.append(f"{s} {k}: {inside or 'no fault'}")
    return lines
